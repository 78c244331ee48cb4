-- The language a participant chose for the hearing (/start asks, /language changes it).
-- NULL: not chosen yet; the bot then uses the language of their Telegram client if it has it.
ALTER TABLE participants ADD COLUMN language TEXT CHECK (language IN ('en', 'ur'));
