package org.enlace.server.snmp;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** What polling writes: samples, link state, status changes, failures, link-day minutes. */
@RegisterConstructorMapper(SnmpDao.LinkStateRow.class)
public interface SnmpDao {
  record LinkStateRow(
      long linkId,
      Instant polledAt,
      long sysUptime,
      int ifIndex,
      int counterBits,
      BigDecimal inOctets,
      BigDecimal outOctets,
      int operStatus,
      BigDecimal inTotal,
      BigDecimal outTotal,
      String status) {}

  /** The stored state of links, with the last status change's status (null: never known). */
  @SqlQuery(
      """
      SELECT s.link_id, s.polled_at, s.sys_uptime, s.if_index, s.counter_bits,
      s.in_octets, s.out_octets, s.oper_status, s.in_total, s.out_total,
      (SELECT c.status FROM link_status_changes c WHERE c.link_id = s.link_id
        ORDER BY c.at DESC LIMIT 1) AS status
      FROM snmp_link_state s WHERE s.link_id = ANY(:linkIds)
      """)
  List<LinkStateRow> linkStates(long[] linkIds);

  /**
   * As {@link #linkStates}, the rows locked until the transaction ends, in link order (so that two
   * replicas writing the same links wait for each other rather than deadlock).
   */
  @SqlQuery(
      """
      SELECT s.link_id, s.polled_at, s.sys_uptime, s.if_index, s.counter_bits,
      s.in_octets, s.out_octets, s.oper_status, s.in_total, s.out_total,
      (SELECT c.status FROM link_status_changes c WHERE c.link_id = s.link_id
        ORDER BY c.at DESC LIMIT 1) AS status
      FROM snmp_link_state s WHERE s.link_id = ANY(:linkIds) ORDER BY s.link_id FOR UPDATE
      """)
  List<LinkStateRow> linkStatesForUpdate(long[] linkIds);

  @SqlQuery("SELECT 1 FROM enlace_ensure_link_samples_partition(CAST(:month AS date))")
  List<Integer> ensurePartition(LocalDate month);

  @SqlUpdate(
      """
      INSERT INTO link_samples (link_id, establishment_id, started_at, ended_at, in_bps,
      out_bps, in_pct, out_pct, counter_bits, gap)
      SELECT u.link_id, u.establishment_id, u.started_at, u.ended_at, u.in_bps, u.out_bps,
             u.in_pct, u.out_pct, u.counter_bits, u.gap
      FROM unnest(CAST(:linkIds AS bigint[]), CAST(:establishmentIds AS bigint[]),
       CAST(:startedAt AS timestamptz[]), CAST(:endedAt AS timestamptz[]),
       CAST(:inBps AS double precision[]), CAST(:outBps AS double precision[]),
       CAST(:inPct AS double precision[]), CAST(:outPct AS double precision[]),
       CAST(:bits AS smallint[]), CAST(:gaps AS text[]))
       AS u(link_id, establishment_id, started_at, ended_at, in_bps, out_bps, in_pct,
            out_pct, counter_bits, gap)
      ON CONFLICT (link_id, ended_at) DO NOTHING
      """)
  void insertSamples(
      long[] linkIds,
      long[] establishmentIds,
      String[] startedAt,
      String[] endedAt,
      Double[] inBps,
      Double[] outBps,
      Double[] inPct,
      Double[] outPct,
      int[] bits,
      String[] gaps);

  @SqlUpdate(
      """
      INSERT INTO snmp_link_state AS s (link_id, polled_at, sys_uptime, if_index,
      counter_bits, in_octets, out_octets, oper_status, in_total, out_total)
      SELECT u.link_id, u.polled_at, u.sys_uptime, u.if_index, u.counter_bits,
             u.in_octets, u.out_octets, u.oper_status, u.in_total, u.out_total
      FROM unnest(CAST(:linkIds AS bigint[]), CAST(:polledAt AS timestamptz[]),
       CAST(:uptime AS bigint[]), CAST(:ifIndex AS integer[]), CAST(:bits AS smallint[]),
       CAST(:inOctets AS numeric[]), CAST(:outOctets AS numeric[]),
       CAST(:oper AS smallint[]), CAST(:inTotal AS numeric[]), CAST(:outTotal AS numeric[]))
       AS u(link_id, polled_at, sys_uptime, if_index, counter_bits, in_octets,
            out_octets, oper_status, in_total, out_total)
      ON CONFLICT (link_id) DO UPDATE SET polled_at = EXCLUDED.polled_at,
       sys_uptime = EXCLUDED.sys_uptime, if_index = EXCLUDED.if_index,
       counter_bits = EXCLUDED.counter_bits, in_octets = EXCLUDED.in_octets,
       out_octets = EXCLUDED.out_octets, oper_status = EXCLUDED.oper_status,
       in_total = EXCLUDED.in_total, out_total = EXCLUDED.out_total
      WHERE s.polled_at < EXCLUDED.polled_at
      """)
  void upsertLinkStates(
      long[] linkIds,
      String[] polledAt,
      long[] uptime,
      int[] ifIndex,
      int[] bits,
      String[] inOctets,
      String[] outOctets,
      int[] oper,
      String[] inTotal,
      String[] outTotal);

  @SqlUpdate(
      """
      INSERT INTO link_status_changes (link_id, establishment_id, at, status,
      if_oper_status, source)
      SELECT u.link_id, u.establishment_id, u.at, u.status, u.if_oper_status, u.source
      FROM unnest(CAST(:linkIds AS bigint[]), CAST(:establishmentIds AS bigint[]),
       CAST(:at AS timestamptz[]), CAST(:status AS text[]), CAST(:oper AS smallint[]),
       CAST(:source AS text[])) AS u(link_id, establishment_id, at, status, if_oper_status, source)
      ON CONFLICT (link_id, at) DO NOTHING
      """)
  void insertStatusChanges(
      long[] linkIds,
      long[] establishmentIds,
      String[] at,
      String[] status,
      int[] oper,
      String[] source);

  @SqlUpdate(
      """
      INSERT INTO snmp_poll_failures (device_id, establishment_id, at, reason, detail)
      SELECT u.device_id, u.establishment_id, u.at, u.reason, u.detail
      FROM unnest(CAST(:deviceIds AS bigint[]), CAST(:establishmentIds AS bigint[]),
       CAST(:at AS timestamptz[]), CAST(:reasons AS text[]), CAST(:details AS text[]))
       AS u(device_id, establishment_id, at, reason, detail)
      """)
  void insertFailures(
      long[] deviceIds, long[] establishmentIds, String[] at, String[] reasons, String[] details);

  /** Devices deleted meanwhile are skipped (their state would violate the foreign key). */
  @SqlUpdate(
      """
      INSERT INTO snmp_device_state AS s (device_id, last_poll_at, last_success_at,
      last_failure, last_failure_at, sys_uptime)
      SELECT u.device_id, u.last_poll_at, u.last_success_at, u.last_failure,
             u.last_failure_at, u.sys_uptime
      FROM unnest(CAST(:deviceIds AS bigint[]), CAST(:pollAt AS timestamptz[]),
       CAST(:successAt AS timestamptz[]), CAST(:failure AS text[]),
       CAST(:failureAt AS timestamptz[]), CAST(:uptime AS bigint[]))
       AS u(device_id, last_poll_at, last_success_at, last_failure, last_failure_at,
            sys_uptime)
      JOIN network_devices d ON d.id = u.device_id
      ON CONFLICT (device_id) DO UPDATE SET last_poll_at = EXCLUDED.last_poll_at,
       last_success_at = coalesce(EXCLUDED.last_success_at, s.last_success_at),
       last_failure = coalesce(EXCLUDED.last_failure, s.last_failure),
       last_failure_at = coalesce(EXCLUDED.last_failure_at, s.last_failure_at),
       sys_uptime = coalesce(EXCLUDED.sys_uptime, s.sys_uptime)
      """)
  void upsertDeviceStates(
      long[] deviceIds,
      String[] pollAt,
      String[] successAt,
      String[] failure,
      String[] failureAt,
      Long[] uptime);

  @SqlUpdate(
      """
      UPDATE device_links SET resolved_if_index = u.i FROM
      unnest(CAST(:linkIds AS bigint[]), CAST(:ifIndex AS integer[])) AS u(l, i)
      WHERE link_id = u.l
      """)
  void updateResolved(long[] linkIds, int[] ifIndex);

  /** ORs the minutes into each link-day, as computer_days does for the agents. */
  @SqlUpdate(
      """
      INSERT INTO link_days AS d (link_id, day, establishment_id, day_minutes, up_bits,
      down_bits)
      SELECT u.l, u.d, u.e, u.n, CAST(u.up AS varbit), CAST(u.down AS varbit)
      FROM unnest(CAST(:linkIds AS bigint[]), CAST(:days AS date[]),
       CAST(:establishmentIds AS bigint[]), CAST(:dayMinutes AS integer[]),
       CAST(:up AS text[]), CAST(:down AS text[])) AS u(l, d, e, n, up, down)
      ON CONFLICT (link_id, day) DO UPDATE SET up_bits = d.up_bits | EXCLUDED.up_bits,
       down_bits = d.down_bits | EXCLUDED.down_bits
      """)
  void mergeLinkDays(
      long[] linkIds,
      String[] days,
      long[] establishmentIds,
      int[] dayMinutes,
      String[] up,
      String[] down);

  @SqlUpdate("DELETE FROM snmp_poll_failures WHERE at < :cutoff")
  int deleteFailuresBefore(Instant cutoff);

  @SqlQuery("SELECT enlace_drop_link_samples_before(:cutoff)")
  int dropSamplesBefore(LocalDate cutoff);
}
