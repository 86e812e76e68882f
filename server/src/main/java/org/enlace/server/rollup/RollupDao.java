package org.enlace.server.rollup;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.statement.SqlBatch;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** Rollup SQL: set-based merges from ingest, and what the maintainer reads and writes. */
@RegisterConstructorMapper(RollupDao.DirtyDay.class)
@RegisterConstructorMapper(RollupDao.ComputerDayRow.class)
@RegisterConstructorMapper(RollupDao.EstablishmentDayBits.class)
@RegisterConstructorMapper(RollupDao.Hours.class)
public interface RollupDao {
  record DirtyDay(long establishmentId, LocalDate day) {}

  record ComputerDayRow(
      long computerId,
      LocalDate day,
      int dayMinutes,
      String onlineBits,
      String limitedBits,
      String offlineBits,
      String latencyHist,
      long observations) {}

  record EstablishmentDayBits(LocalDate day, String outageBits, String observedBits) {}

  record Hours(long id, String openingHours) {}

  /** ORs the minutes into each computer-day; counts and latency samples add up. */
  @SqlUpdate(
      """
      INSERT INTO computer_days AS c (computer_id, day, establishment_id, day_minutes,
       online_bits, limited_bits, offline_bits, observations, latency_hist)
      SELECT u.computer_id, u.day, u.establishment_id, u.day_minutes, CAST(u.online AS varbit),
       CAST(u.limited AS varbit), CAST(u.offline AS varbit), u.observations,
       CAST(u.latency AS integer[])
      FROM unnest(CAST(:computerIds AS bigint[]), CAST(:days AS date[]),
       CAST(:establishmentIds AS bigint[]), CAST(:dayMinutes AS integer[]),
       CAST(:online AS text[]), CAST(:limited AS text[]), CAST(:offline AS text[]),
       CAST(:observations AS integer[]), CAST(:latency AS text[]))
       AS u(computer_id, day, establishment_id, day_minutes, online, limited, offline,
            observations, latency)
      ON CONFLICT (computer_id, day) DO UPDATE SET
       online_bits = c.online_bits | EXCLUDED.online_bits,
       limited_bits = c.limited_bits | EXCLUDED.limited_bits,
       offline_bits = c.offline_bits | EXCLUDED.offline_bits,
       observations = c.observations + EXCLUDED.observations,
       latency_hist = ARRAY(SELECT coalesce(a, 0) + coalesce(b, 0)
         FROM unnest(c.latency_hist, EXCLUDED.latency_hist) WITH ORDINALITY AS t(a, b, i)
         ORDER BY i)
      """)
  void mergeComputerDays(
      long[] computerIds,
      String[] days,
      long[] establishmentIds,
      int[] dayMinutes,
      String[] online,
      String[] limited,
      String[] offline,
      int[] observations,
      String[] latency);

  @SqlUpdate(
      """
      INSERT INTO rollup_dirty (establishment_id, day)
      SELECT u.establishment_id, u.day
      FROM unnest(CAST(:establishmentIds AS bigint[]), CAST(:days AS date[]))
       AS u(establishment_id, day)
      """)
  void markDirty(long[] establishmentIds, String[] days);

  /**
   * Marks a computer's days from the day before {@code since} (its decommission time: the margin
   * covers any time zone) for recomputation, so that its months stop counting them.
   */
  @SqlUpdate(
      """
      INSERT INTO rollup_dirty (establishment_id, day)
      SELECT DISTINCT establishment_id, day FROM computer_days
      WHERE computer_id = :computerId AND day >= CAST(:since AS date) - 1
      """)
  void markComputerDirtySince(long computerId, java.time.Instant since);

  /** Ingest's part: the observations one group commit stored, for the maintainer to merge. */
  @SqlUpdate(
      """
      INSERT INTO rollup_pending (observations, first_at, last_at, establishment_ids,
      computer_ids, observed_ms, statuses, latency_counts, latency_ms) VALUES (:observations,
      timestamptz 'epoch' + :firstMs * interval '1 millisecond',
      timestamptz 'epoch' + :lastMs * interval '1 millisecond',
      CAST(:establishmentIds AS bigint[]), CAST(:computerIds AS bigint[]),
      CAST(:observedMs AS bigint[]), CAST(:statuses AS text[]), CAST(:latencyCounts AS int[]),
      CAST(:latencyMs AS real[]))
      """)
  void addPending(
      int observations,
      long firstMs,
      long lastMs,
      long[] establishmentIds,
      long[] computerIds,
      long[] observedMs,
      String[] statuses,
      int[] latencyCounts,
      float[] latencyMs);

  /** One group commit's stored observations, as parallel arrays (see migration V9). */
  @SuppressWarnings("ArrayRecordComponent") // primitive arrays for speed; never compared or hashed
  record Pending(
      long[] establishmentIds,
      long[] computerIds,
      long[] observedMs,
      String[] statuses,
      int[] latencyCounts,
      float[] latencyMs) {
    /** Each observation in turn, with its latencies. */
    void forEach(ObservationSink sink) {
      int k = 0;
      for (int i = 0; i < computerIds.length; i++) {
        double[] latencies = new double[latencyCounts[i]];
        for (int j = 0; j < latencies.length; j++) {
          latencies[j] = latencyMs[k++];
        }
        sink.accept(
            establishmentIds[i],
            computerIds[i],
            Instant.ofEpochMilli(observedMs[i]),
            statuses[i],
            latencies);
      }
    }
  }

  @FunctionalInterface
  interface ObservationSink {
    void accept(
        long establishmentId,
        long computerId,
        Instant observedAt,
        String status,
        double[] latencyMs);
  }

  /**
   * Takes the oldest rows, as many as hold about {@code observations} observations (at least one
   * row); rows another maintainer holds are skipped.
   */
  @SqlQuery(
      """
      DELETE FROM rollup_pending WHERE id IN (
       SELECT id FROM rollup_pending WHERE id IN (
         SELECT id FROM (SELECT id, sum(observations) OVER (ORDER BY id) - observations AS before
           FROM (SELECT id, observations FROM rollup_pending ORDER BY id LIMIT 1000) f) w
         WHERE before < :observations)
       FOR UPDATE SKIP LOCKED)
      RETURNING establishment_ids, computer_ids, observed_ms, statuses, latency_counts,
      latency_ms
      """)
  @RegisterConstructorMapper(Pending.class)
  List<Pending> takePending(int observations);

  /** The rows that hold observations from {@code from} (inclusive) to {@code to} (exclusive). */
  @SqlQuery(
      """
      DELETE FROM rollup_pending WHERE first_at < :to AND last_at >= :from
      RETURNING establishment_ids, computer_ids, observed_ms, statuses, latency_counts,
      latency_ms
      """)
  @RegisterConstructorMapper(Pending.class)
  List<Pending> takePendingBetween(Instant from, Instant to);

  @SqlQuery("SELECT coalesce(sum(observations), 0) FROM rollup_pending")
  long pendingCount();

  /** Takes the oldest markers; the caller's transaction recomputes them or puts them back. */
  @SqlQuery(
      """
      DELETE FROM rollup_dirty WHERE id IN (
       SELECT id FROM rollup_dirty ORDER BY id LIMIT :limit FOR UPDATE SKIP LOCKED)
      RETURNING establishment_id, day
      """)
  List<DirtyDay> takeDirty(int limit);

  /** Held until the transaction ends. */
  @SqlQuery("SELECT 1 FROM pg_advisory_xact_lock(:space, :id)")
  int lockEstablishment(int space, int id);

  @SqlQuery("SELECT count(*) FROM rollup_dirty")
  long dirtyCount();

  @SqlQuery(
      """
      SELECT id, CAST(opening_hours AS text) AS opening_hours FROM establishments
      WHERE id = :id
      """)
  List<Hours> hours(long id);

  @SqlQuery(
      """
      SELECT computer_id, day, day_minutes, CAST(online_bits AS text) AS online_bits,
      CAST(limited_bits AS text) AS limited_bits, CAST(offline_bits AS text) AS offline_bits,
      CAST(latency_hist AS text) AS latency_hist, observations
      FROM computer_days WHERE establishment_id = :establishmentId
      AND day BETWEEN :from AND :to ORDER BY computer_id, day
      """)
  List<ComputerDayRow> computerDays(long establishmentId, LocalDate from, LocalDate to);

  /** The router's minutes for the establishment's links (see SNMP), like computerDays. */
  @SqlQuery(
      """
      SELECT link_id, day, CAST(up_bits AS text) AS up, CAST(down_bits AS text) AS down
      FROM link_days WHERE establishment_id = :establishmentId
      AND day BETWEEN :from AND :to ORDER BY link_id, day
      """)
  @org.jdbi.v3.sqlobject.config.RegisterConstructorMapper(DayTimeline.LinkDay.class)
  List<DayTimeline.LinkDay> linkDays(long establishmentId, LocalDate from, LocalDate to);

  @SqlUpdate(
      """
      INSERT INTO computer_day_minutes (computer_id, day, establishment_id,
      minutes_observed, minutes_online, minutes_limited, minutes_offline)
      SELECT u.computer_id, u.day, u.establishment_id, u.minutes_observed,
             u.minutes_online, u.minutes_limited, u.minutes_offline
      FROM unnest(CAST(:computerIds AS bigint[]), CAST(:days AS date[]),
       CAST(:establishmentIds AS bigint[]), CAST(:observed AS integer[]),
       CAST(:online AS integer[]), CAST(:limited AS integer[]), CAST(:offline AS integer[]))
       AS u(computer_id, day, establishment_id, minutes_observed, minutes_online,
            minutes_limited, minutes_offline)
      ON CONFLICT (computer_id, day) DO UPDATE SET
       minutes_observed = EXCLUDED.minutes_observed, minutes_online = EXCLUDED.minutes_online,
       minutes_limited = EXCLUDED.minutes_limited, minutes_offline = EXCLUDED.minutes_offline
      """)
  void updateComputerMinutes(
      long[] computerIds,
      String[] days,
      long[] establishmentIds,
      int[] observed,
      int[] online,
      int[] limited,
      int[] offline);

  @SqlBatch(
      """
      INSERT INTO establishment_days (establishment_id, day, day_minutes, open_minutes,
      observed_minutes, up_minutes, outage_minutes, observed_open_minutes, up_open_minutes,
      outage_open_minutes, computers_reporting, computers_online, outage_bits, observed_bits,
      latency_hist, link_up_minutes, link_down_minutes, gap_pcs_off_open,
      gap_link_down_open, observations)
      VALUES (:establishmentId, :day, :dayMinutes, :openMinutes, :observedMinutes, :upMinutes,
      :outageMinutes, :observedOpenMinutes, :upOpenMinutes, :outageOpenMinutes,
      :computersReporting, :computersOnline, CAST(:outageBits AS varbit),
      CAST(:observedBits AS varbit), CAST(:latencyHist AS integer[]), :linkUpMinutes,
      :linkDownMinutes, :gapPcsOffOpen, :gapLinkDownOpen, :observations)
      ON CONFLICT (establishment_id, day) DO UPDATE SET day_minutes = EXCLUDED.day_minutes,
      open_minutes = EXCLUDED.open_minutes, observed_minutes = EXCLUDED.observed_minutes,
      up_minutes = EXCLUDED.up_minutes, outage_minutes = EXCLUDED.outage_minutes,
      observed_open_minutes = EXCLUDED.observed_open_minutes,
      up_open_minutes = EXCLUDED.up_open_minutes,
      outage_open_minutes = EXCLUDED.outage_open_minutes,
      computers_reporting = EXCLUDED.computers_reporting,
      computers_online = EXCLUDED.computers_online, outage_bits = EXCLUDED.outage_bits,
      observed_bits = EXCLUDED.observed_bits, latency_hist = EXCLUDED.latency_hist,
      link_up_minutes = EXCLUDED.link_up_minutes,
      link_down_minutes = EXCLUDED.link_down_minutes,
      gap_pcs_off_open = EXCLUDED.gap_pcs_off_open,
      gap_link_down_open = EXCLUDED.gap_link_down_open,
      observations = EXCLUDED.observations, updated_at = now()
      """)
  void upsertEstablishmentDays(
      @org.jdbi.v3.sqlobject.customizer.BindMethods List<EstablishmentDay> days);

  /** What an establishment-day adds up to; bits as PostgreSQL bit-string literals. */
  record EstablishmentDay(
      long establishmentId,
      LocalDate day,
      int dayMinutes,
      int openMinutes,
      int observedMinutes,
      int upMinutes,
      int outageMinutes,
      int observedOpenMinutes,
      int upOpenMinutes,
      int outageOpenMinutes,
      int computersReporting,
      int computersOnline,
      String outageBits,
      String observedBits,
      String latencyHist,
      int linkUpMinutes,
      int linkDownMinutes,
      int gapPcsOffOpen,
      int gapLinkDownOpen,
      long observations) {}

  @SqlQuery(
      """
      SELECT day, CAST(outage_bits AS text) AS outage_bits,
      CAST(observed_bits AS text) AS observed_bits FROM establishment_days
      WHERE establishment_id = :establishmentId AND day BETWEEN :from AND :to ORDER BY day
      """)
  List<EstablishmentDayBits> establishmentDayBits(
      long establishmentId, LocalDate from, LocalDate to);

  @SqlUpdate(
      """
      DELETE FROM outages WHERE establishment_id = :establishmentId
      AND started_at < :to AND ended_at > :from
      """)
  int deleteOutages(long establishmentId, Instant from, Instant to);

  @SqlBatch(
      """
      INSERT INTO outages (establishment_id, started_at, ended_at, duration_minutes,
      open_minutes, computers, short_blip, cause) VALUES (:establishmentId, :startedAt,
      :endedAt, :durationMinutes, :openMinutes, :computers, :shortBlip, :cause)
      """)
  void insertOutages(@org.jdbi.v3.sqlobject.customizer.BindMethods List<OutageRow> outages);

  record OutageRow(
      long establishmentId,
      Instant startedAt,
      Instant endedAt,
      int durationMinutes,
      int openMinutes,
      int computers,
      boolean shortBlip,
      String cause) {}

  /**
   * Days seen online and days with data, per computer, for one establishment and month. A
   * decommissioned computer's days from its decommission date (local, {@code zone}) on do not
   * count; a computer left with no day loses its row.
   */
  default void refreshComputerMonths(long establishmentId, LocalDate month, String zone) {
    dropUncountedMonths(establishmentId, month, zone);
    upsertComputerMonths(establishmentId, month, zone);
  }

  @SqlUpdate(
      """
      DELETE FROM computer_months m WHERE m.establishment_id = :establishmentId
      AND m.month = :month AND NOT EXISTS (SELECT 1 FROM computer_days d
       JOIN computers c ON c.id = d.computer_id
       WHERE d.computer_id = m.computer_id AND d.establishment_id = m.establishment_id
       AND d.day >= :month AND d.day < CAST(:month AS date) + interval '1 month'
       AND (c.decommissioned_at IS NULL
            OR d.day < CAST(c.decommissioned_at AT TIME ZONE :zone AS date)))
      """)
  void dropUncountedMonths(long establishmentId, LocalDate month, String zone);

  @SqlUpdate(
      """
      INSERT INTO computer_months AS m (establishment_id, computer_id, month, online_days,
      observed_days)
      SELECT d.establishment_id, d.computer_id, CAST(:month AS date),
       count(*) FILTER (WHERE d.seen_online), count(*)
      FROM computer_days d JOIN computers c ON c.id = d.computer_id
      WHERE d.establishment_id = :establishmentId
       AND d.day >= :month AND d.day < CAST(:month AS date) + interval '1 month'
       AND (c.decommissioned_at IS NULL
            OR d.day < CAST(c.decommissioned_at AT TIME ZONE :zone AS date))
      GROUP BY d.establishment_id, d.computer_id
      ON CONFLICT (month, establishment_id, computer_id) DO UPDATE SET
       online_days = EXCLUDED.online_days, observed_days = EXCLUDED.observed_days
      """)
  void upsertComputerMonths(long establishmentId, LocalDate month, String zone);

  @SqlUpdate("DELETE FROM computer_days WHERE day BETWEEN :from AND :to")
  int deleteComputerDays(LocalDate from, LocalDate to);

  /** Returns the computers whose rows went, for {@link #refreshComputerMonthMinutes}. */
  @SqlQuery(
      "DELETE FROM computer_day_minutes WHERE day BETWEEN :from AND :to RETURNING computer_id")
  long[] deleteComputerDayMinutes(LocalDate from, LocalDate to);

  /**
   * The given computers' minutes by status in one month, summed again from computer_day_minutes
   * (all their days, in any establishment): what a report reads instead of the days.
   */
  @SqlUpdate(
      """
      INSERT INTO computer_month_minutes AS m (computer_id, month, minutes_online,
      minutes_limited, minutes_offline)
      SELECT c.id, CAST(:month AS date), coalesce(sum(d.minutes_online), 0),
       coalesce(sum(d.minutes_limited), 0), coalesce(sum(d.minutes_offline), 0)
      FROM unnest(CAST(:computerIds AS bigint[])) AS c(id)
      LEFT JOIN computer_day_minutes d ON d.computer_id = c.id AND d.day >= :month
       AND d.day < CAST(:month AS date) + interval '1 month'
      GROUP BY c.id
      ON CONFLICT (month, computer_id) DO UPDATE SET
       minutes_online = EXCLUDED.minutes_online, minutes_limited = EXCLUDED.minutes_limited,
       minutes_offline = EXCLUDED.minutes_offline
      """)
  void refreshComputerMonthMinutes(long[] computerIds, LocalDate month);
}
