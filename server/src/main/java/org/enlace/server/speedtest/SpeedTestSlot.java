package org.enlace.server.speedtest;

import java.time.Instant;

/**
 * A speed test offered to an agent (in a report response, or from POST /api/v1/speedtest/slot): run
 * it once, at a random moment in [notBefore, notAfter). The URLs are relative to the server URL the
 * agent reports to and carry single-use tokens; maxBytes is the test's whole allowance.
 */
public record SpeedTestSlot(
    String testId,
    Instant notBefore,
    Instant notAfter,
    String downloadUrl,
    String uploadUrl,
    long maxBytes,
    int connections) {}
