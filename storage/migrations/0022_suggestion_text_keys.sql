-- The repeat check ("the same text posted before") looks up a key of the text's words, a hash
-- of its folded form (bot/hearing/typed_text.py: repeat_key), through an index: it used to
-- compare `text` row by row inside the write lock. Suggestions stored before this migration get
-- their key at the next start (Submissions.key_old_texts). Never exported; erased with the row.
ALTER TABLE suggestions ADD COLUMN text_key TEXT;
CREATE INDEX suggestions_text_key ON suggestions (text_key);
