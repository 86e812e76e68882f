package org.enlace.server.evidence;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.statement.SqlQuery;

/**
 * What the per-reader reports read beyond {@link EvidenceDao}: the ISPs of the inventory, and the
 * rows of the tidy data tables (one per establishment-day, speed test and computer-day).
 */
@RegisterConstructorMapper(ReaderDao.Isp.class)
@RegisterConstructorMapper(EvidenceDao.Link.class)
@RegisterConstructorMapper(ReaderDao.EstablishmentDay.class)
@RegisterConstructorMapper(ReaderDao.SpeedTestRow.class)
@RegisterConstructorMapper(ReaderDao.ComputerDay.class)
@RegisterConstructorMapper(ReaderDao.ComputerRow.class)
public interface ReaderDao {
  /**
   * An ISP as the inventory names it; names that differ only in case or spaces are one ISP, named
   * as its oldest link spells it.
   */
  record Isp(String name, long links, long establishments) {}

  @SqlQuery(
      """
      SELECT (array_agg(btrim(isp_name) ORDER BY id))[1] AS name, count(*) AS links,
      count(DISTINCT establishment_id) AS establishments FROM isp_links
      GROUP BY lower(btrim(isp_name)) ORDER BY lower(btrim(isp_name))
      """)
  List<Isp> isps();

  @SqlQuery(
      """
      SELECT id, establishment_id, isp_name, technology, contracted_down_mbps,
      contracted_up_mbps, monthly_cost, currency FROM isp_links
      WHERE lower(btrim(isp_name)) = lower(btrim(:isp)) ORDER BY id
      """)
  List<EvidenceDao.Link> linksOfIsp(String isp); // oldest first: its spelling names the ISP

  /** Every link at these establishments, of any ISP: whether a place has more than one. */
  @SqlQuery(
      """
      SELECT id, establishment_id, isp_name, technology, contracted_down_mbps,
      contracted_up_mbps, monthly_cost, currency FROM isp_links
      WHERE establishment_id = ANY(:ids) ORDER BY establishment_id, id
      """)
  List<EvidenceDao.Link> linksAt(long[] ids);

  record EstablishmentDay(
      long establishmentId,
      LocalDate day,
      int openMinutes,
      int observedOpenMinutes,
      int upOpenMinutes,
      int outageOpenMinutes,
      int gapPcsOffOpen,
      int gapLinkDownOpen,
      int computersReporting,
      int computersOnline) {}

  @SqlQuery(
      """
      SELECT establishment_id, day, open_minutes, observed_open_minutes, up_open_minutes,
      outage_open_minutes, gap_pcs_off_open, gap_link_down_open, computers_reporting,
      computers_online FROM establishment_days
      WHERE establishment_id = ANY(:ids) AND day BETWEEN :from AND :to
      ORDER BY day, establishment_id
      """)
  List<EstablishmentDay> establishmentDays(long[] ids, LocalDate from, LocalDate to);

  record SpeedTestRow(
      long establishmentId,
      Optional<Long> linkId,
      Instant measuredAt,
      String method,
      Optional<Double> downMbps,
      Optional<Double> upMbps,
      Optional<Double> latencyMs) {}

  /** Every test at these establishments, the ones the report leaves out (M-Lab) included. */
  @SqlQuery(
      """
      SELECT establishment_id, link_id, measured_at, method, down_mbps, up_mbps, latency_ms
      FROM speed_tests WHERE establishment_id = ANY(:ids) AND measured_at >= :from
      AND measured_at < :to ORDER BY measured_at, establishment_id, computer_id
      """)
  List<SpeedTestRow> speedTests(long[] ids, Instant from, Instant to);

  record ComputerRow(
      long id,
      long establishmentId,
      String hostname,
      String role,
      Instant enrolledAt,
      Optional<Instant> decommissionedAt) {}

  /** The computers counted at some moment of the period. */
  @SqlQuery(
      """
      SELECT id, establishment_id, hostname, role, enrolled_at, decommissioned_at FROM computers
      WHERE establishment_id = ANY(:ids) AND enrolled_at < :to
      AND (decommissioned_at IS NULL OR decommissioned_at >= :from)
      ORDER BY establishment_id, id
      """)
  List<ComputerRow> computers(long[] ids, Instant from, Instant to);

  record ComputerDay(
      long computerId,
      LocalDate day,
      int minutesObserved,
      int minutesOnline,
      int minutesLimited,
      int minutesOffline) {}

  /** One day of these computers, by the primary key (computer_id, day). */
  @SqlQuery(
      """
      SELECT computer_id, day, minutes_observed, minutes_online, minutes_limited,
      minutes_offline FROM computer_day_minutes
      WHERE computer_id = ANY(:computerIds) AND day = :day
      """)
  List<ComputerDay> computerDays(long[] computerIds, LocalDate day);
}
