-- PostgreSQL's form of 0015_unban.sql: the log's actions widened in place (its triggers stay).
ALTER TABLE moderation_log DROP CONSTRAINT moderation_log_action,
    ADD CONSTRAINT moderation_log_action
        CHECK (action IN ('flagged', 'report_hidden', 'approve', 'hide', 'ban', 'appeal',
                          'unban'));
