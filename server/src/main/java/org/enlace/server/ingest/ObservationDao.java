package org.enlace.server.ingest;

import java.time.LocalDate;
import java.util.List;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** The ingest path's SQL, set-based, one statement per group commit; the rows go in by COPY. */
@RegisterConstructorMapper(ObservationDao.Key.class)
public interface ObservationDao {
  record Key(long agentId, long seq) {}

  /** Which of these (agent, seq) are already in their agent's {@code stored_seqs}. */
  @SqlQuery(
      """
      SELECT i.agent_id, i.seq
      FROM unnest(CAST(:agentIds AS bigint[]), CAST(:seqs AS bigint[])) AS i(agent_id, seq)
      JOIN agents a ON a.id = i.agent_id WHERE a.stored_seqs @> i.seq
      """)
  List<Key> alreadyStored(long[] agentIds, long[] seqs);

  /**
   * Adds runs of stored sequence numbers, {@code firsts[i]..lasts[i]}, to their agents. A run is
   * written half-open, {@code [first, last + 1)}, as PostgreSQL stores it; a run that ends at the
   * largest seq, 2^63-1, has no {@code last + 1} in bigint and is written unbounded above instead,
   * which holds exactly the same seqs ({@code int8range(first, last, '[]')} overflowed there).
   */
  @SqlUpdate(
      """
      UPDATE agents a SET stored_seqs = a.stored_seqs + r.seqs
      FROM (SELECT agent_id,
          range_agg(int8range(first, nullif(last, 9223372036854775807) + 1, '[)')) AS seqs
        FROM unnest(CAST(:agentIds AS bigint[]), CAST(:firsts AS bigint[]),
          CAST(:lasts AS bigint[])) AS i(agent_id, first, last)
        GROUP BY agent_id) r
      WHERE a.id = r.agent_id
      """)
  void settle(long[] agentIds, long[] firsts, long[] lasts);

  /**
   * The agents' rows, locked in id order after the computers': whoever commits first for an agent
   * has updated its {@code stored_seqs} before the next group commit reads it.
   */
  @SqlQuery("SELECT id FROM agents WHERE id = ANY(:ids) ORDER BY id FOR NO KEY UPDATE")
  List<Long> lockAgents(long[] ids);

  /** Row locks in id order, so that two writers never wait on each other in a cycle. */
  @SqlQuery("SELECT id FROM computers WHERE id = ANY(:ids) ORDER BY id FOR UPDATE")
  List<Long> lockComputers(long[] ids);

  /**
   * What the computers list shows: last report, newest observation, clock, drops, queue. Of the
   * queue, the newest report that carried one wins; reports without one leave it as it was.
   */
  @SqlUpdate(
      """
      UPDATE computers c SET
      last_seen_at = greatest(c.last_seen_at, timestamptz 'epoch' + u.seen_ms * interval '1 millisecond'),
      clock_offset_ms = coalesce(u.offset_ms, c.clock_offset_ms),
      agent_version = coalesce(u.agent_version, c.agent_version),
      queue_dropped_total = greatest(c.queue_dropped_total, u.dropped),
      queue_depth = CASE WHEN u.queue_reported_ms IS NOT NULL AND (c.queue_reported_at IS NULL
        OR timestamptz 'epoch' + u.queue_reported_ms * interval '1 millisecond'
        >= c.queue_reported_at) THEN u.queue_depth ELSE c.queue_depth END,
      queue_oldest_at = CASE WHEN u.queue_reported_ms IS NOT NULL AND (c.queue_reported_at
        IS NULL OR timestamptz 'epoch' + u.queue_reported_ms * interval '1 millisecond'
        >= c.queue_reported_at)
        THEN timestamptz 'epoch' + u.queue_oldest_ms * interval '1 millisecond'
        ELSE c.queue_oldest_at END,
      queue_reported_at = CASE WHEN u.queue_reported_ms IS NOT NULL AND (c.queue_reported_at
        IS NULL OR timestamptz 'epoch' + u.queue_reported_ms * interval '1 millisecond'
        >= c.queue_reported_at)
        THEN timestamptz 'epoch' + u.queue_reported_ms * interval '1 millisecond'
        ELSE c.queue_reported_at END,
      last_status = CASE WHEN u.observed_ms IS NOT NULL AND (c.last_observed_at IS NULL OR
        timestamptz 'epoch' + u.observed_ms * interval '1 millisecond' > c.last_observed_at)
        THEN u.status ELSE c.last_status END,
      last_reason = CASE WHEN u.observed_ms IS NOT NULL AND (c.last_observed_at IS NULL OR
        timestamptz 'epoch' + u.observed_ms * interval '1 millisecond' > c.last_observed_at)
        THEN u.reason ELSE c.last_reason END,
      last_observed_at = CASE WHEN u.observed_ms IS NOT NULL AND (c.last_observed_at IS NULL OR
        timestamptz 'epoch' + u.observed_ms * interval '1 millisecond' > c.last_observed_at)
        THEN timestamptz 'epoch' + u.observed_ms * interval '1 millisecond'
        ELSE c.last_observed_at END
      FROM unnest(CAST(:ids AS bigint[]), CAST(:seenMs AS bigint[]), CAST(:offsets AS bigint[]),
        CAST(:dropped AS bigint[]), CAST(:observedMs AS bigint[]), CAST(:statuses AS text[]),
        CAST(:reasons AS text[]), CAST(:versions AS text[]), CAST(:queueDepths AS bigint[]),
        CAST(:queueOldestMs AS bigint[]), CAST(:queueReportedMs AS bigint[]))
        AS u(id, seen_ms, offset_ms, dropped, observed_ms, status, reason, agent_version,
        queue_depth, queue_oldest_ms, queue_reported_ms)
      WHERE c.id = u.id
      """)
  void updateComputers(
      long[] ids,
      long[] seenMs,
      Long[] offsets,
      long[] dropped,
      Long[] observedMs,
      String[] statuses,
      String[] reasons,
      String[] versions,
      Long[] queueDepths,
      Long[] queueOldestMs,
      Long[] queueReportedMs);

  @SqlQuery("SELECT 1 FROM enlace_ensure_observation_partition(CAST(:month AS date))")
  int ensurePartition(LocalDate month);

  /** The day's partition of observation_details (UTC days, as the monthly ones). */
  @SqlQuery("SELECT 1 FROM enlace_ensure_observation_detail_partition(CAST(:day AS date))")
  int ensureDetailPartition(LocalDate day);
}
