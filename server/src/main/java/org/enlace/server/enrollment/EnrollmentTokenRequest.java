package org.enlace.server.enrollment;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

/** Expiry in hours (default 168, a week) and how many computers may use it (default 1). */
public record EnrollmentTokenRequest(
    @Min(1) @Max(24 * 366) Integer expiresInHours, @Min(1) @Max(100_000) Integer maxUses) {

  public int expiresInHoursOrDefault() {
    return expiresInHours == null ? 168 : expiresInHours;
  }

  public int maxUsesOrDefault() {
    return maxUses == null ? 1 : maxUses;
  }
}
