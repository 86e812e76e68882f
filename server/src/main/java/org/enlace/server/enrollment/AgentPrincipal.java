package org.enlace.server.enrollment;

import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/** An enrolled agent's credential and where its reports belong. */
// The hash is compared with MessageDigest.isEqual, never through the record's equals.
@SuppressWarnings("ArrayRecordComponent")
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
