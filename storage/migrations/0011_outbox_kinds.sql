-- More kinds of outbox message, each recorded in the transaction that makes it due, so that it
-- is neither lost nor doubled: the report to a drafter whose broadcast has finished, a
-- moderation notice to a citizen (their post hidden by reports, their ban lifted), and an
-- author's answer to a drafter's reply, for the drafters. SQLite cannot change a CHECK
-- constraint: the outbox is recreated with the new kinds.
CREATE TABLE outbox_new (
    id             INTEGER PRIMARY KEY,
    participant_id TEXT NOT NULL REFERENCES participants (id),
    kind           TEXT NOT NULL
                   CHECK (kind IN ('followers', 'plan_change', 'question', 'broadcast_report',
                                   'moderation_notice', 'author_answer')),
    body           TEXT NOT NULL,
    question_id    INTEGER REFERENCES follow_up_questions (id),
    status         TEXT NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending', 'sent', 'blocked', 'failed')),
    created_at     TEXT NOT NULL,
    sent_at        TEXT
);
INSERT INTO outbox_new (id, participant_id, kind, body, question_id, status, created_at, sent_at)
    SELECT id, participant_id, kind, body, question_id, status, created_at, sent_at FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_pending ON outbox (status, id);
CREATE INDEX outbox_question ON outbox (question_id, participant_id);
