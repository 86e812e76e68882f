package org.enlace.server.rollup;

import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import org.enlace.server.domain.LocalMinutes;
import org.enlace.server.domain.StatusCodes;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds the rollups of a range of days from the raw observations, one day per transaction, and
 * applies the raw-data retention. Safe while the server runs: each day's rows are deleted and
 * rebuilt from what is committed in one transaction, and an ingest that commits afterwards merges
 * its minutes into the rebuilt rows as usual.
 */
public final class RollupRebuild {
  private static final Logger LOG = LoggerFactory.getLogger(RollupRebuild.class);

  private final Jdbi jdbi;
  private final LocalMinutes minutes;

  public RollupRebuild(Jdbi jdbi, LocalMinutes minutes) {
    this.jdbi = jdbi;
    this.minutes = minutes;
  }

  public record Result(LocalDate from, LocalDate to, long observations, int days) {}

  /**
   * Days before the oldest raw observation are left alone: their raw data has expired and their
   * rollups are all that remains.
   */
  public Result rebuild(LocalDate from, LocalDate to) {
    List<String> partitions = partitions();
    if (partitions.isEmpty()) {
      return new Result(from, to, 0, 0);
    }
    // Raw data is complete from the oldest partition's first instant; a local day that starts
    // before it (Bogotá's 31 October ends in November's UTC partition) has lost part of its raw
    // data, so it and earlier days keep their rollups.
    Instant bound = monthStart(partitions.get(0));
    LocalDate firstComplete = minutes.slot(bound).day();
    if (minutes.start(firstComplete).isBefore(bound)) {
      firstComplete = firstComplete.plusDays(1);
    }
    if (from.isBefore(firstComplete)) {
      LOG.info(
          "event=rollup_rebuild_clamped requestedFrom={} from={} reason=\"older raw data expired\"",
          from,
          firstComplete);
      from = firstComplete;
    }
    long total = 0;
    int days = 0;
    for (LocalDate day = from; !day.isAfter(to); day = day.plusDays(1)) {
      LocalDate d = day;
      total += rebuildDay(d);
      days++;
    }
    LOG.info("event=rollup_rebuilt from={} to={} days={} observations={}", from, to, days, total);
    return new Result(from, to, total, days);
  }

  /**
   * One day in one snapshot (repeatable read): the observations it reads and the pending rows it
   * drops are the same set, so an observation that commits meanwhile is merged later, once.
   */
  private long rebuildDay(LocalDate d) {
    for (int attempt = 1; ; attempt++) {
      try {
        return jdbi.inTransaction(TransactionIsolationLevel.REPEATABLE_READ, h -> rebuildDay(h, d));
      } catch (org.jdbi.v3.core.statement.UnableToExecuteStatementException e) {
        // A serialization failure, or a deadlock with the maintainer recomputing a day this
        // rebuild has just marked (both lock the same computer-day rows): either way PostgreSQL
        // rolled the day back whole, and it can be done again.
        boolean conflict =
            e.getCause() instanceof SQLException s
                && ("40001".equals(s.getSQLState()) || "40P01".equals(s.getSQLState()));
        if (!conflict || attempt >= 5) {
          throw e;
        }
      }
    }
  }

  private long rebuildDay(org.jdbi.v3.core.Handle h, LocalDate d) {
    RollupDao dao = h.attach(RollupDao.class);
    Instant from = minutes.start(d);
    Instant to = minutes.start(d.plusDays(1));
    // A pending row holds one group commit, which may span days: its observations of this day are
    // read again below from the observations table, the others go back to wait for the
    // maintainer. Merging them here would lock other days' rows the maintainer may hold.
    PendingObservations otherDays = new PendingObservations(0);
    for (RollupDao.Pending p : dao.takePendingBetween(from, to)) {
      p.forEach(
          (e, c, t, status, latencies) -> {
            if (t.isBefore(from) || !t.isBefore(to)) {
              otherDays.add(e, c, t, status, latencies);
            }
          });
    }
    otherDays.store(dao);
    dao.deleteComputerDays(d, d);
    // Computers with no observation left that day keep no stale minutes in their month's sums;
    // the others are summed again when the maintainer recomputes the day.
    dao.refreshComputerMonthMinutes(dao.deleteComputerDayMinutes(d, d), d.withDayOfMonth(1));
    h.createUpdate("DELETE FROM establishment_days WHERE day = :d").bind("d", d).execute();
    h.createUpdate(
            """
            DELETE FROM outages WHERE cause = 'agents' AND started_at >= :from
            AND started_at < :to
            """)
        .bind("from", from)
        .bind("to", to)
        .execute();
    ComputerDayDelta delta = new ComputerDayDelta(minutes);
    long[] n = {0};
    h.createQuery(
            """
            SELECT establishment_id, computer_id, observed_at, status, latency_ms
            FROM observations WHERE observed_at >= :from AND observed_at < :to
            """)
        .bind("from", from)
        .bind("to", to)
        .setFetchSize(10_000)
        .map(
            (rs, ctx) -> {
              delta.add(
                  rs.getLong(1),
                  rs.getLong(2),
                  rs.getTimestamp(3).toInstant(),
                  StatusCodes.wire(rs.getShort(4)),
                  latencies(rs.getArray(5)));
              n[0]++;
              return 0;
            })
        .forEach(x -> {});
    RollupMaintainer.merge(dao, delta);
    return n[0];
  }

  /** The stored real[] as ingest's doubles: the same floats the maintainer merged. */
  private static double[] latencies(java.sql.Array array) throws SQLException {
    Float[] values = (Float[]) array.getArray();
    double[] out = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = values[i];
    }
    return out;
  }

  /** Monthly partitions of the raw observations, oldest first. */
  private List<String> partitions() {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    """
                    SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                    JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'observations'
                    AND c.relname ~ '^observations_[0-9]{4}_[0-9]{2}$' ORDER BY c.relname
                    """)
                .mapTo(String.class)
                .list());
  }

  private static Instant monthStart(String partition) {
    return LocalDate.of(
            Integer.parseInt(partition.substring(13, 17)),
            Integer.parseInt(partition.substring(18, 20)),
            1)
        .atStartOfDay(ZoneOffset.UTC)
        .toInstant();
  }

  public record Expired(int partitionsDropped) {}

  /**
   * Drops the monthly partitions of raw observations that lie wholly before {@code cutoff}. Rollups
   * are kept, and so are the agents' stored sequence numbers: an observation resent after its
   * partition is gone is still a duplicate.
   */
  public Expired expire(Instant cutoff) {
    int dropped = 0;
    for (String p : partitions()) {
      Instant end = monthStart(p).atZone(ZoneOffset.UTC).plusMonths(1).toInstant();
      if (!end.isAfter(cutoff)) {
        // The name comes from the catalogue and matched the pattern above; identifiers cannot
        // be bound as parameters.
        jdbi.useHandle(h -> h.execute("DROP TABLE " + p));
        LOG.info("event=raw_partition_dropped partition={} before={}", p, cutoff);
        dropped++;
      }
    }
    return new Expired(dropped);
  }

  /**
   * Drops the daily partitions of observation details (reason, checks, interface counters) that lie
   * wholly before {@code cutoff}; the observations themselves follow {@link #expire}.
   */
  public Expired expireDetails(Instant cutoff) {
    List<String> days =
        jdbi.withHandle(
            h ->
                h.createQuery(
                        """
                        SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                        JOIN pg_class p ON p.oid = i.inhparent
                        WHERE p.relname = 'observation_details'
                        AND c.relname ~ '^observation_details_[0-9]{4}_[0-9]{2}_[0-9]{2}$'
                        ORDER BY c.relname
                        """)
                    .mapTo(String.class)
                    .list());
    int dropped = 0;
    for (String p : days) {
      Instant end =
          LocalDate.of(
                  Integer.parseInt(p.substring(20, 24)),
                  Integer.parseInt(p.substring(25, 27)),
                  Integer.parseInt(p.substring(28, 30)))
              .plusDays(1)
              .atStartOfDay(ZoneOffset.UTC)
              .toInstant();
      if (!end.isAfter(cutoff)) {
        // As in expire: the name comes from the catalogue and matched the pattern. IF EXISTS:
        // another replica may have dropped it meanwhile.
        jdbi.useHandle(h -> h.execute("DROP TABLE IF EXISTS " + p));
        LOG.info("event=detail_partition_dropped partition={} before={}", p, cutoff);
        dropped++;
      }
    }
    return new Expired(dropped);
  }
}
