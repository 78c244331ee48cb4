-- A digest or report part prepared for a drafter or overseer who no longer holds the role when
-- it is due to be sent is withheld, never sent: `withheld_at` records when that was decided.
ALTER TABLE digest_parts ADD COLUMN withheld_at TEXT;
