-- The erasure ledger (docs/privacy.md) in a schema of its own, which `hearing-bot backup` leaves
-- out (pg_dump --exclude-schema=ledger): restoring a backup into this database replaces the
-- hearing's tables, never the ledger, which is then re-applied at start. Nothing here depends on
-- the hearing's own schema, which `pg_restore --clean` drops and creates again (hence a function
-- of its own rather than 0006's refuse_change()). IF NOT EXISTS: `hearing-bot ledger import`
-- runs this again into a database restored without its ledger (storage/pg_ledger.py).
CREATE SCHEMA IF NOT EXISTS ledger;
CREATE TABLE IF NOT EXISTS ledger.erasures (
    participant TEXT NOT NULL,
    erased_at TEXT NOT NULL,
    PRIMARY KEY (participant, erased_at)
);
CREATE OR REPLACE FUNCTION ledger.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the erasure ledger is append-only' USING ERRCODE = 'restrict_violation';
END
$$;
DROP TRIGGER IF EXISTS erasures_append_only ON ledger.erasures;
CREATE TRIGGER erasures_append_only BEFORE UPDATE OR DELETE ON ledger.erasures
    FOR EACH ROW EXECUTE FUNCTION ledger.refuse_change();
DROP TRIGGER IF EXISTS erasures_no_truncate ON ledger.erasures;
CREATE TRIGGER erasures_no_truncate BEFORE TRUNCATE ON ledger.erasures
    FOR EACH STATEMENT EXECUTE FUNCTION ledger.refuse_change();
