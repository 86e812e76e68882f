package org.enlace.server.ingest;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.enlace.server.speedtest.SpeedTestSlot;

/**
 * What the server did with a report. {@code acknowledged} lists every sequence the agent may now
 * delete from its journal: the newly stored and the duplicates of ones stored before. {@code
 * speedTest}, when present, is a speed test this agent should run (protocol v1, additive: older
 * agents ignore it).
 */
@JsonInclude(JsonInclude.Include.NON_ABSENT)
public record ReportResponse(
    int protocolVersion,
    Instant serverTime,
    Optional<Long> clockOffsetMs,
    List<Long> acknowledged,
    int stored,
    int duplicates,
    List<Rejection> rejected,
    Optional<SpeedTestSlot> speedTest) {}
