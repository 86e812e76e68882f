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
public interface EvidenceDao {
  record Place(long id, String code, String name, String kind, String sector,
      String openingHours, Instant createdAt) {}

  @SqlQuery("SELECT id, code, name, kind, sector, CAST(opening_hours AS text) AS opening_hours,"
      + " created_at FROM establishments WHERE (CAST(:code AS text) IS NULL OR code = :code)"
      + " ORDER BY sector, code")
  List<Place> places(String code);

  record DayTotals(long observedOpenMinutes, long upOpenMinutes, long outageOpenMinutes,
      String latencyHist) {}

  /** Sums over the days with data; the latency histogram summed bucket by bucket. */
  @SqlQuery("SELECT coalesce(sum(observed_open_minutes), 0) AS observed_open_minutes,"
      + " coalesce(sum(up_open_minutes), 0) AS up_open_minutes,"
      + " coalesce(sum(outage_open_minutes), 0) AS outage_open_minutes,"
      + " coalesce((SELECT CAST(array_agg(s ORDER BY i) AS text) FROM (SELECT i, sum(v) AS s"
      + "   FROM establishment_days d2, unnest(d2.latency_hist) WITH ORDINALITY AS u(v, i)"
      + "   WHERE d2.establishment_id = :id AND d2.day BETWEEN :from AND :to GROUP BY i) x),"
      + "  '{}') AS latency_hist"
      + " FROM establishment_days WHERE establishment_id = :id AND day BETWEEN :from AND :to")
  DayTotals totals(long id, LocalDate from, LocalDate to);

  /** The first day an agent of the establishment could report: nothing is expected before. */
  @SqlQuery("SELECT min(enrolled_at) FROM agents WHERE establishment_id = :id")
  Optional<Instant> firstEnrollment(long id);

  record OutageSegment(Instant startedAt, Instant endedAt, int durationMinutes, int openMinutes,
      int computers, String cause) {}

  @SqlQuery("SELECT started_at, ended_at, duration_minutes, open_minutes, computers, cause"
      + " FROM outages WHERE establishment_id = :id AND started_at < :to AND ended_at > :from"
      + " ORDER BY started_at")
  List<OutageSegment> outages(long id, Instant from, Instant to);

  @SqlQuery("SELECT count(*) FROM computers WHERE establishment_id = :id"
      + " AND enrolled_at < :to AND (decommissioned_at IS NULL OR decommissioned_at >= :from)")
  int computersEnrolled(long id, Instant from, Instant to);

  @SqlQuery("SELECT count(*) FROM (SELECT computer_id FROM computer_months"
      + " WHERE establishment_id = :id AND month >= :fromMonth AND month <= :toMonth"
      + " GROUP BY computer_id HAVING sum(online_days) >= :minDays) c")
  int computersConnected(long id, LocalDate fromMonth, LocalDate toMonth, int minDays);

  @SqlQuery("SELECT coalesce(sum(observations), 0) FROM computer_days"
      + " WHERE establishment_id = :id AND day BETWEEN :from AND :to")
  long observations(long id, LocalDate from, LocalDate to);

  record Link(long id, long establishmentId, String ispName, String technology,
      BigDecimal contractedDownMbps, BigDecimal contractedUpMbps, Optional<BigDecimal> monthlyCost,
      String currency) {}

  @SqlQuery("SELECT id, establishment_id, isp_name, technology, contracted_down_mbps,"
      + " contracted_up_mbps, monthly_cost, currency FROM isp_links"
      + " WHERE establishment_id = :establishmentId ORDER BY id")
  List<Link> links(long establishmentId);

  @SqlQuery("SELECT id, establishment_id, isp_name, technology, contracted_down_mbps,"
      + " contracted_up_mbps, monthly_cost, currency FROM isp_links WHERE id = :id")
  Optional<Link> link(long id);

  record Test(Optional<Double> downMbps, Optional<Double> upMbps) {}

  @SqlQuery("SELECT down_mbps, up_mbps FROM speed_tests WHERE link_id = :linkId"
      + " AND measured_at >= :from AND measured_at < :to")
  List<Test> speedTests(long linkId, Instant from, Instant to);
}
