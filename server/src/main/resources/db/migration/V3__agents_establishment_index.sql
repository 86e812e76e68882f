-- Evidence reports ask, per establishment, when its first agent enrolled
-- (EvidenceDao.firstEnrollment: min(enrolled_at) WHERE establishment_id = ?). agents had an index
-- on computer_id only, so each call read the whole table: about 1.3 ms per establishment with
-- 10,000 agents, 0.4 s of a 300-establishment report (docs/performance.md). With this index the
-- minimum is one index probe.
CREATE INDEX agents_establishment_enrolled ON agents (establishment_id, enrolled_at);
