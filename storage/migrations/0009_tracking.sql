-- After the hearing: what became of each item (tracking, with an append-only history), who
-- follows which item, follow-up questions to segments, revised plans, and one outbox for the
-- messages these send to citizens (paced, resumable: `sent_at` marks what Telegram accepted).

-- The current tracking of a top-level item; every change is appended to tracking_history.
CREATE TABLE tracking (
    item_id        TEXT PRIMARY KEY,
    status         TEXT NOT NULL DEFAULT 'proposed'
                   CHECK (status IN ('proposed', 'adopted', 'in_progress', 'done', 'dropped')),
    responsible    TEXT,
    deadline       TEXT,
    updated_at     TEXT NOT NULL
);

CREATE TABLE tracking_metrics (
    item_id        TEXT NOT NULL REFERENCES tracking (item_id),
    name           TEXT NOT NULL CHECK (length(name) > 0),
    unit           TEXT NOT NULL DEFAULT '',
    baseline       REAL NOT NULL,
    target         REAL NOT NULL,
    current        REAL,
    measured_on    TEXT,
    PRIMARY KEY (item_id, name)
);

-- Who changed what, when, and what it was before. `actor` is a pseudonym (set in Telegram) or
-- the name of an imported file; `field` is status, responsible, deadline or metric:<name>.
CREATE TABLE tracking_history (
    id             INTEGER PRIMARY KEY,
    item_id        TEXT NOT NULL,
    field          TEXT NOT NULL,
    old_value      TEXT,
    new_value      TEXT,
    actor          TEXT NOT NULL,
    source         TEXT NOT NULL CHECK (source IN ('telegram', 'import')),
    changed_at     TEXT NOT NULL
);
CREATE INDEX tracking_history_item ON tracking_history (item_id, id);

CREATE TRIGGER tracking_history_no_update BEFORE UPDATE ON tracking_history
BEGIN
    SELECT RAISE(ABORT, 'tracking_history is append-only');
END;

CREATE TRIGGER tracking_history_no_delete BEFORE DELETE ON tracking_history
BEGIN
    SELECT RAISE(ABORT, 'tracking_history is append-only');
END;

-- Items a citizen follows (told about changes after `since_history`); `seen_history_id` is the last change they were told about, and
-- `follower_notices` keeps at most one message a day per citizen.
CREATE TABLE follows (
    participant_id TEXT NOT NULL REFERENCES participants (id),
    item_id        TEXT NOT NULL,
    since_history  INTEGER NOT NULL DEFAULT 0,
    created_at     TEXT NOT NULL,
    PRIMARY KEY (participant_id, item_id)
);

CREATE TABLE follower_watermarks (
    participant_id  TEXT PRIMARY KEY REFERENCES participants (id),
    seen_history_id INTEGER NOT NULL,
    notified_at     TEXT
);

-- A citizen's yes (1) or no (0) to being asked follow-up questions; no row means not asked.
CREATE TABLE follow_up_consents (
    participant_id TEXT PRIMARY KEY REFERENCES participants (id),
    accepted       INTEGER NOT NULL CHECK (accepted IN (0, 1)),
    updated_at     TEXT NOT NULL
);

CREATE TABLE follow_up_questions (
    id             INTEGER PRIMARY KEY,
    author_id      TEXT NOT NULL REFERENCES participants (id),
    item_id        TEXT NOT NULL,
    segment        TEXT NOT NULL CHECK (segment IN ('opposed', 'supported', 'high')),
    text           TEXT NOT NULL CHECK (length(text) > 0),
    status         TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'sent', 'cancelled')),
    audience       INTEGER NOT NULL DEFAULT 0,
    created_at     TEXT NOT NULL,
    sent_at        TEXT
);

-- An answer to a follow-up question is a suggestion on its item, linked to the question.
ALTER TABLE suggestions ADD COLUMN question_id INTEGER REFERENCES follow_up_questions (id);

-- Each published version of the plan, and what changed in it from the one before.
-- `announced_at`: the bot served it and queued the "you said, we did" notices.
CREATE TABLE plan_versions (
    version        TEXT PRIMARY KEY,
    text           TEXT NOT NULL,
    previous       TEXT,
    published_at   TEXT NOT NULL,
    announced_at   TEXT
);

CREATE TABLE plan_changes (
    version        TEXT NOT NULL REFERENCES plan_versions (version),
    item_id        TEXT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('changed', 'added', 'merged', 'dropped')),
    old_text       TEXT,
    new_text       TEXT,
    into_item      TEXT,
    PRIMARY KEY (version, item_id)
);

-- Messages to citizens rendered once, sent at a pace Telegram accepts, never twice.
CREATE TABLE outbox (
    id             INTEGER PRIMARY KEY,
    participant_id TEXT NOT NULL REFERENCES participants (id),
    kind           TEXT NOT NULL CHECK (kind IN ('followers', 'plan_change', 'question')),
    body           TEXT NOT NULL,
    question_id    INTEGER REFERENCES follow_up_questions (id),
    status         TEXT NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending', 'sent', 'blocked', 'failed')),
    created_at     TEXT NOT NULL,
    sent_at        TEXT
);
CREATE INDEX outbox_pending ON outbox (status, id);
CREATE INDEX outbox_question ON outbox (question_id, participant_id);

-- The weekly oversight report is recorded by the digest ledger, as another kind of digest.
ALTER TABLE digests ADD COLUMN kind TEXT NOT NULL DEFAULT 'daily'
    CHECK (kind IN ('daily', 'oversight'));

-- Free text awaited for tracking (an item's responsible body, deadline or metric) and for an
-- answer to a follow-up question: the table is recreated with the new kinds.
CREATE TABLE awaited_inputs_new (
    participant_id TEXT PRIMARY KEY REFERENCES participants (id),
    kind           TEXT NOT NULL
                   CHECK (kind IN ('proposal', 'reply', 'decline_reason', 'broadcast',
                                   'tracking', 'follow_up_answer')),
    target         INTEGER,
    created_at     TEXT NOT NULL
);
INSERT INTO awaited_inputs_new SELECT participant_id, kind, target, created_at FROM awaited_inputs;
DROP TABLE awaited_inputs;
ALTER TABLE awaited_inputs_new RENAME TO awaited_inputs;

-- Which tracking field the awaited text is for (with the metric, when it is a metric's value).
CREATE TABLE tracking_inputs (
    participant_id TEXT PRIMARY KEY REFERENCES participants (id),
    item_id        TEXT NOT NULL,
    field          TEXT NOT NULL CHECK (field IN ('responsible', 'deadline', 'metric_new',
                                                  'metric_value')),
    metric         TEXT
);
