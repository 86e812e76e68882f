package org.enlace.server.indicators;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.GetGeneratedKeys;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;
import org.jspecify.annotations.Nullable;

/** The indicators' SQL: counts from computer_months, declarations and baselines. */
@RegisterConstructorMapper(IndicatorDao.SectorCounts.class)
@RegisterConstructorMapper(IndicatorDao.MonthSectorCounts.class)
@RegisterConstructorMapper(IndicatorDao.BaselineRow.class)
@RegisterConstructorMapper(Declaration.class)
public interface IndicatorDao {
  record SectorCounts(
      String sector,
      long computers,
      long establishments,
      long computersReporting,
      long establishmentsReporting) {}

  /**
   * Connected computers and establishments per sector over the months [from, to). An establishment
   * is connected when one of its computers is, or when the router saw one of its links up on at
   * least minOnlineDays days (its PCs may have been off).
   */
  @SqlQuery(
      """
      WITH m AS (SELECT establishment_id, computer_id, sum(online_days) AS online_days,
         sum(observed_days) AS observed_days FROM computer_months
         WHERE month >= :from AND month < :to GROUP BY establishment_id, computer_id),
      c AS (SELECT establishment_id,
         count(*) FILTER (WHERE online_days >= :minOnlineDays) AS computers,
         count(*) FILTER (WHERE observed_days > 0) AS reporting
         FROM m GROUP BY establishment_id),
      l AS (SELECT establishment_id, count(*) AS link_days FROM establishment_days
         WHERE day >= :from AND day < :to AND link_up_minutes > 0
         GROUP BY establishment_id),
      p AS (SELECT coalesce(c.establishment_id, l.establishment_id) AS establishment_id,
         coalesce(c.computers, 0) AS computers, coalesce(c.reporting, 0) AS reporting,
         coalesce(c.computers, 0) > 0 OR coalesce(l.link_days, 0) >= :minOnlineDays
           AS connected
         FROM c FULL JOIN l ON l.establishment_id = c.establishment_id)
      SELECT e.sector, CAST(sum(p.computers) AS bigint) AS computers,
      count(*) FILTER (WHERE p.connected) AS establishments,
      CAST(sum(p.reporting) AS bigint) AS computers_reporting,
      count(*) AS establishments_reporting
      FROM p JOIN establishments e ON e.id = p.establishment_id GROUP BY e.sector
      """)
  List<SectorCounts> measured(LocalDate from, LocalDate to, int minOnlineDays);

  /**
   * Computers enrolled before the end of [from, to) with a day in it before their decommission date
   * (decommissioned, if at all, from the period's second day on), per sector.
   */
  @SqlQuery(
      """
      SELECT e.sector, count(*) AS computers, count(DISTINCT c.establishment_id)
        AS establishments, 0 AS computers_reporting, 0 AS establishments_reporting
      FROM computers c JOIN establishments e ON e.id = c.establishment_id
      WHERE c.enrolled_at < :toInstant
       AND (c.decommissioned_at IS NULL OR c.decommissioned_at >= :secondDayInstant)
      GROUP BY e.sector
      """)
  List<SectorCounts> enrolled(Instant secondDayInstant, Instant toInstant);

  /** Declarations in force in any month of [from, to): sums per sector. */
  @SqlQuery(
      """
      SELECT sector, coalesce(sum(computers), 0) AS computers,
      coalesce(sum(establishments), 0) AS establishments, 0 AS computers_reporting,
      0 AS establishments_reporting FROM declared_counts
      WHERE withdrawn_at IS NULL AND valid_from < :to
       AND (valid_to IS NULL OR valid_to >= :from) GROUP BY sector
      """)
  List<SectorCounts> declared(LocalDate from, LocalDate to);

  /** One month's {@link SectorCounts} (month: its first day). */
  record MonthSectorCounts(
      LocalDate month,
      String sector,
      long computers,
      long establishments,
      long computersReporting,
      long establishmentsReporting) {
    SectorCounts counts() {
      return new SectorCounts(
          sector, computers, establishments, computersReporting, establishmentsReporting);
    }
  }

  /** {@link #measured} for each whole month (first days), in one query. */
  @SqlQuery(
      """
      WITH w AS (SELECT month_start, CAST(month_start + interval '1 month' AS date) AS next_start
         FROM unnest(CAST(:months AS date[])) AS w(month_start)),
      m AS (SELECT w.month_start, cm.establishment_id, cm.computer_id,
         sum(cm.online_days) AS online_days, sum(cm.observed_days) AS observed_days
         FROM computer_months cm JOIN w ON cm.month >= w.month_start AND cm.month < w.next_start
         GROUP BY w.month_start, cm.establishment_id, cm.computer_id),
      c AS (SELECT month_start, establishment_id,
         count(*) FILTER (WHERE online_days >= :minOnlineDays) AS computers,
         count(*) FILTER (WHERE observed_days > 0) AS reporting
         FROM m GROUP BY month_start, establishment_id),
      l AS (SELECT w.month_start, d.establishment_id, count(*) AS link_days
         FROM establishment_days d JOIN w ON d.day >= w.month_start AND d.day < w.next_start
         WHERE d.link_up_minutes > 0 GROUP BY w.month_start, d.establishment_id),
      p AS (SELECT coalesce(c.month_start, l.month_start) AS month_start,
         coalesce(c.establishment_id, l.establishment_id) AS establishment_id,
         coalesce(c.computers, 0) AS computers, coalesce(c.reporting, 0) AS reporting,
         coalesce(c.computers, 0) > 0 OR coalesce(l.link_days, 0) >= :minOnlineDays
           AS connected
         FROM c FULL JOIN l ON l.month_start = c.month_start
           AND l.establishment_id = c.establishment_id)
      SELECT p.month_start AS month, e.sector, CAST(sum(p.computers) AS bigint) AS computers,
      count(*) FILTER (WHERE p.connected) AS establishments,
      CAST(sum(p.reporting) AS bigint) AS computers_reporting,
      count(*) AS establishments_reporting
      FROM p JOIN establishments e ON e.id = p.establishment_id GROUP BY p.month_start, e.sector
      """)
  List<MonthSectorCounts> measuredByMonth(String[] months, int minOnlineDays);

  /**
   * {@link #enrolled} for each month (first days), with each month's second day and the start of
   * the next month as instants (parallel arrays), in one query.
   */
  @SqlQuery(
      """
      SELECT w.month_start AS month, e.sector, count(*) AS computers,
        count(DISTINCT c.establishment_id) AS establishments, 0 AS computers_reporting,
        0 AS establishments_reporting
      FROM unnest(CAST(:months AS date[]), CAST(:secondDays AS timestamptz[]),
        CAST(:ends AS timestamptz[])) AS w(month_start, second_day, end_at)
      JOIN computers c ON c.enrolled_at < w.end_at
       AND (c.decommissioned_at IS NULL OR c.decommissioned_at >= w.second_day)
      JOIN establishments e ON e.id = c.establishment_id
      GROUP BY w.month_start, e.sector
      """)
  List<MonthSectorCounts> enrolledByMonth(String[] months, String[] secondDays, String[] ends);

  /** {@link #declared} for each whole month (first days), in one query. */
  @SqlQuery(
      """
      SELECT w.month_start AS month, d.sector, coalesce(sum(d.computers), 0) AS computers,
      coalesce(sum(d.establishments), 0) AS establishments, 0 AS computers_reporting,
      0 AS establishments_reporting
      FROM unnest(CAST(:months AS date[])) AS w(month_start)
      JOIN declared_counts d ON d.withdrawn_at IS NULL
       AND d.valid_from < CAST(w.month_start + interval '1 month' AS date)
       AND (d.valid_to IS NULL OR d.valid_to >= w.month_start)
      GROUP BY w.month_start, d.sector
      """)
  List<MonthSectorCounts> declaredByMonth(String[] months);

  record BaselineRow(
      long id,
      String reference,
      int administrationComputers,
      int administrationEstablishments,
      int citizensComputers,
      int citizensEstablishments,
      double targetIncreasePct,
      String note,
      String setBy,
      Instant setAt) {}

  @SqlQuery(
      """
      SELECT id, reference, administration_computers, administration_establishments,
             citizens_computers, citizens_establishments, target_increase_pct, note, set_by,
             set_at
      FROM indicator_baselines
      ORDER BY id DESC
      LIMIT 1
      """)
  Optional<BaselineRow> currentBaseline();

  @SqlQuery(
      """
      SELECT id, reference, administration_computers, administration_establishments,
             citizens_computers, citizens_establishments, target_increase_pct, note, set_by,
             set_at
      FROM indicator_baselines
      ORDER BY id DESC
      """)
  List<BaselineRow> baselines();

  @SqlUpdate(
      """
      INSERT INTO indicator_baselines (reference, administration_computers,
      administration_establishments, citizens_computers, citizens_establishments,
      target_increase_pct, note, set_by) VALUES (:reference, :administrationComputers,
      :administrationEstablishments, :citizensComputers, :citizensEstablishments,
      :targetIncreasePct, :note, :setBy)
      """)
  @GetGeneratedKeys("id")
  long insertBaseline(
      String reference,
      int administrationComputers,
      int administrationEstablishments,
      int citizensComputers,
      int citizensEstablishments,
      double targetIncreasePct,
      String note,
      String setBy);

  @SqlQuery(
      """
      SELECT id, sector, description, establishments, computers, valid_from, valid_to, source,
             declared_by, declared_at, withdrawn_by, withdrawn_at
      FROM declared_counts
      WHERE (:all OR withdrawn_at IS NULL)
      ORDER BY id
      """)
  List<Declaration> declarations(boolean all);

  @SqlQuery(
      """
      SELECT id, sector, description, establishments, computers, valid_from, valid_to, source,
             declared_by, declared_at, withdrawn_by, withdrawn_at
      FROM declared_counts
      WHERE id = :id
      """)
  Optional<Declaration> declaration(long id);

  @SqlUpdate(
      """
      INSERT INTO declared_counts (sector, description, establishments, computers,
      valid_from, valid_to, source, declared_by) VALUES (:d.sector, :d.description,
      :d.establishments, :d.computers, :validFrom, :validTo, :d.source, :declaredBy)
      """)
  @GetGeneratedKeys("id")
  long insertDeclaration(
      @BindMethods("d") DeclarationRequest d,
      LocalDate validFrom,
      @Nullable LocalDate validTo, // null: still valid
      String declaredBy);

  @SqlUpdate(
      """
      UPDATE declared_counts SET withdrawn_by = :by, withdrawn_at = now()
      WHERE id = :id AND withdrawn_at IS NULL
      """)
  int withdraw(long id, String by);
}
