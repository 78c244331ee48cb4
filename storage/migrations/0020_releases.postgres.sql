-- PostgreSQL form of 0020_releases.sql. Identity columns never give an id twice, so the
-- history tables need no rebuilding here (SQLite's did, for AUTOINCREMENT).
CREATE TABLE releases (
    kind        TEXT NOT NULL
                CHECK (kind IN ('item', 'suggestion', 'participation', 'active', 'segment')),
    target      TEXT NOT NULL,
    figures     TEXT NOT NULL,
    people      BIGINT NOT NULL,
    mark        BIGINT NOT NULL,
    released_at TEXT NOT NULL,
    PRIMARY KEY (kind, target)
);
CREATE INDEX vote_history_voter ON vote_history (participant_id, suggestion_id);
CREATE INDEX stances_item_updated ON stances (item_id, updated_at);
CREATE INDEX votes_suggestion_updated ON votes (suggestion_id, updated_at);
