-- PostgreSQL's form of 0012_opinion_groups.sql: BIGINT references to digests, and the digest
-- parts' kinds widened in place.
CREATE TABLE opinion_runs (
    digest_id     BIGINT PRIMARY KEY REFERENCES digests (id),
    smoother      TEXT NOT NULL,
    computed_at   TEXT NOT NULL,
    created_at    TEXT NOT NULL
);

CREATE TABLE opinion_members (
    digest_id       BIGINT NOT NULL REFERENCES opinion_runs (digest_id),
    participant_id  TEXT NOT NULL REFERENCES participants (id),
    label           INTEGER NOT NULL CHECK (label >= 0),
    PRIMARY KEY (digest_id, participant_id)
);

CREATE INDEX opinion_members_participant ON opinion_members (participant_id);

ALTER TABLE digest_parts DROP CONSTRAINT digest_parts_kind,
    ADD CONSTRAINT digest_parts_kind CHECK (kind IN ('text', 'chart', 'map'));
