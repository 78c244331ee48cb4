-- An author's answer to a drafter's reply or reason: one per reply, kept with the suggestion so
-- that the drafters' card shows the whole exchange. Erased with the author's data.
CREATE TABLE author_answers (
    id             INTEGER PRIMARY KEY,
    response_id    INTEGER NOT NULL UNIQUE REFERENCES suggestion_responses (id),
    suggestion_id  INTEGER NOT NULL REFERENCES suggestions (id),
    author_id      TEXT NOT NULL REFERENCES participants (id),
    text           TEXT NOT NULL CHECK (length(text) > 0),
    created_at     TEXT NOT NULL
);
CREATE INDEX author_answers_suggestion ON author_answers (suggestion_id);
