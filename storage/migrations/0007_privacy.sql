-- A participant who erased their data keeps a bare row (id, when they joined, when they were
-- erased) so that the drafters' own acts that name them (replies, broadcasts) stay valid; every
-- answer, vote, report and draft is deleted and their suggestions removed (docs/privacy.md).
ALTER TABLE participants ADD COLUMN erased_at TEXT;
