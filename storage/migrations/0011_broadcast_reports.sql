-- A drafter is told when their broadcast has finished, through the outbox (recorded in the
-- transaction that closes the broadcast, so the report is neither lost nor doubled). SQLite
-- cannot change a CHECK constraint: the outbox is recreated with the new kind.
CREATE TABLE outbox_new (
    id             INTEGER PRIMARY KEY,
    participant_id TEXT NOT NULL REFERENCES participants (id),
    kind           TEXT NOT NULL
                   CHECK (kind IN ('followers', 'plan_change', 'question', 'broadcast_report')),
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
