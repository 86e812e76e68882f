package org.enlace.server.enrollment;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.jspecify.annotations.Nullable;

/** Expiry in hours (default 168, a week) and how many computers may use it (default 1). */
public record EnrollmentTokenRequest(
    // Either may be left out of the request: the defaults below apply.
    @Min(1) @Max(24 * 366) @Nullable Integer expiresInHours,
    @Min(1) @Max(100_000) @Nullable Integer maxUses) {

  public int expiresInHoursOrDefault() {
    return expiresInHours == null ? 168 : expiresInHours;
  }

  public int maxUsesOrDefault() {
    return maxUses == null ? 1 : maxUses;
  }
}
