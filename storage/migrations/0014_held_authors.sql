-- An author may correct a suggestion held for a moderator: the bot waits for the corrected text
-- (kind 'correction', target: the held suggestion); and may answer a drafter's reply (kind
-- 'author_answer', target: the reply). Private information becomes a reason of its
-- own, apart from a personal attack. SQLite cannot change a CHECK: both tables are recreated.
CREATE TABLE awaited_inputs_new (
    participant_id TEXT PRIMARY KEY REFERENCES participants (id),
    kind           TEXT NOT NULL
                   CHECK (kind IN ('proposal', 'reply', 'decline_reason', 'broadcast',
                                   'tracking', 'follow_up_answer', 'correction',
                                   'author_answer')),
    target         INTEGER,
    created_at     TEXT NOT NULL
);
INSERT INTO awaited_inputs_new SELECT participant_id, kind, target, created_at FROM awaited_inputs;
DROP TABLE awaited_inputs;
ALTER TABLE awaited_inputs_new RENAME TO awaited_inputs;

CREATE TABLE reports_new (
    id             INTEGER PRIMARY KEY,
    participant_id TEXT NOT NULL REFERENCES participants (id),
    suggestion_id  INTEGER NOT NULL REFERENCES suggestions (id),
    created_at     TEXT NOT NULL,
    reason         TEXT
                   CHECK (reason IN ('spam', 'offensive', 'personal', 'off_topic',
                                     'private_data')),
    UNIQUE (participant_id, suggestion_id)
);
INSERT INTO reports_new (id, participant_id, suggestion_id, created_at, reason)
    SELECT id, participant_id, suggestion_id, created_at, reason FROM reports;
DROP TABLE reports;
ALTER TABLE reports_new RENAME TO reports;
