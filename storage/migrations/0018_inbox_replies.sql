-- A handler's reply, kept with its effects (bot/runtime/replies.py): the Bot API calls it made,
-- committed in the same transaction as what it wrote, and sent after the commit. An entry still
-- pending with a reply has had its effects committed: a replay sends this reply instead of
-- handling the update again. `reply_begun` has a bit set for each of the reply's calls begun
-- (bot/runtime/replies.py: begun_bit); a message begun may already have gone out, so a replay
-- does not send it again.
ALTER TABLE inbox ADD COLUMN reply TEXT;
ALTER TABLE inbox ADD COLUMN reply_begun INTEGER NOT NULL DEFAULT 0;
