package org.enlace.server.enrollment;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MachineIdsTest {
  @ParameterizedTest
  @ValueSource(
      strings = {
        "03000200-0400-0500-0006-000700080009",
        "00000000-0000-0000-0000-000000000000",
        "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF",
        "To Be Filled By O.E.M.",
        "Default string",
        "Not Settable",
        "  ",
        "1234",
        "01010101-0101-0101-0101-010101010101",
        "12341234-1234-1234-1234-123412341234"
      })
  void placeholdersAreNotTrusted(String id) {
    assertThat(MachineIds.trusted(id)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "4c4c4544-0042-3510-8052-b2c04f4e3132",
        "e3b0c442-98fc-1c14-9afb-f4c8996fb924",
        "VMware-56 4d 2f 1a 3b 9c"
      })
  void realIdsAreTrusted(String id) {
    assertThat(MachineIds.trusted(id)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"4C4C4544-0042-3510-8052-B2C04F4E3132 "})
  void idsAreComparedCaseAndSpaceInsensitively(String id) {
    assertThat(MachineIds.normalize(id)).isEqualTo("4c4c4544-0042-3510-8052-b2c04f4e3132");
  }
}
