package org.enlace.server.speedtest;

import java.time.Duration;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cap counted in the database, across replicas: one row of {@code ndt7_running} per subtest.
 * Rows, not session-level advisory locks, because those need one connection held for the whole
 * test, which PgBouncer's transaction mode does not give. Taking a slot is serialised by a
 * transaction-scoped advisory lock (a count and an insert are not atomic otherwise).
 */
public final class DatabaseNdt7Slots implements Ndt7Slots {
  private static final Logger LOG = LoggerFactory.getLogger(DatabaseNdt7Slots.class);

  interface Dao {
    @SqlQuery("SELECT 1 FROM pg_advisory_xact_lock(hashtext('enlace_ndt7_running'), 0)")
    int lock();

    @SqlUpdate(
        """
        INSERT INTO ndt7_running (id, expires_at)
        SELECT :id, now() + :ttlMs * interval '1 millisecond'
        WHERE (SELECT count(*) FROM ndt7_running WHERE expires_at > now()) < :cap
        """)
    int insertIfUnder(UUID id, long ttlMs, int cap);

    @SqlUpdate("DELETE FROM ndt7_running WHERE expires_at <= now()")
    int deleteExpired();

    @SqlUpdate("DELETE FROM ndt7_running WHERE id = :id")
    int delete(UUID id);
  }

  private final Jdbi jdbi;
  private final int cap;
  private final long ttlMs;
  private final Queue<UUID> held = new ConcurrentLinkedQueue<>();

  /**
   * @param ttl how long a dead replica's row blocks a slot: longer than any subtest can run
   */
  public DatabaseNdt7Slots(Jdbi jdbi, int cap, Duration ttl) {
    this.jdbi = jdbi;
    this.cap = cap;
    this.ttlMs = ttl.toMillis();
  }

  @Override
  public boolean tryAcquire() {
    UUID id = UUID.randomUUID();
    try {
      boolean taken =
          jdbi.inTransaction(
              h -> {
                Dao dao = h.attach(Dao.class);
                dao.lock();
                dao.deleteExpired();
                return dao.insertIfUnder(id, ttlMs, cap) == 1;
              });
      if (taken) {
        held.add(id);
      }
      return taken;
    } catch (RuntimeException e) {
      // Without the database no token can be redeemed either: busy, retried later.
      LOG.warn("event=ndt7_slot_count_failed error=\"{}\" effect=\"answered busy\"", e.toString());
      return false;
    }
  }

  @Override
  public void release() {
    UUID id = held.poll();
    if (id == null) {
      return;
    }
    try {
      jdbi.useExtension(Dao.class, dao -> dao.delete(id));
    } catch (RuntimeException e) {
      LOG.warn(
          "event=ndt7_slot_release_failed error=\"{}\" effect=\"the slot frees itself when its"
              + " row expires\"",
          e.toString());
    }
  }
}
