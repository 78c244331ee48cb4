-- The durable inbox: every update is stored here before Telegram is told it arrived.
-- `update_id` is not the key: Telegram restarts update ids after a week without updates (and
-- the console's emulator on every run), so duplicates are matched within a time window and
-- only until Telegram has confirmed it will not send the update again (bot/inbox.py).
-- Once handled, a row keeps only what deduplication needs: the payload (the citizen's raw
-- message, Telegram ids included) and the chat key are cleared.
CREATE TABLE inbox (
    id            INTEGER PRIMARY KEY,
    update_id     INTEGER NOT NULL,
    received_at   TEXT NOT NULL,
    chat_key      INTEGER,
    payload       TEXT,
    status        TEXT NOT NULL DEFAULT 'pending'
                  CHECK (status IN ('pending', 'done', 'abandoned')),
    attempts      INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    finished_at   TEXT,
    confirmed_at  TEXT,
    CHECK (status <> 'pending' OR payload IS NOT NULL),
    CHECK ((status = 'pending') = (finished_at IS NULL))
);
CREATE INDEX inbox_update ON inbox (update_id, received_at);
CREATE INDEX inbox_status ON inbox (status, received_at);
