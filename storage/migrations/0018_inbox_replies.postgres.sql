-- PostgreSQL form of 0018_inbox_replies.sql: `reply_begun` holds bits up to the 63rd
-- (bot/runtime/replies.py: APOLOGY_BIT), so it is a BIGINT here.
ALTER TABLE inbox ADD COLUMN reply TEXT;
ALTER TABLE inbox ADD COLUMN reply_begun BIGINT NOT NULL DEFAULT 0;
