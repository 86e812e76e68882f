package org.enlace.server.enrollment;

import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/** An enrolled agent's credential and where its reports belong. */
public record AgentPrincipal(
    long agentId,
    UUID publicId,
    long computerId,
    long establishmentId,
    Instant enrolledAt,
    byte[] secretHash,
    Optional<Instant> revokedAt,
    String revokedReason,
    Optional<Instant> supersededAt,
    String computerState) {}
