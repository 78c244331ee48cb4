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

-- What one voter's vote on a suggestion was at a release: read by (voter, suggestion).
CREATE INDEX vote_history_voter ON vote_history (participant_id, suggestion_id);
