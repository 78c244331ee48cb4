-- PostgreSQL's form of 0025_chat_claims.sql: the workers of a fleet claim a chat before they
-- handle its pending updates, for a lease they renew (docs/postgres.md, Several workers).
-- Leases are in the server's time, the one clock every worker shares.
CREATE TABLE chat_claims (
    chat_key BIGINT PRIMARY KEY,
    worker TEXT NOT NULL,
    lease_until TIMESTAMPTZ NOT NULL
);
-- Where workers look for work: the chats with pending updates, each chat's in order.
CREATE INDEX inbox_pending_chat ON inbox (chat_key, update_id) WHERE status = 'pending';
