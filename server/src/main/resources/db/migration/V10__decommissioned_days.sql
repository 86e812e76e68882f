-- Decommissioned computers stop counting from their decommission date (computer_months drops
-- those days when it is refreshed): mark the establishment-days from the day before each
-- decommission (a margin for any time zone) so that the rollup maintainer refreshes them.
INSERT INTO rollup_dirty (establishment_id, day)
SELECT DISTINCT d.establishment_id, d.day FROM computer_days d
JOIN computers c ON c.id = d.computer_id
WHERE c.decommissioned_at IS NOT NULL AND d.day >= CAST(c.decommissioned_at AS date) - 1;
