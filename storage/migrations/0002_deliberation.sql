-- Votes on suggestions: one current vote per (participant, suggestion), and its history.
CREATE TABLE votes (
    participant_id TEXT NOT NULL REFERENCES participants (id),
    suggestion_id  INTEGER NOT NULL REFERENCES suggestions (id),
    vote           TEXT NOT NULL CHECK (vote IN ('agree', 'disagree', 'pass')),
    updated_at     TEXT NOT NULL,
    PRIMARY KEY (participant_id, suggestion_id)
);
CREATE INDEX votes_suggestion ON votes (suggestion_id, vote);

CREATE TABLE vote_history (
    id             INTEGER PRIMARY KEY,
    participant_id TEXT NOT NULL REFERENCES participants (id),
    suggestion_id  INTEGER NOT NULL REFERENCES suggestions (id),
    vote           TEXT NOT NULL CHECK (vote IN ('agree', 'disagree', 'pass')),
    recorded_at    TEXT NOT NULL
);
CREATE INDEX vote_history_suggestion ON vote_history (suggestion_id);

-- A citizen's report of a suggestion; the moderation queue reads these.
CREATE TABLE reports (
    id             INTEGER PRIMARY KEY,
    participant_id TEXT NOT NULL REFERENCES participants (id),
    suggestion_id  INTEGER NOT NULL REFERENCES suggestions (id),
    created_at     TEXT NOT NULL,
    UNIQUE (participant_id, suggestion_id)
);

-- Every text a citizen sends as a suggestion lands here first, so nothing is lost while they
-- decide between a near-duplicate and their own wording; `outcome` records what became of it.
CREATE TABLE suggestion_drafts (
    id             INTEGER PRIMARY KEY,
    participant_id TEXT NOT NULL REFERENCES participants (id),
    item_id        TEXT NOT NULL,
    text           TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    outcome        TEXT CHECK (outcome IN ('posted', 'agreed', 'replaced')),
    suggestion_id  INTEGER REFERENCES suggestions (id),
    decided_at     TEXT
);
CREATE INDEX suggestion_drafts_open ON suggestion_drafts (participant_id, outcome);

-- Free text the bot waits for outside the walkthrough's steps (a proposal; a drafter's reply,
-- reason or broadcast) and what it is about. A small table of its own rather than a column:
-- SQLite cannot change a column's CHECK, but this table can be recreated with new kinds.
CREATE TABLE awaited_inputs (
    participant_id TEXT PRIMARY KEY REFERENCES participants (id),
    kind           TEXT NOT NULL
                   CHECK (kind IN ('proposal', 'reply', 'decline_reason', 'broadcast')),
    target         INTEGER,
    created_at     TEXT NOT NULL
);
