package org.enlace.server.metrics;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.QueryTimeOut;
import org.jdbi.v3.sqlobject.statement.SqlQuery;

/**
 * The fleet's state, aggregated in the database: one row per establishment, per ISP link, per agent
 * version and per sector, never one per computer.
 */
@RegisterConstructorMapper(FleetMetricsDao.EstablishmentRow.class)
@RegisterConstructorMapper(FleetMetricsDao.LinkRow.class)
@RegisterConstructorMapper(FleetMetricsDao.VersionRow.class)
@RegisterConstructorMapper(FleetMetricsDao.BaselineRow.class)
@RegisterConstructorMapper(FleetMetricsDao.DeclaredRow.class)
public interface FleetMetricsDao {

  /**
   * One establishment now. Computers are the active (not decommissioned) ones; "reporting" ones
   * made an observation since {@code reportingSince}; lifecycle as in the computers API (from the
   * last report received, or the enrollment). The queue figures come from the computers whose
   * latest report with a {@code queue} was received since {@code reportingSince}: null when none.
   */
  record EstablishmentRow(
      long id,
      String code,
      String sector,
      String kind,
      Double latitude,
      Double longitude,
      String openingHours,
      long enrolled,
      long reporting,
      long online,
      long limited,
      long offline,
      long live,
      long atRisk,
      long dropped,
      Instant lastReport,
      Long clockOffsetMaxMs,
      Double backlogMaxSeconds,
      Long queueMax,
      Double queueOldestMaxSeconds,
      long droppedObservations,
      long monthConnected,
      long monthUpMinutes,
      long monthOutageMinutes) {}

  // queue_max and queue_oldest_max_seconds: the queues the agents reported (protocol v1 queue)
  // within the reporting window.
  @SqlQuery(
      """
      SELECT e.id, e.code, e.sector, e.kind, e.latitude, e.longitude,
      CAST(e.opening_hours AS text) AS opening_hours,
      coalesce(c.enrolled, 0) AS enrolled, coalesce(c.reporting, 0) AS reporting,
      coalesce(c.online, 0) AS online, coalesce(c.limited, 0) AS limited,
      coalesce(c.offline, 0) AS offline, coalesce(c.live, 0) AS live,
      coalesce(c.at_risk, 0) AS at_risk, coalesce(c.dropped, 0) AS dropped,
      c.last_report, c.clock_offset_max_ms, c.backlog_max_seconds,
      c.queue_max, c.queue_oldest_max_seconds,
      coalesce(c.dropped_observations, 0) AS dropped_observations,
      coalesce(m.connected, 0) AS month_connected,
      coalesce(d.up_minutes, 0) AS month_up_minutes,
      coalesce(d.outage_minutes, 0) AS month_outage_minutes
      FROM establishments e
      LEFT JOIN (
        SELECT establishment_id, count(*) AS enrolled,
         count(*) FILTER (WHERE last_observed_at >= :reportingSince) AS reporting,
         count(*) FILTER (WHERE last_observed_at >= :reportingSince
           AND last_status = 'online') AS online,
         count(*) FILTER (WHERE last_observed_at >= :reportingSince
           AND last_status = 'limited') AS limited,
         count(*) FILTER (WHERE last_observed_at >= :reportingSince
           AND last_status = 'offline') AS offline,
         count(*) FILTER (WHERE coalesce(last_seen_at, enrolled_at) > :liveSince) AS live,
         count(*) FILTER (WHERE coalesce(last_seen_at, enrolled_at) <= :liveSince
           AND coalesce(last_seen_at, enrolled_at) > :droppedSince) AS at_risk,
         count(*) FILTER (WHERE coalesce(last_seen_at, enrolled_at) <= :droppedSince)
           AS dropped,
         max(coalesce(last_seen_at, enrolled_at)) AS last_report,
         max(abs(clock_offset_ms)) FILTER (WHERE coalesce(last_seen_at, enrolled_at)
           > :liveSince) AS clock_offset_max_ms,
         CAST(max(extract(epoch FROM last_seen_at - last_observed_at))
           FILTER (WHERE last_seen_at >= :reportingSince) AS double precision)
           AS backlog_max_seconds,
         max(queue_depth) FILTER (WHERE queue_reported_at >= :reportingSince) AS queue_max,
         CAST(max(CASE WHEN queue_depth = 0 THEN 0
           ELSE extract(epoch FROM queue_reported_at - queue_oldest_at) END)
           FILTER (WHERE queue_reported_at >= :reportingSince) AS double precision)
           AS queue_oldest_max_seconds,
         sum(queue_dropped_total) AS dropped_observations
        FROM computers WHERE state = 'active' GROUP BY establishment_id
      ) c ON c.establishment_id = e.id
      LEFT JOIN (
        SELECT establishment_id,
         count(*) FILTER (WHERE online_days >= :minOnlineDays) AS connected
        FROM computer_months WHERE month = :monthStart GROUP BY establishment_id
      ) m ON m.establishment_id = e.id
      LEFT JOIN (
        SELECT establishment_id, sum(up_open_minutes) AS up_minutes,
         sum(outage_open_minutes) AS outage_minutes
        FROM establishment_days WHERE day >= :monthStart AND day < :nextMonth
        GROUP BY establishment_id
      ) d ON d.establishment_id = e.id
      ORDER BY e.id
      """)
  List<EstablishmentRow> establishments(
      Instant reportingSince,
      Instant liveSince,
      Instant droppedSince,
      LocalDate monthStart,
      LocalDate nextMonth,
      int minOnlineDays);

  /**
   * One ISP link in force today, with its newest successful speed test per direction and how many
   * of the newest (up to 20) were in a row under 80 % of the contracted rate. Paired M-Lab tests
   * are left out, as in the evidence reports.
   */
  record LinkRow(
      long id,
      String establishment,
      double contractedDownMbps,
      double contractedUpMbps,
      Double lastDownMbps,
      Double lastUpMbps,
      Instant lastTestAt,
      long downUnderStreak,
      long upUnderStreak) {}

  @SqlQuery(
      """
      SELECT l.id, e.code AS establishment,
      CAST(l.contracted_down_mbps AS double precision) AS contracted_down_mbps,
      CAST(l.contracted_up_mbps AS double precision) AS contracted_up_mbps,
      dn.last_mbps AS last_down_mbps, up.last_mbps AS last_up_mbps,
      greatest(dn.last_at, up.last_at) AS last_test_at,
      dn.streak AS down_under_streak, up.streak AS up_under_streak
      FROM isp_links l JOIN establishments e ON e.id = l.establishment_id
      CROSS JOIN LATERAL (
        SELECT (array_agg(r.mbps ORDER BY r.rn))[1] AS last_mbps,
         max(r.measured_at) AS last_at,
         coalesce(min(r.rn) FILTER (WHERE r.mbps >= 0.8 * l.contracted_down_mbps) - 1,
           count(*)) AS streak
        FROM (SELECT s.down_mbps AS mbps, s.measured_at,
                row_number() OVER (ORDER BY s.measured_at DESC, s.seq DESC) AS rn
              FROM speed_tests s WHERE s.link_id = l.id AND s.method <> 'ndt7-mlab'
               AND s.down_mbps IS NOT NULL
              ORDER BY s.measured_at DESC, s.seq DESC LIMIT 20) r
      ) dn
      CROSS JOIN LATERAL (
        SELECT (array_agg(r.mbps ORDER BY r.rn))[1] AS last_mbps,
         max(r.measured_at) AS last_at,
         coalesce(min(r.rn) FILTER (WHERE r.mbps >= 0.8 * l.contracted_up_mbps) - 1,
           count(*)) AS streak
        FROM (SELECT s.up_mbps AS mbps, s.measured_at,
                row_number() OVER (ORDER BY s.measured_at DESC, s.seq DESC) AS rn
              FROM speed_tests s WHERE s.link_id = l.id AND s.method <> 'ndt7-mlab'
               AND s.up_mbps IS NOT NULL
              ORDER BY s.measured_at DESC, s.seq DESC LIMIT 20) r
      ) up
      WHERE (l.contract_start IS NULL OR l.contract_start <= :today)
       AND (l.contract_end IS NULL OR l.contract_end >= :today)
      ORDER BY l.id
      """)
  List<LinkRow> links(LocalDate today);

  /** Live, active computers per agent version, the most common first. */
  record VersionRow(String version, long computers) {}

  @SqlQuery(
      """
      SELECT agent_version AS version, count(*) AS computers FROM computers
      WHERE state = 'active' AND coalesce(last_seen_at, enrolled_at) > :liveSince
      GROUP BY agent_version ORDER BY count(*) DESC, agent_version
      """)
  List<VersionRow> versions(Instant liveSince);

  /** The baseline in force (the newest), as the indicators use it. */
  record BaselineRow(
      long administrationComputers,
      long administrationEstablishments,
      long citizensComputers,
      long citizensEstablishments,
      double targetIncreasePct) {}

  @SqlQuery(
      """
      SELECT administration_computers, administration_establishments, citizens_computers,
      citizens_establishments, CAST(target_increase_pct AS double precision)
      AS target_increase_pct FROM indicator_baselines ORDER BY id DESC LIMIT 1
      """)
  Optional<BaselineRow> baseline();

  /** Declarations in force in the month [monthStart, nextMonth), per sector. */
  record DeclaredRow(String sector, long computers, long establishments) {}

  @SqlQuery(
      """
      SELECT sector, coalesce(sum(computers), 0) AS computers,
      coalesce(sum(establishments), 0) AS establishments FROM declared_counts
      WHERE withdrawn_at IS NULL AND valid_from < :nextMonth
       AND (valid_to IS NULL OR valid_to >= :monthStart) GROUP BY sector
      """)
  List<DeclaredRow> declared(LocalDate monthStart, LocalDate nextMonth);

  /** Whether the database answers at all (apart from whether the queries above work). */
  @SqlQuery("SELECT 1")
  @QueryTimeOut(5)
  int ping();
}
