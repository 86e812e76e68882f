package org.enlace.agent.upload;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AgentVersionTest {
  @Test
  void isTheBuildsVersionEvenWhenRunFromClasses() {
    // Surefire passes the POM's version; the agent must not fall back to "dev" in a build.
    assertThat(System.getProperty("enlace.version")).isNotBlank();
    assertThat(AgentVersion.get()).isEqualTo(System.getProperty("enlace.version"));
  }
}
