-- One row per scheduled digest (its `slot`), so that a restart never builds or sends it twice.
-- `stats` keeps each item's counts at `period_end`: the next digest reports the change.
CREATE TABLE digests (
    id            INTEGER PRIMARY KEY,
    slot          TEXT NOT NULL UNIQUE,
    period_start  TEXT,
    period_end    TEXT NOT NULL,
    stats         TEXT NOT NULL,
    chart         BLOB,
    created_at    TEXT NOT NULL,
    completed_at  TEXT
);

-- Each message of a digest for each drafter, rendered once; `sent_at` marks what Telegram
-- accepted, so a digest that failed half-way is completed, not restarted from the top.
-- Drafters are staff named by id in the settings, not pseudonymous participants.
CREATE TABLE digest_parts (
    digest_id     INTEGER NOT NULL REFERENCES digests (id),
    recipient     INTEGER NOT NULL,
    part          INTEGER NOT NULL CHECK (part >= 0),
    kind          TEXT NOT NULL CHECK (kind IN ('text', 'chart')),
    body          TEXT,
    sent_at       TEXT,
    PRIMARY KEY (digest_id, recipient, part)
);

-- Small facts the bot keeps about itself, such as when digests were first scheduled.
CREATE TABLE app_state (
    key           TEXT PRIMARY KEY,
    value         TEXT NOT NULL
);
