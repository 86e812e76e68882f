package org.enlace.server.cluster;

import static java.util.Objects.requireNonNull;

import io.dropwizard.lifecycle.Managed;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This replica among the others on the same database: it heartbeats its row in cluster_replicas,
 * holds or waits for the singleton jobs' leases in cluster_leases, and knows which replicas are
 * alive, so that each router is polled by exactly one of them ({@link #owns}).
 *
 * <p>A lease is held until the database's now() passes its expiry; this replica counts it as held
 * only until its own monotonic clock says the lease duration has passed since it sent the renewal,
 * which is never later than the database's expiry. So two replicas never both believe they hold a
 * lease, and a dead holder's lease moves to another replica within one lease duration and one
 * heartbeat of its last renewal.
 */
public final class Cluster implements Managed {
  private static final Logger LOG = LoggerFactory.getLogger(Cluster.class);

  private final Jdbi jdbi;
  private final ClusterConfig config;
  private final UUID id;
  private final String host;
  private final Map<Lease, Long> heldUntil = new EnumMap<>(Lease.class);
  private final Map<Lease, Boolean> won = new EnumMap<>(Lease.class); // the heartbeat's, for logs
  private volatile List<UUID> live;
  private boolean failing;
  private @Nullable ScheduledExecutorService executor; // from start() on

  public Cluster(Jdbi jdbi, ClusterConfig config, MeterRegistry meters) {
    this(jdbi, config, meters, UUID.randomUUID(), localHost());
  }

  Cluster(Jdbi jdbi, ClusterConfig config, MeterRegistry meters, UUID id, String host) {
    this.jdbi = requireNonNull(jdbi, "jdbi is null");
    this.config = requireNonNull(config, "config is null");
    this.id = requireNonNull(id, "id is null");
    this.host = requireNonNull(host, "host is null");
    this.live = List.of(id);
    for (Lease l : Lease.values()) {
      Gauge.builder("enlace.cluster.lease.held", this, c -> c.holds(l) ? 1 : 0)
          .description("1 on the replica that holds the singleton job's lease, 0 on the others")
          .tags("lease", l.wire(), "replica", id.toString())
          .register(meters);
    }
    Gauge.builder("enlace.cluster.replicas.live", this, c -> c.live.size())
        .description("Replicas alive on this database, as this replica last read them")
        .register(meters);
    Gauge.builder("enlace.cluster.replica.info", () -> 1)
        .description("This replica's id (random at each start) and host name")
        .tags("replica", id.toString(), "host", host)
        .register(meters);
  }

  private static String localHost() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return System.getenv().getOrDefault("HOSTNAME", "unknown");
    }
  }

  /** This replica's id: random at each start, so a restarted replica is a new one. */
  public UUID id() {
    return id;
  }

  public String host() {
    return host;
  }

  /** Whether this replica runs the singleton job now. */
  public boolean holds(Lease lease) {
    Long until;
    synchronized (heldUntil) {
      until = heldUntil.get(lease);
    }
    return until != null && System.nanoTime() - until < 0;
  }

  /** The live replicas' ids as last read, this one included. */
  public List<UUID> liveReplicas() {
    return live;
  }

  /** Whether this replica is the one to do the work keyed {@code key} (a router's id). */
  public boolean owns(long key) {
    return Rendezvous.owner(live, key).map(id::equals).orElse(true);
  }

  @Override
  public void start() {
    // The first heartbeat before the jobs start, so that they see the leases and the replicas.
    heartbeatSafely();
    ScheduledExecutorService e =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "cluster-heartbeat");
              t.setDaemon(true);
              return t;
            });
    executor = e;
    long every = config.getHeartbeat().toMilliseconds();
    // Runs until stop() shuts the executor down; its failures are logged inside.
    ScheduledFuture<?> unusedBeats =
        e.scheduleWithFixedDelay(this::heartbeatSafely, every, every, TimeUnit.MILLISECONDS);
    LOG.info(
        "event=cluster_joined replica={} host={} heartbeat={} leaseDuration={} replicas={}",
        id,
        host,
        config.getHeartbeat(),
        config.getLeaseDuration(),
        live.size());
  }

  @Override
  public void stop() throws InterruptedException {
    if (executor != null) {
      executor.shutdownNow();
      executor.awaitTermination(10, TimeUnit.SECONDS);
    }
    synchronized (heldUntil) {
      heldUntil.clear();
    }
    try {
      int released = jdbi.withExtension(ClusterDao.class, d -> d.release(id));
      jdbi.useExtension(ClusterDao.class, d -> d.leave(id));
      LOG.info("event=cluster_left replica={} leasesReleased={}", id, released);
    } catch (RuntimeException e) {
      LOG.warn(
          "event=cluster_leave_failed replica={} error=\"{}\" effect=\"its leases and routers"
              + " move when they expire\"",
          id,
          e.toString());
    }
  }

  /**
   * Stops heartbeating and leaves its row and leases to expire, as a killed or frozen replica does
   * (tests); the jobs this replica runs go on until they see its leases lapse.
   */
  public void halt() throws InterruptedException {
    if (executor != null) {
      executor.shutdownNow();
      executor.awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  private void heartbeatSafely() {
    try {
      heartbeat();
      if (failing) {
        LOG.info("event=cluster_heartbeat_recovered replica={}", id);
        failing = false;
      }
    } catch (RuntimeException e) {
      if (!failing) {
        LOG.warn(
            "event=cluster_heartbeat_failed replica={} error=\"{}\" effect=\"leases lapse after"
                + " {}; retried every {}\"",
            id,
            e.toString(),
            config.getLeaseDuration(),
            config.getHeartbeat());
        failing = true;
      }
    }
  }

  /** Renews this replica's row, re-reads the live replicas, and takes or renews each lease. */
  void heartbeat() {
    long ttlMs = config.getLeaseDuration().toMilliseconds();
    List<UUID> now =
        jdbi.withExtension(
            ClusterDao.class,
            d -> {
              d.heartbeat(id, host, ttlMs);
              d.forgetDead();
              return d.live();
            });
    if (!now.equals(live)) {
      LOG.info("event=cluster_replicas_changed replica={} live={} was={}", id, now, live.size());
      live = List.copyOf(now);
    }
    for (Lease l : Lease.values()) {
      // Before the statement: the database's expiry is counted from a later instant.
      long sent = System.nanoTime();
      boolean got =
          jdbi.withExtension(ClusterDao.class, d -> d.acquire(l.wire(), id, host, ttlMs))
              .isPresent();
      synchronized (heldUntil) {
        if (got) {
          heldUntil.put(l, sent + TimeUnit.MILLISECONDS.toNanos(ttlMs));
        } else {
          heldUntil.remove(l);
        }
      }
      Boolean before = won.put(l, got);
      if (before == null ? got : before != got) {
        LOG.info(
            "event={} lease={} replica={} host={}",
            got ? "cluster_lease_acquired" : "cluster_lease_lost",
            l.wire(),
            id,
            host);
      }
    }
  }
}
