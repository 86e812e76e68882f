package org.enlace.server.evidence;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jspecify.annotations.Nullable;

/** What an evidence report reads: rollups, outages, speed tests and the inventory behind them. */
@RegisterConstructorMapper(EvidenceDao.Place.class)
@RegisterConstructorMapper(EvidenceDao.DayTotals.class)
@RegisterConstructorMapper(EvidenceDao.OutageSegment.class)
@RegisterConstructorMapper(EvidenceDao.Link.class)
@RegisterConstructorMapper(EvidenceDao.Test.class)
@RegisterConstructorMapper(EvidenceDao.Count.class)
@RegisterConstructorMapper(EvidenceDao.Histogram.class)
@RegisterConstructorMapper(EvidenceDao.Since.class)
@RegisterConstructorMapper(EvidenceDao.UtilizationRow.class)
@RegisterConstructorMapper(EvidenceDao.UtilizationTotals.class)
@RegisterConstructorMapper(EvidenceDao.PeakHourRow.class)
@RegisterConstructorMapper(EvidenceDao.EdgeDay.class)
@RegisterConstructorMapper(EvidenceDao.CounterComputer.class)
@RegisterConstructorMapper(EvidenceDao.ComputerDayBits.class)
@RegisterConstructorMapper(EvidenceDao.ComputerTotals.class)
public interface EvidenceDao {
  record Place(
      long id,
      String code,
      String name,
      String kind,
      String sector,
      String openingHours,
      Instant createdAt) {}

  @SqlQuery(
      """
      SELECT id, code, name, kind, sector, CAST(opening_hours AS text) AS opening_hours,
      created_at FROM establishments WHERE (CAST(:code AS text) IS NULL OR code = :code)
      ORDER BY sector, code
      """)
  List<Place> places(@Nullable String code); // null: every establishment

  /** A figure per establishment. */
  record Count(long establishmentId, long value) {}

  record DayTotals(
      long establishmentId,
      long observedOpenMinutes,
      long upOpenMinutes,
      long outageOpenMinutes,
      long gapPcsOffOpen,
      long gapLinkDownOpen) {}

  // Every query below covers all the report's establishments at once: a municipality report
  // asks each of them once, not once per establishment.

  @SqlQuery(
      """
      SELECT establishment_id, sum(observed_open_minutes) AS observed_open_minutes,
      sum(up_open_minutes) AS up_open_minutes, sum(outage_open_minutes) AS outage_open_minutes,
      sum(gap_pcs_off_open) AS gap_pcs_off_open, sum(gap_link_down_open) AS gap_link_down_open
      FROM establishment_days WHERE establishment_id = ANY(:ids) AND day BETWEEN :from AND :to
      GROUP BY establishment_id
      """)
  List<DayTotals> totals(long[] ids, LocalDate from, LocalDate to);

  record Histogram(long establishmentId, String latencyHist) {}

  /**
   * The days' latency histograms, one row per establishment-day: the caller sums them bucket by
   * bucket (unnesting them in SQL took 0.35 s for 300 establishments' month, Java 0.01 s).
   */
  @SqlQuery(
      """
      SELECT establishment_id, CAST(latency_hist AS text) AS latency_hist
      FROM establishment_days WHERE establishment_id = ANY(:ids) AND day BETWEEN :from AND :to
      """)
  List<Histogram> latencyDays(long[] ids, LocalDate from, LocalDate to);

  record Since(long establishmentId, Instant at) {}

  /**
   * The first moment anything could report for each establishment, an agent enrolled or a router
   * registered for polling: nothing is expected before.
   */
  @SqlQuery(
      """
      SELECT establishment_id, min(at) AS at FROM (
      SELECT establishment_id, enrolled_at AS at FROM agents
       WHERE establishment_id = ANY(:ids)
      UNION ALL SELECT establishment_id, created_at FROM network_devices
       WHERE establishment_id = ANY(:ids)) s GROUP BY establishment_id
      """)
  List<Since> firstEnrollments(long[] ids);

  record OutageSegment(
      long establishmentId,
      Instant startedAt,
      Instant endedAt,
      int durationMinutes,
      int openMinutes,
      int computers,
      String cause) {}

  @SqlQuery(
      """
      SELECT establishment_id, started_at, ended_at, duration_minutes, open_minutes,
      computers, cause FROM outages WHERE establishment_id = ANY(:ids)
      AND started_at < :to AND ended_at > :from ORDER BY establishment_id, started_at
      """)
  List<OutageSegment> outages(long[] ids, Instant from, Instant to);

  /**
   * Computers enrolled before the period's end and not decommissioned before its second day's
   * start: a decommissioned computer counts for the days before its decommission date only, so one
   * decommissioned on the period's first day has no day in it.
   */
  @SqlQuery(
      """
      SELECT establishment_id, count(*) AS value FROM computers
      WHERE establishment_id = ANY(:ids) AND enrolled_at < :to
      AND (decommissioned_at IS NULL OR decommissioned_at >= :secondDay)
      GROUP BY establishment_id
      """)
  List<Count> computersEnrolled(long[] ids, Instant secondDay, Instant to);

  @SqlQuery(
      """
      SELECT establishment_id, count(*) AS value FROM (SELECT establishment_id, computer_id
        FROM computer_months WHERE establishment_id = ANY(:ids) AND month >= :fromMonth
        AND month <= :toMonth GROUP BY establishment_id, computer_id
        HAVING sum(online_days) >= :minDays) c GROUP BY establishment_id
      """)
  List<Count> computersConnected(long[] ids, LocalDate fromMonth, LocalDate toMonth, int minDays);

  @SqlQuery(
      """
      SELECT establishment_id, sum(observations) AS value FROM establishment_days
      WHERE establishment_id = ANY(:ids) AND day BETWEEN :from AND :to
      GROUP BY establishment_id
      """)
  List<Count> observations(long[] ids, LocalDate from, LocalDate to);

  record Link(
      long id,
      long establishmentId,
      String ispName,
      String technology,
      BigDecimal contractedDownMbps,
      BigDecimal contractedUpMbps,
      Optional<BigDecimal> monthlyCost,
      String currency) {}

  @SqlQuery(
      """
      SELECT id, establishment_id, isp_name, technology, contracted_down_mbps,
      contracted_up_mbps, monthly_cost, currency FROM isp_links
      WHERE establishment_id = ANY(:ids) ORDER BY establishment_id, id
      """)
  List<Link> links(long[] ids);

  @SqlQuery(
      """
      SELECT id, establishment_id, isp_name, technology, contracted_down_mbps,
      contracted_up_mbps, monthly_cost, currency FROM isp_links WHERE id = :id
      """)
  Optional<Link> link(long id);

  record Test(long linkId, Optional<Double> downMbps, Optional<Double> upMbps) {}

  /** Tests against Enlace's own server; a paired M-Lab test includes transit, not only the ISP. */
  @SqlQuery(
      """
      SELECT link_id, down_mbps, up_mbps FROM speed_tests WHERE link_id = ANY(:linkIds)
      AND measured_at >= :from AND measured_at < :to AND method <> 'ndt7-mlab'
      """)
  List<Test> speedTests(long[] linkIds, Instant from, Instant to);

  record UtilizationRow(
      long linkId, double p95InPct, double p95OutPct, double p95InBps, double p95OutBps) {}

  /** 95th percentile (nearest rank) of 5-minute averages of the trusted samples. */
  @SqlQuery(
      """
      WITH b AS (SELECT link_id, floor(extract(epoch FROM ended_at) / 300) AS bucket,
        avg(in_pct) AS in_pct, avg(out_pct) AS out_pct, avg(in_bps) AS in_bps,
        avg(out_bps) AS out_bps FROM link_samples WHERE link_id = ANY(:linkIds)
        AND ended_at > :from AND ended_at <= :to AND gap IS NULL GROUP BY 1, 2)
      SELECT link_id, percentile_disc(0.95) WITHIN GROUP (ORDER BY in_pct) AS p95_in_pct,
      percentile_disc(0.95) WITHIN GROUP (ORDER BY out_pct) AS p95_out_pct,
      percentile_disc(0.95) WITHIN GROUP (ORDER BY in_bps) AS p95_in_bps,
      percentile_disc(0.95) WITHIN GROUP (ORDER BY out_bps) AS p95_out_bps
      FROM b GROUP BY link_id
      """)
  List<UtilizationRow> utilization(long[] linkIds, Instant from, Instant to);

  record UtilizationTotals(long linkId, long samples, long minutesAbove80, long gapMinutes) {}

  @SqlQuery(
      """
      SELECT link_id, count(*) FILTER (WHERE gap IS NULL) AS samples,
      CAST(round(coalesce(sum(extract(epoch FROM ended_at - started_at) / 60)
        FILTER (WHERE greatest(in_pct, out_pct) > 80), 0)) AS bigint) AS minutes_above80,
      CAST(round(coalesce(sum(extract(epoch FROM ended_at - started_at) / 60)
        FILTER (WHERE gap IS NOT NULL), 0)) AS bigint) AS gap_minutes
      FROM link_samples WHERE link_id = ANY(:linkIds) AND ended_at > :from
      AND ended_at <= :to GROUP BY link_id
      """)
  List<UtilizationTotals> utilizationTotals(long[] linkIds, Instant from, Instant to);

  record PeakHourRow(long linkId, int hour, double meanInPct, double meanOutPct) {}

  /** The three local hours with the highest mean use per link, busiest first. */
  @SqlQuery(
      """
      SELECT link_id, hour, mean_in_pct, mean_out_pct FROM (
      SELECT link_id, hour, avg(in_pct) AS mean_in_pct, avg(out_pct) AS mean_out_pct,
       row_number() OVER (PARTITION BY link_id
        ORDER BY avg(greatest(in_pct, out_pct)) DESC, hour) AS rank
      FROM (SELECT link_id, in_pct, out_pct,
        CAST(extract(hour FROM ended_at AT TIME ZONE :zone) AS integer) AS hour
        FROM link_samples WHERE link_id = ANY(:linkIds) AND ended_at > :from
        AND ended_at <= :to AND gap IS NULL) s GROUP BY link_id, hour) x
      WHERE rank <= 3 ORDER BY link_id, rank
      """)
  List<PeakHourRow> peakHours(long[] linkIds, Instant from, Instant to, String zone);

  /** A stored establishment-day, with its minute bits, to recount inside an expected window. */
  record EdgeDay(
      long establishmentId,
      LocalDate day,
      long observedOpenMinutes,
      long upOpenMinutes,
      long outageOpenMinutes,
      long gapPcsOffOpen,
      long gapLinkDownOpen,
      String observedBits,
      String outageBits) {}

  /**
   * The stored days of each establishment that its expected window does not cover whole: on or
   * before its window's first day ({@code startDays}, parallel to {@code ids}), or on or after the
   * window's last day ({@code endDay}).
   */
  @SqlQuery(
      """
      SELECT d.establishment_id, d.day, d.observed_open_minutes, d.up_open_minutes,
      d.outage_open_minutes, d.gap_pcs_off_open, d.gap_link_down_open,
      CAST(d.observed_bits AS text) AS observed_bits, CAST(d.outage_bits AS text) AS outage_bits
      FROM establishment_days d
      JOIN unnest(CAST(:ids AS bigint[]), CAST(:startDays AS date[])) AS w(id, start_day)
        ON w.id = d.establishment_id
      WHERE d.day BETWEEN :from AND :to AND (d.day <= w.start_day OR d.day >= :endDay)
      """)
  List<EdgeDay> edgeDays(
      long[] ids, String[] startDays, LocalDate from, LocalDate to, LocalDate endDay);

  /**
   * How far each establishment's data is known to reach: the oldest newest-observation among its
   * active computers that still report (seen in the last 21 days, as the agent lifecycle's "live").
   * Agents send oldest first, so a computer's data up to its newest observation is in.
   */
  @SqlQuery(
      """
      SELECT establishment_id, min(coalesce(last_observed_at, enrolled_at)) AS at
      FROM computers WHERE establishment_id = ANY(:ids) AND state = 'active'
      AND coalesce(last_seen_at, enrolled_at) > :liveSince GROUP BY establishment_id
      """)
  List<Since> dataKnownUntil(long[] ids, Instant liveSince);

  record CounterComputer(
      long id,
      long establishmentId,
      String hostname,
      Instant enrolledAt,
      Optional<Instant> decommissionedAt) {}

  /** The computers that count in [from, to) (see computersEnrolled), oldest first. */
  @SqlQuery(
      """
      SELECT id, establishment_id, hostname, enrolled_at, decommissioned_at FROM computers
      WHERE establishment_id = ANY(:ids) AND enrolled_at < :to
      AND (decommissioned_at IS NULL OR decommissioned_at >= :secondDay) ORDER BY id
      """)
  List<CounterComputer> countedComputers(long[] ids, Instant secondDay, Instant to);

  @SqlQuery(
      """
      SELECT id, establishment_id, hostname, enrolled_at, decommissioned_at FROM computers
      WHERE id = :id
      """)
  Optional<CounterComputer> counterComputer(long id);

  record ComputerTotals(long computerId, long online, long limited, long offline) {}

  /** Minutes after the hold per computer, every day of the months [fromMonth, toMonth]. */
  @SqlQuery(
      """
      SELECT computer_id, sum(minutes_online) AS online, sum(minutes_limited) AS limited,
      sum(minutes_offline) AS offline FROM computer_month_minutes
      WHERE month BETWEEN :fromMonth AND :toMonth AND computer_id = ANY(:ids)
      GROUP BY computer_id
      """)
  List<ComputerTotals> monthTotals(long[] ids, LocalDate fromMonth, LocalDate toMonth);

  /**
   * The same over each range of days [froms, tos] (parallel arrays; a computer may have several
   * ranges, one row each). One index lookup per range: the ranges are the few days outside the
   * computers' windows, which a join over the whole table would not notice.
   */
  @SqlQuery(
      """
      SELECT w.id AS computer_id, s.online, s.limited, s.offline
      FROM unnest(CAST(:ids AS bigint[]), CAST(:froms AS date[]), CAST(:tos AS date[]))
        AS w(id, first_day, last_day),
      LATERAL (SELECT coalesce(sum(m.minutes_online), 0) AS online,
        coalesce(sum(m.minutes_limited), 0) AS limited,
        coalesce(sum(m.minutes_offline), 0) AS offline FROM computer_day_minutes m
        WHERE m.computer_id = w.id AND m.day BETWEEN w.first_day AND w.last_day) s
      """)
  List<ComputerTotals> rangeTotals(long[] ids, String[] froms, String[] tos);

  record ComputerDayBits(
      long computerId, LocalDate day, String online, String limited, String offline) {}

  /** The stored minute bits of the given computer-days (parallel arrays). */
  @SqlQuery(
      """
      SELECT c.computer_id, c.day, CAST(c.online_bits AS text) AS online,
      CAST(c.limited_bits AS text) AS limited, CAST(c.offline_bits AS text) AS offline
      FROM computer_days c JOIN unnest(CAST(:ids AS bigint[]), CAST(:days AS date[]))
        AS w(id, day) ON w.id = c.computer_id AND w.day = c.day
      """)
  List<ComputerDayBits> computerDayBits(long[] ids, String[] days);
}
