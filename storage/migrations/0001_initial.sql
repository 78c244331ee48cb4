-- Participants are pseudonymous: `id` is a keyed hash of the Telegram user id.
CREATE TABLE participants (
    id            TEXT PRIMARY KEY,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    current_item  TEXT,
    step          TEXT NOT NULL DEFAULT 'welcome'
                  CHECK (step IN ('welcome', 'stance', 'priority', 'suggest',
                                  'suggestion_text', 'finished')),
    completed_at  TEXT
);

-- The only table that can reach a person: where to write back. Exports never read it.
CREATE TABLE delivery (
    participant_id TEXT PRIMARY KEY REFERENCES participants (id),
    chat_id        INTEGER NOT NULL,
    updated_at     TEXT NOT NULL
);

CREATE TABLE stances (
    participant_id TEXT NOT NULL REFERENCES participants (id),
    item_id        TEXT NOT NULL,
    stance         TEXT NOT NULL CHECK (stance IN ('support', 'oppose', 'unsure')),
    priority       TEXT CHECK (priority IN ('high', 'medium', 'low')),
    plan_version   TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    PRIMARY KEY (participant_id, item_id)
);

CREATE TABLE stance_history (
    id             INTEGER PRIMARY KEY,
    participant_id TEXT NOT NULL REFERENCES participants (id),
    item_id        TEXT NOT NULL,
    stance         TEXT NOT NULL CHECK (stance IN ('support', 'oppose', 'unsure')),
    priority       TEXT CHECK (priority IN ('high', 'medium', 'low')),
    plan_version   TEXT NOT NULL,
    recorded_at    TEXT NOT NULL
);
CREATE INDEX stance_history_participant ON stance_history (participant_id, item_id);

CREATE TABLE suggestions (
    id             INTEGER PRIMARY KEY,
    participant_id TEXT NOT NULL REFERENCES participants (id),
    item_id        TEXT NOT NULL,
    text           TEXT NOT NULL CHECK (length(text) > 0),
    status         TEXT NOT NULL DEFAULT 'visible'
                   CHECK (status IN ('visible', 'pending', 'hidden', 'withdrawn')),
    plan_version   TEXT NOT NULL,
    created_at     TEXT NOT NULL
);
CREATE INDEX suggestions_item ON suggestions (item_id, status);
CREATE INDEX suggestions_participant ON suggestions (participant_id);
