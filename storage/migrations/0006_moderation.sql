-- Why a citizen reported a suggestion. Reports made before reasons existed keep NULL.
ALTER TABLE reports ADD COLUMN reason TEXT
    CHECK (reason IN ('spam', 'offensive', 'personal', 'off_topic'));

-- What the automatic checks found in a suggestion when it was submitted.
CREATE TABLE auto_flags (
    suggestion_id  INTEGER NOT NULL REFERENCES suggestions (id),
    reason         TEXT NOT NULL
                   CHECK (reason IN ('blocklist', 'personal_data', 'link', 'repeated', 'flood',
                                     'pre_moderation')),
    detail         TEXT,
    created_at     TEXT NOT NULL,
    PRIMARY KEY (suggestion_id, reason)
);

-- Moderators are identified by their pseudonym only (claimed_by, decided_by, excluded, banned_by,
-- actor_id): one deciding from the moderators' group chat need not have a participant row.

-- One row per suggestion that needs (or needed) a moderator. `open` rows are the queue; a
-- claim keeps two moderators off the same item until it expires; a second review reopens the
-- row and keeps the moderator who decided first away from it.
CREATE TABLE moderation_queue (
    suggestion_id  INTEGER PRIMARY KEY REFERENCES suggestions (id),
    state          TEXT NOT NULL CHECK (state IN ('open', 'approved', 'hidden')),
    queued_at      TEXT NOT NULL,
    claimed_by     TEXT,
    claimed_until  TEXT,
    decided_by     TEXT,
    decided_at     TEXT,
    reason         TEXT,
    excluded       TEXT,
    appealed_at    TEXT,
    author_told_at TEXT
);
CREATE INDEX moderation_queue_open ON moderation_queue (state, queued_at);

-- Items a moderator skipped: the queue offers them to the others first.
CREATE TABLE moderation_skips (
    moderator_id   TEXT NOT NULL,
    suggestion_id  INTEGER NOT NULL REFERENCES suggestions (id),
    PRIMARY KEY (moderator_id, suggestion_id)
);

-- Participants who may no longer post suggestions.
CREATE TABLE bans (
    participant_id TEXT PRIMARY KEY REFERENCES participants (id),
    banned_by      TEXT NOT NULL,
    created_at     TEXT NOT NULL
);

-- Every moderation decision, append-only: the triggers refuse changes and deletions. No foreign
-- key to suggestions: a citizen's erasure removes their suggestion, the record of decisions stays
-- (ids and pseudonyms only, never text).
CREATE TABLE moderation_log (
    id              INTEGER PRIMARY KEY,
    suggestion_id   INTEGER,
    actor_id        TEXT,
    action          TEXT NOT NULL
                    CHECK (action IN ('flagged', 'report_hidden', 'approve', 'hide', 'ban',
                                      'appeal')),
    reason          TEXT,
    previous_status TEXT,
    new_status      TEXT,
    created_at      TEXT NOT NULL
);
CREATE INDEX moderation_log_suggestion ON moderation_log (suggestion_id);

CREATE TRIGGER moderation_log_no_update BEFORE UPDATE ON moderation_log
BEGIN
    SELECT RAISE(ABORT, 'moderation_log is append-only');
END;

CREATE TRIGGER moderation_log_no_delete BEFORE DELETE ON moderation_log
BEGIN
    SELECT RAISE(ABORT, 'moderation_log is append-only');
END;
