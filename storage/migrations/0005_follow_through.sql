-- What a drafter said or decided about a suggestion. The latest decision (adopted, merged,
-- declined) is the suggestion's outcome; `notified_at` records that its author was told.
CREATE TABLE suggestion_responses (
    id             INTEGER PRIMARY KEY,
    suggestion_id  INTEGER NOT NULL REFERENCES suggestions (id),
    responder_id   TEXT NOT NULL REFERENCES participants (id),
    kind           TEXT NOT NULL CHECK (kind IN ('reply', 'adopted', 'merged', 'declined')),
    item_id        TEXT,
    text           TEXT,
    created_at     TEXT NOT NULL,
    notified_at    TEXT,
    CHECK (kind <> 'merged' OR item_id IS NOT NULL),
    CHECK (kind NOT IN ('reply', 'declined') OR length(text) > 0)
);
CREATE INDEX suggestion_responses_suggestion ON suggestion_responses (suggestion_id);

-- A citizen who blocked the bot is never written to again; one who turned updates off gets
-- no broadcasts.
ALTER TABLE delivery ADD COLUMN blocked_at TEXT;
ALTER TABLE delivery ADD COLUMN updates_off_at TEXT;

-- A drafter's message to every citizen, sent at a pace Telegram accepts and resumable: each
-- recipient's row records whether it was sent, so a restart continues where it stopped.
CREATE TABLE broadcasts (
    id             INTEGER PRIMARY KEY,
    author_id      TEXT NOT NULL REFERENCES participants (id),
    text           TEXT NOT NULL CHECK (length(text) > 0),
    status         TEXT NOT NULL DEFAULT 'draft'
                   CHECK (status IN ('draft', 'sending', 'done', 'cancelled')),
    created_at     TEXT NOT NULL,
    started_at     TEXT,
    finished_at    TEXT
);

CREATE TABLE broadcast_deliveries (
    broadcast_id   INTEGER NOT NULL REFERENCES broadcasts (id),
    participant_id TEXT NOT NULL REFERENCES participants (id),
    status         TEXT NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending', 'sent', 'blocked', 'failed')),
    attempts       INTEGER NOT NULL DEFAULT 0,
    sent_at        TEXT,
    PRIMARY KEY (broadcast_id, participant_id)
);
CREATE INDEX broadcast_deliveries_pending ON broadcast_deliveries (broadcast_id, status);
