package org.enlace.agent.cli;

public final class AgentMain {
  private AgentMain() {}

  public static void main(String[] args) {
    System.out.println("enlace-agent " + version());
  }

  static String version() {
    String v = AgentMain.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
