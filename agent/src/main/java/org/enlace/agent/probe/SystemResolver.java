package org.enlace.agent.probe;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Lookups through the OS resolver (what browsers on the PC use), bounded by a timeout.
 *
 * <p>InetAddress has no timeout, so the lookup runs on {@code lookups}, a small bounded executor,
 * and the caller stops waiting at the timeout. A lookup still hanging keeps its thread until the OS
 * gives up; when all of them are stuck and the queue is full, further lookups answer {@code busy}
 * at once instead of piling up threads. The JVM caches answers (30 s, failures 10 s), so a lookup's
 * time may be ~0.
 */
final class SystemResolver {
  /**
   * IPv4 or IPv6 literals need no lookup, and must not wait behind hung ones: with DNS broken, a
   * TCP connect to 1.1.1.1:443 is exactly what still tells "DNS fails" from "offline".
   */
  private static final Pattern LITERAL = Pattern.compile("(\\d{1,3}\\.){3}\\d{1,3}|.*:.*");

  private SystemResolver() {}

  /** Either addresses or an error token: nxdomain, servfail, timeout, busy. */
  @SuppressWarnings("ArrayRecordComponent") // a carrier of the lookup's answer, never compared
  record Result(InetAddress @Nullable [] addresses, @Nullable String error) {}

  static Result resolve(String host, Duration timeout, ExecutorService lookups) {
    if (LITERAL.matcher(host).matches()) {
      try {
        return new Result(InetAddress.getAllByName(host), null); // parsed, not looked up
      } catch (UnknownHostException e) {
        return new Result(null, "invalid_address");
      }
    }
    Future<InetAddress[]> f;
    try {
      f = lookups.submit(() -> InetAddress.getAllByName(host));
    } catch (RejectedExecutionException e) {
      return new Result(null, "busy");
    }
    try {
      InetAddress[] all = f.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
      return all.length > 0 ? new Result(all, null) : new Result(null, "no_address");
    } catch (TimeoutException e) {
      f.cancel(true); // frees the queue slot if it never started; a running lookup cannot stop
      return new Result(null, "timeout");
    } catch (InterruptedException e) {
      f.cancel(true);
      Thread.currentThread().interrupt();
      return new Result(null, "interrupted");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnknownHostException u) {
        String msg = u.getMessage() == null ? "" : u.getMessage().toLowerCase(Locale.ROOT);
        // glibc "Temporary failure in name resolution", Windows "try again" (WSATRY_AGAIN);
        // the OS does not tell more, so everything else counts as "no such name"
        return new Result(
            null, msg.contains("temporary") || msg.contains("try again") ? "servfail" : "nxdomain");
      }
      return new Result(null, ProbeErrors.of(e.getCause()));
    }
  }
}
