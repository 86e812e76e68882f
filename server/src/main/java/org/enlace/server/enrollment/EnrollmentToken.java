package org.enlace.server.enrollment;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.Optional;

/** An enrollment token as listed; the token itself is only ever shown when created. */
@JsonInclude(JsonInclude.Include.NON_ABSENT)
public record EnrollmentToken(
    long id,
    String establishment,
    String prefix,
    Instant expiresAt,
    int maxUses,
    int uses,
    Optional<Instant> revokedAt,
    String createdBy,
    Instant createdAt,
    Optional<String> token) {

  public String state(Instant now) {
    if (revokedAt.isPresent()) {
      return "revoked";
    }
    if (!expiresAt.isAfter(now)) {
      return "expired";
    }
    return uses >= maxUses ? "used_up" : "active";
  }
}
