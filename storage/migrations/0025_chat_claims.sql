-- Claims of chats by the workers of a fleet on one PostgreSQL (docs/postgres.md, Several
-- workers). One SQLite process needs none: the table is here only so that both backends keep
-- one schema and one sequence of migrations (and `move-to-postgres` copies it, empty).
CREATE TABLE chat_claims (
    chat_key INTEGER PRIMARY KEY,
    worker TEXT NOT NULL,
    lease_until TEXT NOT NULL
);
