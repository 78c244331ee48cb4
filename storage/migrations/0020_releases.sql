-- What each figure about people was last published as (bot/hearing/publishable.py): an
-- item's answers, a suggestion's votes, the participation, a follow-up segment's size. Every
-- view shows a figure's release; a new release replaces it only once at least MIN_GROUP_SIZE
-- people changed the figure since, so that no two published versions of one figure can be
-- subtracted to single anyone out. Aggregates only: no participant is named here.
CREATE TABLE releases (
    kind        TEXT NOT NULL
                CHECK (kind IN ('item', 'suggestion', 'participation', 'active', 'segment')),
    target      TEXT NOT NULL,
    figures     TEXT NOT NULL,     -- JSON, as published
    people      INTEGER NOT NULL,  -- how many people the figures are about
    mark        INTEGER NOT NULL,  -- the history row id the figures were read up to
    released_at TEXT NOT NULL,
    PRIMARY KEY (kind, target)
);

-- A release remembers the last history row it read (`mark`), so history ids must never be
-- reused: without AUTOINCREMENT, SQLite gives the next row the id of the last one erased.
CREATE TABLE stance_history_ids (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    participant_id TEXT NOT NULL REFERENCES participants (id),
    item_id        TEXT NOT NULL,
    stance         TEXT NOT NULL CHECK (stance IN ('support', 'oppose', 'unsure')),
    priority       TEXT CHECK (priority IN ('high', 'medium', 'low')),
    plan_version   TEXT NOT NULL,
    recorded_at    TEXT NOT NULL
);
INSERT INTO stance_history_ids (id, participant_id, item_id, stance, priority, plan_version,
                                recorded_at)
    SELECT id, participant_id, item_id, stance, priority, plan_version, recorded_at
    FROM stance_history;
DROP TABLE stance_history;
ALTER TABLE stance_history_ids RENAME TO stance_history;
CREATE INDEX stance_history_participant ON stance_history (participant_id, item_id);

CREATE TABLE vote_history_ids (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    participant_id TEXT NOT NULL REFERENCES participants (id),
    suggestion_id  INTEGER NOT NULL REFERENCES suggestions (id),
    vote           TEXT NOT NULL CHECK (vote IN ('agree', 'disagree', 'pass')),
    recorded_at    TEXT NOT NULL
);
INSERT INTO vote_history_ids (id, participant_id, suggestion_id, vote, recorded_at)
    SELECT id, participant_id, suggestion_id, vote, recorded_at FROM vote_history;
DROP TABLE vote_history;
ALTER TABLE vote_history_ids RENAME TO vote_history;
CREATE INDEX vote_history_suggestion ON vote_history (suggestion_id);
-- What one voter's vote on a suggestion was at a release: read by (voter, suggestion).
CREATE INDEX vote_history_voter ON vote_history (participant_id, suggestion_id);

-- What changed in a figure since its release is read from the answers changed since then only.
CREATE INDEX stances_item_updated ON stances (item_id, updated_at);
CREATE INDEX votes_suggestion_updated ON votes (suggestion_id, updated_at);
