package org.enlace.agent.upload;

/** The agent's version, from the jar manifest. */
public final class AgentVersion {
  private AgentVersion() {}

  public static String get() {
    String v = AgentVersion.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
