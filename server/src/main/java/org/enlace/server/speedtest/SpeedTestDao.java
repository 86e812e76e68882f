package org.enlace.server.speedtest;

import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * Rows of speed_tests: the results agents report inside their observations, written in the
 * transaction that stores those observations, with the agent's raw result ({@code raw}).
 */
public interface SpeedTestDao {
  @SqlUpdate(
      """
      INSERT INTO speed_tests (establishment_id, computer_id, agent_id, seq, link_id,
      measured_at, method, down_mbps, up_mbps, latency_ms, test_id, latency_loaded_ms, error, raw)
      SELECT u.e, u.c, u.a, u.s, coalesce(
       (SELECT sl.link_id FROM speedtest_slots sl WHERE sl.id = u.test_id),
       (SELECT min(l.id) FROM isp_links l WHERE l.establishment_id = u.e
         AND (l.contract_start IS NULL OR l.contract_start <= u.t)
         AND (l.contract_end IS NULL OR l.contract_end >= u.t) HAVING count(*) = 1)),
       timestamptz 'epoch' + u.t_ms * interval '1 millisecond', u.m, u.d, u.up, u.l,
       u.test_id, u.ll, u.err, CAST(u.raw AS json)
      FROM unnest(CAST(:establishmentIds AS bigint[]), CAST(:computerIds AS bigint[]),
       CAST(:agentIds AS bigint[]), CAST(:seqs AS bigint[]), CAST(:measuredMs AS bigint[]),
       CAST(:days AS date[]), CAST(:methods AS text[]), CAST(:down AS double precision[]),
       CAST(:up AS double precision[]), CAST(:latency AS double precision[]),
       CAST(:testIds AS uuid[]), CAST(:latencyLoaded AS double precision[]),
       CAST(:errors AS text[]), CAST(:raws AS text[]))
       AS u(e, c, a, s, t_ms, t, m, d, up, l, test_id, ll, err, raw)
      ON CONFLICT (agent_id, seq) DO NOTHING
      """)
  void insertSpeedTests(
      long[] establishmentIds,
      long[] computerIds,
      long[] agentIds,
      long[] seqs,
      long[] measuredMs,
      String[] days,
      String[] methods,
      Double[] down,
      Double[] up,
      Double[] latency,
      String[] testIds,
      Double[] latencyLoaded,
      String[] errors,
      String[] raws);
}
