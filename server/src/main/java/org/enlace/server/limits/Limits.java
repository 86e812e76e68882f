package org.enlace.server.limits;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.enlace.server.web.ApiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The abuse limits the server applies, and their meter {@code enlace_rate_limited_total{reason}}:
 * reports per agent credential, failed password checks per user name and per client address.
 */
public final class Limits {
  private static final Logger LOG = LoggerFactory.getLogger(Limits.class);

  /** User names longer than this are counted by their first characters (bounded memory). */
  private static final int MAX_KEY_CHARS = 100;

  private final TokenBuckets<UUID> reports;
  private final TokenBuckets<String> failedByUser;
  private final TokenBuckets<String> failedByAddress;
  private final MeterRegistry meters;
  private final ConcurrentHashMap<String, Counter> limited = new ConcurrentHashMap<>();
  private final AtomicLong lastFullWarning = new AtomicLong(System.nanoTime() - 120_000_000_000L);

  public Limits(LimitsConfig config, MeterRegistry meters) {
    this.reports = new TokenBuckets<>(config.getReportsPerAgent(), config.getMaxTrackedKeys());
    this.failedByUser =
        new TokenBuckets<>(config.getFailedLoginsPerUser(), config.getMaxTrackedKeys());
    this.failedByAddress =
        new TokenBuckets<>(config.getFailedLoginsPerAddress(), config.getMaxTrackedKeys());
    this.meters = meters;
    Gauge.builder("enlace.rate.limit.tracked.keys", failedByUser, TokenBuckets::size)
        .description("Keys (agents, user names, addresses) a rate limit remembers now")
        .tag("limit", "failed_logins_per_user")
        .register(meters);
    Gauge.builder("enlace.rate.limit.tracked.keys", failedByAddress, TokenBuckets::size)
        .tag("limit", "failed_logins_per_address")
        .register(meters);
    Gauge.builder("enlace.rate.limit.tracked.keys", reports, TokenBuckets::size)
        .tag("limit", "reports_per_agent")
        .register(meters);
    for (String reason :
        new String[] {
          "reports_per_agent",
          "failed_logins_per_user",
          "failed_logins_per_address",
          "password_checks_busy",
          "slow_header"
        }) {
      counter(reason);
    }
  }

  /** Lets one report of this agent through, or throws 429 with Retry-After. */
  public void admitReport(UUID agent) {
    TokenBuckets.Decision d = reports.take(agent);
    if (!d.allowed()) {
      counter("reports_per_agent").increment();
      throw ApiException.retryLater(
          429,
          "too_many_reports",
          "this agent sends reports faster than the server takes them from one agent; "
              + "nothing from this report was acknowledged, send it again after Retry-After",
          d.retryAfter());
    }
  }

  /**
   * Before a password check: a 429 when this user name or this address has failed too often lately;
   * empty when the check may run.
   */
  public Optional<ApiException> refuseLogin(String username, String address) {
    Duration user = failedByUser.waitFor(userKey(username));
    Duration from = failedByAddress.waitFor(addressKey(address));
    if (user.isZero() && from.isZero()) {
      return Optional.empty();
    }
    String reason =
        user.compareTo(from) >= 0 ? "failed_logins_per_user" : "failed_logins_per_address";
    counter(reason).increment();
    return Optional.of(
        ApiException.retryLater(
            429,
            "too_many_failed_logins",
            "too many wrong passwords "
                + (reason.equals("failed_logins_per_user")
                    ? "for this user name"
                    : "from this address")
                + " lately; try again after Retry-After",
            user.compareTo(from) >= 0 ? user : from));
  }

  /** After a failed password check: counts it against the user name and the address. */
  public void loginFailed(String username, String address) {
    TokenBuckets.Decision u = failedByUser.take(userKey(username));
    TokenBuckets.Decision a = failedByAddress.take(addressKey(address));
    long now = System.nanoTime();
    long last = lastFullWarning.get();
    if ((u.untracked() || a.untracked())
        && now - last > 60_000_000_000L
        && lastFullWarning.compareAndSet(last, now)) {
      LOG.warn(
          "event=rate_limit_full limit=failed_logins detail=\"too many user names or addresses at once; new ones are not limited\"");
    }
  }

  /** Counts a refusal made elsewhere (a busy hasher, a slow header). */
  public void count(String reason) {
    counter(reason).increment();
  }

  private Counter counter(String reason) {
    return limited.computeIfAbsent(
        reason,
        r ->
            Counter.builder("enlace.rate.limited")
                .description("Requests refused or connections cut by an abuse limit, by reason")
                .tag("reason", r)
                .register(meters));
  }

  private static String userKey(String username) {
    return username.length() <= MAX_KEY_CHARS ? username : username.substring(0, MAX_KEY_CHARS);
  }

  /**
   * The socket's address, as Jetty reports it (there is no proxy in front of Enlace; behind one,
   * every client would share the proxy's address). IPv6 clients are counted per /64, the block a
   * single host usually controls.
   */
  static String addressKey(String address) {
    if (address == null || address.indexOf(':') < 0) {
      return address == null ? "" : address;
    }
    try {
      byte[] b = InetAddress.getByName(address).getAddress();
      if (b.length != 16) {
        return address;
      }
      StringBuilder s = new StringBuilder();
      for (int i = 0; i < 8; i += 2) {
        s.append(Integer.toHexString(((b[i] & 0xff) << 8) | (b[i + 1] & 0xff))).append(':');
      }
      return s.append(":/64").toString();
    } catch (UnknownHostException e) {
      return address;
    }
  }
}
