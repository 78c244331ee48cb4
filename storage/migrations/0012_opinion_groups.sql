-- Opinion groups (docs/opinion-groups.md). Each scheduled digest that found groups keeps what
-- the next one continues from: the k-smoother (`smoother`, GroupsState's JSON without its
-- membership) and who was in which group, one pseudonymous row per participant, so that an
-- erasure deletes a person's row like any other. Only the latest run's members are kept.
-- `computed_at` is when the votes were read: an erasure removes the person from runs computed
-- at or before it.
CREATE TABLE opinion_runs (
    digest_id     INTEGER PRIMARY KEY REFERENCES digests (id),
    smoother      TEXT NOT NULL,
    computed_at   TEXT NOT NULL,
    created_at    TEXT NOT NULL
);

CREATE TABLE opinion_members (
    digest_id       INTEGER NOT NULL REFERENCES opinion_runs (digest_id),
    participant_id  TEXT NOT NULL REFERENCES participants (id),
    label           INTEGER NOT NULL CHECK (label >= 0),
    PRIMARY KEY (digest_id, participant_id)
);

CREATE INDEX opinion_members_participant ON opinion_members (participant_id);

-- The digest's opinion map is one more kind of digest part: 'map', its PNG in `body` (base64).
-- A CHECK constraint cannot be altered in SQLite: the table is rebuilt with its rows.
CREATE TABLE digest_parts_new (
    digest_id     INTEGER NOT NULL REFERENCES digests (id),
    recipient     INTEGER NOT NULL,
    part          INTEGER NOT NULL CHECK (part >= 0),
    kind          TEXT NOT NULL CHECK (kind IN ('text', 'chart', 'map')),
    body          TEXT,
    sent_at       TEXT,
    PRIMARY KEY (digest_id, recipient, part)
);

INSERT INTO digest_parts_new (digest_id, recipient, part, kind, body, sent_at)
    SELECT digest_id, recipient, part, kind, body, sent_at FROM digest_parts;

DROP TABLE digest_parts;

ALTER TABLE digest_parts_new RENAME TO digest_parts;
