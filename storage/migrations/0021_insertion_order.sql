-- The order in which plan versions and tracking metrics were added, kept in a column: queries
-- read it where they read SQLite's rowid, which PostgreSQL does not have. Two versions published
-- in one transaction share their time; the later one is the newer.
ALTER TABLE plan_versions ADD COLUMN seq INTEGER;
UPDATE plan_versions SET seq = rowid;
ALTER TABLE tracking_metrics ADD COLUMN seq INTEGER;
UPDATE tracking_metrics SET seq = rowid;
