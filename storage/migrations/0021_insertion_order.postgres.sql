-- PostgreSQL's form of 0018_insertion_order.sql: rows already there (none, unless a database
-- was made before this migration) are numbered in the order of their other columns.
ALTER TABLE plan_versions ADD COLUMN seq INTEGER;
UPDATE plan_versions SET seq = o.n FROM (
    SELECT version, row_number() OVER (ORDER BY published_at, version) AS n FROM plan_versions
) o WHERE o.version = plan_versions.version;
ALTER TABLE tracking_metrics ADD COLUMN seq INTEGER;
UPDATE tracking_metrics SET seq = o.n FROM (
    SELECT item_id, name, row_number() OVER (ORDER BY item_id, name) AS n FROM tracking_metrics
) o WHERE o.item_id = tracking_metrics.item_id AND o.name = tracking_metrics.name;
