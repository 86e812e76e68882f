package org.enlace.server.speedtest;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.DurationRange;
import io.dropwizard.validation.ValidationMethod;
import jakarta.validation.constraints.NotNull;
import java.util.concurrent.TimeUnit;
import org.hibernate.validator.constraints.Range;

/**
 * Speed tests ({@code speedTest:} in config.yml). The ndt7 settings default to M-Lab's
 * specification and reference server (ndt-server's ndt7/spec): a subtest runs 10 s from the
 * WebSocket handshake, and its connection is closed no later than 15 s.
 */
public class SpeedTestConfig {
  /** Whether /ndt/v7/download and /ndt/v7/upload are served at all. */
  @JsonProperty private boolean enabled = true;

  /** ndt7 subtests running at once; a further request is answered 429 with Retry-After. */
  @Range(min = 1, max = 1_000)
  @JsonProperty
  private int maxConcurrentTests = 4;

  /** When the server ends a subtest with a normal close (ndt7: 10 s after the handshake). */
  // ndt7 clients (M-Lab's, the agent's) expect about 10 s and give up well before a minute.
  @NotNull
  @DurationRange(
      min = 1,
      max = 60,
      unit = TimeUnit.SECONDS,
      message = "must be between 1 second and 60 seconds")
  @JsonProperty
  private Duration maxDuration = Duration.seconds(10);

  /**
   * When a subtest's connection is dropped whatever its state (ndt7 reference server: 15 s), e.g. a
   * client that stops reading or never answers the closing handshake. Recorded as a failure.
   */
  @NotNull
  @DurationRange(
      min = 1,
      max = 120,
      unit = TimeUnit.SECONDS,
      message = "must be between 1 second and 120 seconds")
  @JsonProperty
  private Duration hardTimeout = Duration.seconds(15);

  /** Retry-After of a 429 (busy) answer. */
  // Retry-After is whole seconds, so at least 1; past an hour a busy moment costs the slot.
  @NotNull
  @DurationRange(
      min = 1,
      max = 3_600,
      unit = TimeUnit.SECONDS,
      message = "must be between 1 second and 1 hour")
  @JsonProperty
  private Duration busyRetryAfter = Duration.seconds(15);

  /**
   * Mean interval of the server's measurement messages; each interval is drawn from an exponential
   * distribution clamped to [0.1, 2.5] × mean, as M-Lab's server does (250 ms).
   */
  // Clamped draws go down to 0.1 × mean: under 100 ms that floods a slow link with messages;
  // past 2 s a 10 s test shows too few figures.
  @NotNull
  @DurationRange(
      min = 100,
      max = 2_000,
      unit = TimeUnit.MILLISECONDS,
      message = "must be between 100 milliseconds and 2 seconds")
  @JsonProperty
  private Duration measurementInterval = Duration.milliseconds(250);

  /**
   * Read the kernel's TCP_INFO of each test connection (Linux, through iproute2's {@code ss}) for
   * the TCPInfo of measurement messages and the RTT and wire bytes of the server's result. Without
   * it (other systems, no {@code ss}) the messages carry no TCPInfo.
   */
  @JsonProperty private boolean tcpInfo = true;

  /** Ndt7Server refuses it at start; said here, it is said with the other configuration errors. */
  @JsonIgnore
  @ValidationMethod(message = "hardTimeout must be longer than maxDuration")
  public boolean isHardTimeoutLongerThanMaxDuration() {
    return hardTimeout == null
        || maxDuration == null
        || hardTimeout.toNanoseconds() > maxDuration.toNanoseconds();
  }

  public boolean isEnabled() {
    return enabled;
  }

  public int getMaxConcurrentTests() {
    return maxConcurrentTests;
  }

  public Duration getMaxDuration() {
    return maxDuration;
  }

  public Duration getHardTimeout() {
    return hardTimeout;
  }

  public Duration getBusyRetryAfter() {
    return busyRetryAfter;
  }

  public Duration getMeasurementInterval() {
    return measurementInterval;
  }

  public boolean isTcpInfo() {
    return tcpInfo;
  }

  // Setters for tests and tools; Jackson binds the fields.
  public SpeedTestConfig setMaxConcurrentTests(int maxConcurrentTests) {
    this.maxConcurrentTests = maxConcurrentTests;
    return this;
  }

  public SpeedTestConfig setMaxDuration(Duration maxDuration) {
    this.maxDuration = maxDuration;
    return this;
  }

  public SpeedTestConfig setHardTimeout(Duration hardTimeout) {
    this.hardTimeout = hardTimeout;
    return this;
  }

  public SpeedTestConfig setBusyRetryAfter(Duration busyRetryAfter) {
    this.busyRetryAfter = busyRetryAfter;
    return this;
  }

  public SpeedTestConfig setMeasurementInterval(Duration measurementInterval) {
    this.measurementInterval = measurementInterval;
    return this;
  }

  public SpeedTestConfig setTcpInfo(boolean tcpInfo) {
    this.tcpInfo = tcpInfo;
    return this;
  }

  public SpeedTestConfig setEnabled(boolean enabled) {
    this.enabled = enabled;
    return this;
  }
}
