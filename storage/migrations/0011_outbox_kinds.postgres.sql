-- PostgreSQL's form of 0011_outbox_kinds.sql: the outbox's kinds widened in place.
ALTER TABLE outbox DROP CONSTRAINT outbox_kind,
    ADD CONSTRAINT outbox_kind
        CHECK (kind IN ('followers', 'plan_change', 'question', 'broadcast_report',
                        'moderation_notice', 'author_answer'));
