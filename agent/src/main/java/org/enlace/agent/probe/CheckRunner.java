package org.enlace.agent.probe;

import java.net.ProxySelector;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Runs one round of checks: every probe of the configuration, concurrently, then the status.
 *
 * <p>Built once and reused every round, because the agent must stay small (48 MB RSS, 0.5 % CPU):
 * two small pools of daemon threads, created on first use and ended after 5 idle minutes (HTTP
 * checks run on the probe threads themselves, with blocking {@code HttpURLConnection}s):
 *
 * <ul>
 *   <li>{@value #THREADS} threads run the probes (one probe = one target);
 *   <li>2 threads run system-resolver lookups (DNS names, TCP targets' host names), which cannot be
 *       interrupted (see SystemResolver), with a short queue so that a hung OS resolver cannot pile
 *       up work.
 * </ul>
 *
 * <p>Each probe bounds itself by the configured timeout; with more probes than threads they run in
 * waves, so a round lasts at most about timeout × ceil(probes / {@value #THREADS}). A probe still
 * running after that (it should not happen) is cancelled and recorded as a timeout.
 *
 * <p>LAN targets are probed like TCP latency targets but are not part of {@link CheckResults}
 * (whose shape is the protocol's); they serve the classification (see {@link StatusClassifier}) and
 * appear in the reason when they fail. {@code loss} counts the dns, http, tcp latency and
 * captive-portal probes: failed / all (0 when there are none).
 */
public final class CheckRunner implements AutoCloseable {
  static final int THREADS = 4;
  private static final Duration SLACK = Duration.ofSeconds(1);

  private final ProbeConfig config;
  private final Clock clock;
  private final ThreadPoolExecutor probes;
  private final ThreadPoolExecutor lookups;
  private final ProxySelector proxies;

  /**
   * @param proxies where HTTP requests go (see {@link ProxySupport}); TCP and DNS go direct
   * @param clock gives the round's {@code at}
   */
  public CheckRunner(ProbeConfig config, ProxySelector proxies, Clock clock) {
    this.config = config;
    this.clock = clock;
    this.probes = pool("enlace-probe", THREADS, new LinkedBlockingQueue<>());
    this.lookups = pool("enlace-dns", 2, new ArrayBlockingQueue<>(16));
    this.proxies = proxies;
  }

  /** One round. Never throws; at = the clock when the round started. */
  public RoundResult run() {
    Instant at = clock.instant();
    Duration timeout = config.timeout();

    List<Pending<CheckResults.Dns>> dns = new ArrayList<>();
    for (String name : config.dnsNames()) {
      dns.add(
          submit(
              new DnsProbe(name, config.dnsServers(), timeout, lookups),
              error -> new CheckResults.Dns(name, false, timeout.toMillis(), error)));
    }
    List<Pending<CheckResults.Http>> httpResults = new ArrayList<>();
    for (URI url : config.httpTargets()) {
      httpResults.add(
          submit(
              new HttpProbe(proxies, url, timeout),
              error -> new CheckResults.Http(url.toString(), false, 0, timeout.toMillis(), error)));
    }
    Optional<Pending<CheckResults.CaptivePortal>> portal =
        config
            .captivePortalUrl()
            .map(
                url ->
                    submit(
                        new CaptivePortalProbe(
                            proxies, url, config.captivePortalExpectedBody(), timeout),
                        error ->
                            new CheckResults.CaptivePortal(
                                url.toString(), false, false, 0, timeout.toMillis(), error)));
    List<Pending<CheckResults.Latency>> tcp = new ArrayList<>();
    for (String target : config.tcpTargets()) {
      tcp.add(
          submit(
              new TcpLatencyProbe(target, timeout, lookups),
              error -> new CheckResults.Latency(target, false, timeout.toMillis(), error)));
    }
    List<Pending<CheckResults.Latency>> lan = new ArrayList<>();
    for (String target : config.lanTargets()) {
      lan.add(
          submit(
              new TcpLatencyProbe(target, timeout, lookups),
              error -> new CheckResults.Latency(target, false, timeout.toMillis(), error)));
    }

    int count =
        dns.size() + httpResults.size() + (portal.isPresent() ? 1 : 0) + tcp.size() + lan.size();
    long waves = Math.max(1, (count + THREADS - 1) / THREADS);
    long deadline = System.nanoTime() + timeout.multipliedBy(waves).plus(SLACK).toNanos();

    List<CheckResults.Dns> dnsDone = collect(dns, deadline);
    List<CheckResults.Http> httpDone = collect(httpResults, deadline);
    Optional<CheckResults.CaptivePortal> portalDone = portal.map(p -> p.await(deadline));
    List<CheckResults.Latency> tcpDone = collect(tcp, deadline);
    List<CheckResults.Latency> lanDone = collect(lan, deadline);

    long all =
        (long) dnsDone.size() + httpDone.size() + tcpDone.size() + (portalDone.isPresent() ? 1 : 0);
    long failed =
        dnsDone.stream().filter(d -> !d.ok()).count()
            + httpDone.stream().filter(h -> !h.ok()).count()
            + tcpDone.stream().filter(l -> !l.ok()).count()
            + portalDone.filter(p -> !p.ok()).map(p -> 1L).orElse(0L);
    double loss = all == 0 ? 0.0 : (double) failed / all;

    CheckResults checks = new CheckResults(dnsDone, httpDone, tcpDone, portalDone, loss);
    StatusClassifier.Verdict v = StatusClassifier.classify(checks, lanDone);
    return new RoundResult(at, v.status(), v.reason(), checks);
  }

  /** Stops the threads; the runner cannot be used afterwards. */
  @Override
  public void close() {
    probes.shutdownNow();
    lookups.shutdownNow();
  }

  /** A submitted probe, and the result to record if it cannot deliver its own. */
  private record Pending<T>(Future<T> future, Function<String, T> failed) {
    T await(long deadlineNanos) {
      try {
        return future.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        future.cancel(true);
        return failed.apply("timeout");
      } catch (InterruptedException e) {
        future.cancel(true);
        Thread.currentThread().interrupt();
        return failed.apply("interrupted");
      } catch (ExecutionException | CancellationException e) {
        return failed.apply("error"); // a probe broke its promise not to throw
      }
    }
  }

  private <T> Pending<T> submit(Probe<T> probe, Function<String, T> failed) {
    try {
      return new Pending<>(probes.submit(probe::run), failed);
    } catch (RuntimeException e) { // closed runner
      return new Pending<>(CompletableFuture.completedFuture(failed.apply("stopped")), failed);
    }
  }

  private static <T> List<T> collect(List<Pending<T>> pending, long deadline) {
    return pending.stream().map(p -> p.await(deadline)).toList();
  }

  private static ThreadPoolExecutor pool(String name, int threads, BlockingQueue<Runnable> queue) {
    AtomicInteger n = new AtomicInteger();
    ThreadFactory factory =
        r -> {
          Thread t = new Thread(r, name + "-" + n.incrementAndGet());
          t.setDaemon(true); // never keeps the JVM alive
          return t;
        };
    // Idle threads survive 5 minutes: reused from round to round at the usual 60 s interval,
    // gone (with their stacks) when the agent is configured to check rarely.
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(threads, threads, 5, TimeUnit.MINUTES, queue, factory);
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }
}
