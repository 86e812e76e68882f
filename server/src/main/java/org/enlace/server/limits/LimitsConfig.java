package org.enlace.server.limits;

import com.fasterxml.jackson.annotation.JsonMerge;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.DurationRange;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import java.util.concurrent.TimeUnit;
import org.hibernate.validator.constraints.Range;

/**
 * Abuse limits ({@code limits:} in config.yml): what one credential, one user name or one client
 * address may cost the server. Documented in docs/operations.md, "Abuse limits".
 */
public class LimitsConfig {
  /** A token bucket: {@code burst} at once, then {@code perMinute} on average. */
  public static class Rate {
    @Range(min = 1, max = 1_000_000)
    @JsonProperty
    private int perMinute;

    @Range(min = 1, max = 1_000_000)
    @JsonProperty
    private int burst;

    public Rate() {}

    public Rate(int perMinute, int burst) {
      this.perMinute = perMinute;
      this.burst = burst;
    }

    public int getPerMinute() {
      return perMinute;
    }

    public int getBurst() {
      return burst;
    }
  }

  /**
   * Reports per agent credential. An agent sends one report a round (a minute); after days offline
   * it sends its backlog back to back, 500 observations a report: a week offline is 21 reports, and
   * a full default journal (16 MiB, about 300 days) about 860. 120 at once and 2 a second after
   * that drain a week at once and a full journal in about six minutes, and cap one stolen or
   * misbehaving credential at 2 reports a second instead of thousands.
   */
  // Merged: a config (or an override) that sets only perMinute keeps the default burst.
  @Valid @NotNull @JsonProperty @JsonMerge private Rate reportsPerAgent = new Rate(120, 120);

  /**
   * Failed password checks per user name, from any address: ten mistakes at once, then one a
   * minute. Checks of a password verified in the last five minutes are not limited.
   */
  @Valid @NotNull @JsonProperty @JsonMerge private Rate failedLoginsPerUser = new Rate(1, 10);

  /** Failed password checks per client address (IPv6: per /64), for any user names. */
  @Valid @NotNull @JsonProperty @JsonMerge private Rate failedLoginsPerAddress = new Rate(10, 30);

  /**
   * User names and addresses remembered per limit; idle ones are forgotten first. Past this, new
   * keys go unlimited (the hashing bound still holds) rather than locking everyone out.
   */
  @Range(min = 100, max = 10_000_000)
  @JsonProperty
  private int maxTrackedKeys = 10_000;

  /**
   * Argon2id password checks at once (each holds 19 MiB for about 0.1-0.2 s of one core); 0 means
   * half the cores, at least one.
   */
  @Range(min = 0, max = 256)
  @JsonProperty
  private int maxConcurrentPasswordChecks = 0;

  /** Password checks that may wait for one of those; further ones are answered 503 at once. */
  @Range(min = 0, max = 10_000)
  @JsonProperty
  private int maxWaitingPasswordChecks = 32;

  /** How long a password check may wait for its turn before the request is answered 503. */
  @NotNull
  @DurationRange(
      min = 0,
      max = 60,
      unit = TimeUnit.SECONDS,
      message = "must be between 0 seconds and 1 minute")
  @JsonProperty
  private Duration passwordCheckWait = Duration.seconds(2);

  /**
   * A request's line and headers must arrive within this, however slowly the bytes trickle in
   * (slowloris); the connection is closed otherwise. The connectors' {@code idleTimeout} only cuts
   * a connection that sends nothing at all for that long.
   */
  // Headers are a few hundred bytes: even a 9.6 kbit/s link sends them in under a second.
  @NotNull
  @DurationRange(
      min = 1,
      max = 600,
      unit = TimeUnit.SECONDS,
      message = "must be between 1 second and 10 minutes")
  @JsonProperty
  private Duration headerReadTimeout = Duration.seconds(20);

  public Rate getReportsPerAgent() {
    return reportsPerAgent;
  }

  public Rate getFailedLoginsPerUser() {
    return failedLoginsPerUser;
  }

  public Rate getFailedLoginsPerAddress() {
    return failedLoginsPerAddress;
  }

  public int getMaxTrackedKeys() {
    return maxTrackedKeys;
  }

  /** {@code maxConcurrentPasswordChecks} with 0 resolved against this machine. */
  public int passwordCheckPermits() {
    return maxConcurrentPasswordChecks > 0
        ? maxConcurrentPasswordChecks
        : Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
  }

  public int getMaxWaitingPasswordChecks() {
    return maxWaitingPasswordChecks;
  }

  public Duration getPasswordCheckWait() {
    return passwordCheckWait;
  }

  public Duration getHeaderReadTimeout() {
    return headerReadTimeout;
  }
}
