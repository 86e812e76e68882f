package org.enlace.server.snmp;

import io.dropwizard.lifecycle.Managed;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.LongPredicate;
import java.util.stream.Collectors;
import org.enlace.server.domain.LocalMinutes;
import org.jdbi.v3.core.Jdbi;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls every enabled device once per interval, each at its own offset inside the interval (like
 * Prometheus' scrape offsets), so a thousand routers are not asked in the same millisecond. Polls
 * are asynchronous; at most {@code maxConcurrentPolls} are in flight, and a device whose previous
 * poll has not finished is skipped rather than queued.
 */
public final class SnmpPoller implements Managed {
  private static final Logger LOG = LoggerFactory.getLogger(SnmpPoller.class);

  private final Jdbi jdbi;
  private final SnmpConfig config;
  private final SnmpCredentials credentials;
  private final Clock clock;
  private final LinkMetrics metrics;
  private final SnmpStore store;
  private final AtomicBoolean reload = new AtomicBoolean(true);
  private final Set<Long> inFlight = ConcurrentHashMap.newKeySet();
  private final Map<Long, Instant> edited = new ConcurrentHashMap<>();
  private final Map<Long, String> lastFailures = new ConcurrentHashMap<>();
  private final Map<Long, Long> slots = new ConcurrentHashMap<>(); // device → its next poll, ms
  private final Semaphore permits;
  private final LongPredicate owns;
  private final BooleanSupplier mayExpire;
  private volatile Map<Long, PollTarget> targets = new ConcurrentHashMap<>();
  private volatile int polledHere = -1;
  private final Counter polls;

  // Set by start(): Dropwizard starts a managed object before anything polls; stop() still checks
  // them, since a start that failed half-way is stopped too.
  @SuppressWarnings("NullAway.Init")
  private SnmpClient client;

  @SuppressWarnings("NullAway.Init")
  private DevicePoll poll;

  @SuppressWarnings("NullAway.Init")
  private ScheduledExecutorService scheduler;

  private @Nullable TrapReceiver traps; // only when traps are enabled

  public SnmpPoller(
      Jdbi jdbi,
      SnmpConfig config,
      SnmpCredentials credentials,
      LocalMinutes minutes,
      MeterRegistry meters,
      Clock clock) {
    this(jdbi, config, credentials, minutes, meters, clock, id -> true, () -> true);
  }

  /**
   * With several replicas: {@code owns} says which devices this replica polls (the others poll the
   * rest), {@code mayExpire} whether it is the one that applies the samples' retention.
   */
  public SnmpPoller(
      Jdbi jdbi,
      SnmpConfig config,
      SnmpCredentials credentials,
      LocalMinutes minutes,
      MeterRegistry meters,
      Clock clock,
      LongPredicate owns,
      BooleanSupplier mayExpire) {
    this.owns = owns;
    this.mayExpire = mayExpire;
    this.jdbi = jdbi;
    this.config = config;
    this.credentials = credentials;
    this.clock = clock;
    this.metrics = new LinkMetrics(meters);
    this.store =
        new SnmpStore(jdbi, minutes, config.getMaxSampleInterval().toJavaDuration(), metrics);
    this.permits = new Semaphore(config.getMaxConcurrentPolls());
    meters.gauge("enlace.snmp.devices.polled", this, p -> Math.max(0, p.polledHere));
    this.polls =
        Counter.builder("enlace.snmp.polls")
            .description("Device polls this server started (with several replicas, its share)")
            .register(meters);
  }

  /** The inventory changed: reload the devices before the next poll. */
  public void inventoryChanged() {
    reload.set(true);
  }

  @Override
  public void start() throws IOException {
    startWithoutSchedule();
    long interval = config.getInterval().toMilliseconds();
    // Both run until stop() shuts the scheduler down; their failures are logged inside.
    ScheduledFuture<?> unusedCycles =
        scheduler.scheduleAtFixedRate(this::cycleSafely, 0, interval, TimeUnit.MILLISECONDS);
    ScheduledFuture<?> unusedExpiry =
        scheduler.scheduleWithFixedDelay(this::expireSafely, 1, 24 * 60, TimeUnit.MINUTES);
    LOG.info(
        "event=snmp_poller_started interval={} timeout={} retries={} traps={}",
        config.getInterval(),
        config.getTimeout(),
        config.getRetries(),
        config.getTraps().isEnabled() ? config.getTraps().getPort() : "off");
  }

  /** Everything but the schedule: tests poll with {@link #pollAllAndStore} at their own pace. */
  void startWithoutSchedule() throws IOException {
    client = new SnmpClient(config);
    poll = new DevicePoll(client, clock, config.getMaxVarbindsPerRequest());
    store.start();
    scheduler =
        Executors.newScheduledThreadPool(
            1,
            r -> {
              Thread t = new Thread(r, "snmp-scheduler");
              t.setDaemon(true);
              return t;
            });
    if (config.getTraps().isEnabled()) {
      TrapReceiver receiver = new TrapReceiver(config.getTraps(), client.usm(), this, clock);
      traps = receiver;
      receiver.start();
    }
  }

  SnmpClient client() {
    return client;
  }

  /** The trap receiver's UDP port, or -1 without one. */
  int trapPort() {
    return traps == null ? -1 : traps.port();
  }

  @Override
  public void stop() throws Exception {
    if (scheduler != null) {
      scheduler.shutdownNow();
      scheduler.awaitTermination(5, TimeUnit.SECONDS);
    }
    if (traps != null) {
      traps.close();
    }
    permits.tryAcquire(config.getMaxConcurrentPolls(), 10, TimeUnit.SECONDS);
    store.stop();
    if (client != null) {
      client.close();
    }
  }

  private void cycleSafely() {
    try {
      cycle();
    } catch (RuntimeException e) {
      LOG.warn(
          "event=snmp_cycle_failed error=\"{}\" effect=\"retried next interval\"", e.toString());
    }
  }

  private void cycle() {
    // Every cycle: an edited link's contracted rates or a deleted link take effect at once.
    reload.set(false);
    targets = load();
    // Every replica knows every device (a trap may come to any of them) and polls its share.
    List<PollTarget> mine = targets.values().stream().filter(t -> owns.test(t.id())).toList();
    metrics.sync(mine);
    if (mine.size() != polledHere) {
      LOG.info("event=snmp_devices_assigned polled={} devices={}", mine.size(), targets.size());
      polledHere = mine.size();
    }
    long interval = config.getInterval().toMilliseconds();
    long now = clock.millis();
    slots.keySet().retainAll(targets.keySet());
    for (PollTarget t : targets.values()) {
      // A fixed offset per device in wall-clock time, the same on every replica: polls of one
      // device stay one interval apart, also when it changes hands. Whose it is is asked at the
      // poll, so a replica that joins or dies moves devices within one interval of the news.
      long offset = Math.floorMod(Long.hashCode(t.id() * 0x9E3779B97F4A7C15L), interval);
      long delay = Math.floorMod(offset - now, interval);
      if (Long.valueOf(now + delay).equals(slots.put(t.id(), now + delay))) {
        continue; // a late cycle before this one already scheduled that slot
      }
      // Its result (started or not) is not needed; start() logs its own failures.
      ScheduledFuture<?> unusedPoll =
          scheduler.schedule(
              () -> {
                if (owns.test(t.id())) {
                  start(t.id());
                }
              },
              delay,
              TimeUnit.MILLISECONDS);
    }
  }

  /** Polls a device now (after a trap, or from a test); false if one is already running. */
  boolean pollNow(long deviceId) {
    return start(deviceId);
  }

  private boolean start(long deviceId) {
    PollTarget t = targets.get(deviceId);
    if (t == null || !inFlight.add(deviceId)) {
      return false;
    }
    polls.increment();
    try {
      permits.acquire();
    } catch (InterruptedException e) {
      inFlight.remove(deviceId);
      Thread.currentThread().interrupt();
      return false;
    }
    // The callback handles both the outcome and the failure; nothing waits for it.
    CompletableFuture<PollOutcome> unusedHandled =
        poll.poll(t)
            .whenComplete(
                (outcome, error) -> {
                  permits.release();
                  inFlight.remove(deviceId);
                  if (outcome != null) {
                    if (!outcome.resolvedIfIndex().isEmpty()) {
                      targets.computeIfPresent(
                          deviceId, (id, old) -> old.withResolved(outcome.resolvedIfIndex()));
                    }
                    log(t, outcome);
                    store.add(outcome);
                  } else {
                    LOG.warn(
                        "event=snmp_poll_bug device={} error=\"{}\"",
                        deviceId,
                        String.valueOf(error));
                  }
                });
    return true;
  }

  /**
   * Logs a device's failures when they start or change, and its recovery, not every minute: a
   * router switched off for a week would otherwise write 10,000 identical lines.
   */
  private void log(PollTarget t, PollOutcome o) {
    String now =
        o.failures().stream()
            .map(f -> f.reason().wire())
            .distinct()
            .sorted()
            .reduce((a, b) -> a + "," + b)
            .orElse("");
    String before = lastFailures.put(t.id(), now);
    if (now.equals(before == null ? "" : before)) {
      return;
    }
    if (now.isEmpty()) {
      LOG.info(
          "event=snmp_poll_recovered device={} establishment={} address={}:{} was={}",
          t.id(),
          t.establishmentCode(),
          t.address(),
          t.port(),
          before);
      return;
    }
    for (PollOutcome.Failed f : o.failures()) {
      LOG.info(
          "event=snmp_poll_failed device={} establishment={} address={}:{} reason={}"
              + " detail=\"{}\" note=\"logged again only when it changes\"",
          t.id(),
          t.establishmentCode(),
          t.address(),
          t.port(),
          f.reason().wire(),
          f.detail());
    }
  }

  /** Traps name a device by its source address and an interface by ifIndex. */
  Optional<PollTarget> deviceAt(String address) {
    return targets.values().stream().filter(t -> t.address().equals(address)).findFirst();
  }

  Collection<PollTarget> targets() {
    return targets.values();
  }

  void trap(SnmpStore.Trap trap) {
    store.add(trap);
  }

  private Map<Long, PollTarget> load() {
    return jdbi.withHandle(
        h -> {
          DeviceDao dao = h.attach(DeviceDao.class);
          Map<Long, List<DeviceDao.MappingRow>> mappings =
              dao.enabledMappings().stream()
                  .collect(Collectors.groupingBy(DeviceDao.MappingRow::deviceId));
          Map<Long, PollTarget> out = new LinkedHashMap<>();
          // ConcurrentHashMap does not keep order; polls are spread by offset anyway.
          for (DeviceDao.DeviceRow d : dao.enabled()) {
            List<DeviceDao.MappingRow> links = mappings.getOrDefault(d.id(), List.of());
            if (links.isEmpty()) {
              continue; // nothing to poll it for
            }
            try {
              out.put(d.id(), target(d, links));
            } catch (RuntimeException e) {
              LOG.warn("event=snmp_device_skipped device={} error=\"{}\"", d.id(), e.getMessage());
            }
            // An edited device may have a new password or engine: find its engine again.
            Instant seen = edited.put(d.id(), d.updatedAt());
            if (client != null && seen != null && !seen.equals(d.updatedAt())) {
              client.forget(d.id());
            }
          }
          return new ConcurrentHashMap<>(out);
        });
  }

  private PollTarget target(DeviceDao.DeviceRow d, List<DeviceDao.MappingRow> mappings) {
    List<PollTarget.Link> links = new ArrayList<>();
    for (DeviceDao.MappingRow m : mappings) {
      links.add(
          new PollTarget.Link(
              m.linkId(),
              Optional.ofNullable(m.ifName()),
              Optional.ofNullable(m.ifDescr()),
              Optional.ofNullable(m.ifAlias()),
              Optional.ofNullable(m.ifIndex()),
              Optional.ofNullable(m.resolvedIfIndex()),
              m.contractedDownBps(),
              m.contractedUpBps()));
    }
    Optional<PollTarget.V3> v3 =
        "v3".equals(d.snmpVersion())
            ? Optional.of(
                new PollTarget.V3(
                    d.v3User(),
                    d.v3AuthProtocol(),
                    credentials.decrypt(d.v3AuthPassword()),
                    Optional.ofNullable(d.v3PrivProtocol()),
                    Optional.ofNullable(d.v3PrivPassword()).map(credentials::decrypt)))
            : Optional.empty();
    Optional<String> community =
        "v2c".equals(d.snmpVersion())
            ? Optional.of(credentials.decrypt(d.community()))
            : Optional.empty();
    return new PollTarget(
        d.id(),
        d.establishmentId(),
        d.establishmentCode(),
        d.address(),
        d.port(),
        community,
        v3,
        List.copyOf(links));
  }

  private void expireSafely() {
    if (!mayExpire.getAsBoolean()) {
      return; // another replica holds the retention lease
    }
    Instant cutoff = clock.instant().minus(config.getSampleRetention().toJavaDuration());
    try {
      int dropped = store.expire(cutoff);
      if (dropped > 0) {
        LOG.info(
            "event=snmp_sample_retention_applied cutoff={} partitionsDropped={}", cutoff, dropped);
      }
    } catch (RuntimeException e) {
      LOG.warn(
          "event=snmp_sample_retention_failed error=\"{}\" effect=\"retried tomorrow\"",
          e.toString());
    }
  }

  /** For tests: polls every device once now and waits until the results are stored. */
  void pollAllAndStore(long timeoutMs) throws InterruptedException {
    if (reload.getAndSet(false)) {
      targets = load();
      metrics.sync(targets.values());
    }
    long before = store.processed();
    int started = 0;
    for (long id : targets.keySet()) {
      if (start(id)) {
        started++;
      }
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    while (store.processed() < before + started && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    store.flush();
  }
}
