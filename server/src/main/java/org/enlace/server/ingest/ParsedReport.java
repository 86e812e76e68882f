package org.enlace.server.ingest;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A report body after validation: what can be stored, what cannot, the batch's clock and, from
 * agents that send it, their queue (empty for older agents).
 */
public record ParsedReport(
    int protocolVersion,
    Optional<Instant> sentAt,
    Optional<Long> clockOffsetEstimateMs,
    long droppedObservations,
    Optional<Queue> queue,
    List<Observation> observations,
    List<Long> duplicatesInBatch,
    List<Rejection> rejections) {

  /**
   * The report's {@code queue}: observations still in the agent's journal after this batch, and
   * when the oldest of them was journaled, corrected to the server's clock with the batch's
   * estimate when there is one (empty when none waits or the agent did not say).
   */
  public record Queue(long depth, Optional<Instant> oldestAt) {}
}
