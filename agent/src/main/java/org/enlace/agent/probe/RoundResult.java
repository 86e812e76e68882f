package org.enlace.agent.probe;

import java.time.Instant;

/** One round of checks: when (agent clock), the status, why, and what was measured. */
public record RoundResult(Instant at, Status status, String reason, CheckResults checks) {}
