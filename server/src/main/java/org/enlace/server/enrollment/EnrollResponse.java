package org.enlace.server.enrollment;

import java.time.Instant;
import java.util.UUID;

/** The agent's credential, shown this once; the server keeps only a hash of the secret. */
public record EnrollResponse(
    int protocolVersion,
    UUID agentId,
    String secret,
    long computerId,
    String establishment,
    boolean reenrolled,
    boolean machineIdTrusted,
    Instant serverTime) {}
