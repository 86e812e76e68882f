package org.enlace.server.ingest;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** A report body after validation: what can be stored, what cannot, and the batch's clock. */
public record ParsedReport(
    int protocolVersion,
    Optional<Instant> sentAt,
    Optional<Long> clockOffsetEstimateMs,
    long droppedObservations,
    List<Observation> observations,
    List<Long> duplicatesInBatch,
    List<Rejection> rejections) {}
