package org.enlace.server.enrollment;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/** Protocol v1 enrollment: the token and the computer's facts. No personal data. */
@com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
public record EnrollRequest(
    @NotNull @Size(min = 8, max = 200) String token,
    @NotBlank @Size(max = 200) String machineId,
    @NotBlank @Size(max = 255) String hostname,
    @Size(max = 100) String os,
    @Size(max = 100) String osVersion,
    @NotNull @Size(min = 1, max = 50) String agentVersion,
    @NotNull @Pattern(regexp = "^(office|kiosk)$", message = "must be office or kiosk") String role,
    @Min(1) @Max(4096) Integer cpuCount,
    @Min(1) @Max(16_777_216) Long ramMb) {

  ComputerFacts facts() {
    return new ComputerFacts(
        MachineIds.normalize(machineId),
        MachineIds.trusted(machineId),
        hostname.trim(),
        os == null ? "" : os,
        osVersion == null ? "" : osVersion,
        cpuCount,
        ramMb,
        agentVersion,
        role);
  }

  record ComputerFacts(
      String machineId,
      boolean trusted,
      String hostname,
      String os,
      String osVersion,
      Integer cpuCount,
      Long ramMb,
      String agentVersion,
      String role) {}
}
