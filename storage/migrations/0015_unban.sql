-- A moderator can lift a ban (/unban), recorded in the append-only moderation log as 'unban'.
-- SQLite cannot change a CHECK constraint: the log is recreated, rows and triggers as they were.
CREATE TABLE moderation_log_new (
    id              INTEGER PRIMARY KEY,
    suggestion_id   INTEGER,
    actor_id        TEXT,
    action          TEXT NOT NULL
                    CHECK (action IN ('flagged', 'report_hidden', 'approve', 'hide', 'ban',
                                      'appeal', 'unban')),
    reason          TEXT,
    previous_status TEXT,
    new_status      TEXT,
    created_at      TEXT NOT NULL
);
INSERT INTO moderation_log_new SELECT id, suggestion_id, actor_id, action, reason,
    previous_status, new_status, created_at FROM moderation_log;
DROP TABLE moderation_log;
ALTER TABLE moderation_log_new RENAME TO moderation_log;
CREATE INDEX moderation_log_suggestion ON moderation_log (suggestion_id);

CREATE TRIGGER moderation_log_no_update BEFORE UPDATE ON moderation_log
BEGIN
    SELECT RAISE(ABORT, 'moderation_log is append-only');
END;

CREATE TRIGGER moderation_log_no_delete BEFORE DELETE ON moderation_log
BEGIN
    SELECT RAISE(ABORT, 'moderation_log is append-only');
END;
