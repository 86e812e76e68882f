package org.enlace.server.ingest;

import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/**
 * One validated observation, with its time corrected to the server's clock; {@code index} is its
 * place in the report's {@code observations} array (for a rejection found at commit time).
 */
@SuppressWarnings("ArrayRecordComponent") // primitive arrays for speed; never compared or hashed
public record Observation(
    long seq,
    Instant agentTime,
    Instant observedAt,
    long clockOffsetMs,
    TimeSource timeSource,
    String status,
    String reason,
    String checksJson,
    Optional<String> speedTestJson,
    Optional<String> interfaceCountersJson,
    double[] latencyMs,
    Optional<SpeedTest> speedTest,
    int index) {

  /** The figures of a reported speed test that the evidence reports use. */
  public record SpeedTest(
      String method,
      Optional<UUID> testId,
      Optional<Double> downMbps,
      Optional<Double> upMbps,
      Optional<Double> latencyMs,
      Optional<Double> latencyLoadedMs,
      Optional<String> error) {}

  /** How the stored time was obtained. */
  public enum TimeSource {
    /** the agent's own offset estimate, made against this server's clock */
    AGENT,
    /** this server's estimate from the batch's {@code sentAt} */
    SERVER_ESTIMATE,
    /** neither was available: the agent's clock, unverified */
    UNVERIFIED;

    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** As stored (migration V14, observation_codes); never renumbered. */
    public short code() {
      return switch (this) {
        case AGENT -> 0;
        case SERVER_ESTIMATE -> 1;
        case UNVERIFIED -> 2;
      };
    }
  }
}
