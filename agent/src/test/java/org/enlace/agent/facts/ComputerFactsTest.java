package org.enlace.agent.facts;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ComputerFactsTest {
  @TempDir Path dir;

  @Test
  void placeholderHardwareIdGivesARandomIdKeptInTheDataDirectory() throws Exception {
    String first =
        ComputerFacts.machineId(dir, Optional.of("03000200-0400-0500-0006-000700080009"));
    assertThat(first).startsWith("enlace-");
    assertThat(ComputerFacts.machineId(dir, Optional.empty())).isEqualTo(first);
    assertThat(ComputerFacts.machineId(dir, Optional.of("FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF")))
        .isEqualTo(first);
  }

  @Test
  void realHardwareIdIsUsed() throws Exception {
    assertThat(ComputerFacts.machineId(dir, Optional.of("4C4C4544-0042-3510-8052-B2C04F4E3132")))
        .isEqualTo("4c4c4544-0042-3510-8052-b2c04f4e3132");
  }

  @Test
  void factsCarryNoPersonalData() throws Exception {
    ComputerFacts f = ComputerFacts.collect(dir, "kiosk", "1.0");
    assertThat(f.cpuCount()).isPositive();
    assertThat(f.role()).isEqualTo("kiosk");
    assertThat(f.toString()).doesNotContain(System.getProperty("user.name") + "@");
  }
}
