package org.enlace.server.evidence;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.statement.SqlQuery;

/** What an evidence report reads: rollups, outages, speed tests and the inventory behind them. */
@RegisterConstructorMapper(EvidenceDao.Place.class)
@RegisterConstructorMapper(EvidenceDao.DayTotals.class)
@RegisterConstructorMapper(EvidenceDao.OutageSegment.class)
@RegisterConstructorMapper(EvidenceDao.Link.class)
@RegisterConstructorMapper(EvidenceDao.Test.class)
@RegisterConstructorMapper(EvidenceDao.Count.class)
@RegisterConstructorMapper(EvidenceDao.Histogram.class)
@RegisterConstructorMapper(EvidenceDao.Since.class)
public interface EvidenceDao {
  record Place(long id, String code, String name, String kind, String sector,
      String openingHours, Instant createdAt) {}

  @SqlQuery("SELECT id, code, name, kind, sector, CAST(opening_hours AS text) AS opening_hours,"
      + " created_at FROM establishments WHERE (CAST(:code AS text) IS NULL OR code = :code)"
      + " ORDER BY sector, code")
  List<Place> places(String code);

  /** A figure per establishment. */
  record Count(long establishmentId, long value) {}

  record DayTotals(long establishmentId, long observedOpenMinutes, long upOpenMinutes,
      long outageOpenMinutes) {}

  // Every query below covers all the report's establishments at once: a municipality report
  // asks each of them once, not once per establishment.

  @SqlQuery("SELECT establishment_id, sum(observed_open_minutes) AS observed_open_minutes,"
      + " sum(up_open_minutes) AS up_open_minutes, sum(outage_open_minutes) AS outage_open_minutes"
      + " FROM establishment_days WHERE establishment_id = ANY(:ids) AND day BETWEEN :from AND :to"
      + " GROUP BY establishment_id")
  List<DayTotals> totals(long[] ids, LocalDate from, LocalDate to);

  record Histogram(long establishmentId, String latencyHist) {}

  /** The days' latency histograms summed bucket by bucket. */
  @SqlQuery("SELECT establishment_id, CAST(array_agg(s ORDER BY i) AS text) AS latency_hist"
      + " FROM (SELECT d.establishment_id, u.i, sum(u.v) AS s FROM establishment_days d,"
      + "   unnest(d.latency_hist) WITH ORDINALITY AS u(v, i)"
      + "   WHERE d.establishment_id = ANY(:ids) AND d.day BETWEEN :from AND :to"
      + "   GROUP BY d.establishment_id, u.i) x GROUP BY establishment_id")
  List<Histogram> latency(long[] ids, LocalDate from, LocalDate to);

  record Since(long establishmentId, Instant at) {}

  /** The first moment an agent of each establishment could report: nothing is expected before. */
  @SqlQuery("SELECT establishment_id, min(enrolled_at) AS at FROM agents"
      + " WHERE establishment_id = ANY(:ids) GROUP BY establishment_id")
  List<Since> firstEnrollments(long[] ids);

  record OutageSegment(long establishmentId, Instant startedAt, Instant endedAt,
      int durationMinutes, int openMinutes, int computers, String cause) {}

  @SqlQuery("SELECT establishment_id, started_at, ended_at, duration_minutes, open_minutes,"
      + " computers, cause FROM outages WHERE establishment_id = ANY(:ids)"
      + " AND started_at < :to AND ended_at > :from ORDER BY establishment_id, started_at")
  List<OutageSegment> outages(long[] ids, Instant from, Instant to);

  @SqlQuery("SELECT establishment_id, count(*) AS value FROM computers"
      + " WHERE establishment_id = ANY(:ids) AND enrolled_at < :to"
      + " AND (decommissioned_at IS NULL OR decommissioned_at >= :from) GROUP BY establishment_id")
  List<Count> computersEnrolled(long[] ids, Instant from, Instant to);

  @SqlQuery("SELECT establishment_id, count(*) AS value FROM (SELECT establishment_id, computer_id"
      + "   FROM computer_months WHERE establishment_id = ANY(:ids) AND month >= :fromMonth"
      + "   AND month <= :toMonth GROUP BY establishment_id, computer_id"
      + "   HAVING sum(online_days) >= :minDays) c GROUP BY establishment_id")
  List<Count> computersConnected(long[] ids, LocalDate fromMonth, LocalDate toMonth,
      int minDays);

  @SqlQuery("SELECT establishment_id, sum(observations) AS value FROM computer_days"
      + " WHERE establishment_id = ANY(:ids) AND day BETWEEN :from AND :to"
      + " GROUP BY establishment_id")
  List<Count> observations(long[] ids, LocalDate from, LocalDate to);

  record Link(long id, long establishmentId, String ispName, String technology,
      BigDecimal contractedDownMbps, BigDecimal contractedUpMbps, Optional<BigDecimal> monthlyCost,
      String currency) {}

  @SqlQuery("SELECT id, establishment_id, isp_name, technology, contracted_down_mbps,"
      + " contracted_up_mbps, monthly_cost, currency FROM isp_links"
      + " WHERE establishment_id = ANY(:ids) ORDER BY establishment_id, id")
  List<Link> links(long[] ids);

  @SqlQuery("SELECT id, establishment_id, isp_name, technology, contracted_down_mbps,"
      + " contracted_up_mbps, monthly_cost, currency FROM isp_links WHERE id = :id")
  Optional<Link> link(long id);

  record Test(long linkId, Optional<Double> downMbps, Optional<Double> upMbps) {}

  /** Tests against Enlace's own server; a paired M-Lab test includes transit, not only the ISP. */
  @SqlQuery("SELECT link_id, down_mbps, up_mbps FROM speed_tests WHERE link_id = ANY(:linkIds)"
      + " AND measured_at >= :from AND measured_at < :to AND method <> 'ndt7-mlab'")
  List<Test> speedTests(long[] linkIds, Instant from, Instant to);
}
