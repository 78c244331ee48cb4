-- PostgreSQL's form of 0014_held_authors.sql: the two CHECKs widened in place.
ALTER TABLE awaited_inputs DROP CONSTRAINT awaited_inputs_kind,
    ADD CONSTRAINT awaited_inputs_kind
        CHECK (kind IN ('proposal', 'reply', 'decline_reason', 'broadcast', 'tracking',
                        'follow_up_answer', 'correction', 'author_answer'));

ALTER TABLE reports DROP CONSTRAINT reports_reason,
    ADD CONSTRAINT reports_reason
        CHECK (reason IN ('spam', 'offensive', 'personal', 'off_topic', 'private_data'));
