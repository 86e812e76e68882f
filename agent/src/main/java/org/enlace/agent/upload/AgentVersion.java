package org.enlace.agent.upload;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The agent's version: the root POM's, the same number the server reports. Read from a resource
 * Maven filters, so the agent run from {@code target/classes} (tests) names the same version as the
 * shipped jar; the manifest is the fallback for a jar repackaged without the resource.
 */
public final class AgentVersion {
  private static final String VERSION = load();

  private AgentVersion() {}

  public static String get() {
    return VERSION;
  }

  private static String load() {
    try (InputStream in =
        AgentVersion.class.getResourceAsStream("/enlace-agent-version.properties")) {
      if (in != null) {
        Properties p = new Properties();
        p.load(in);
        String v = p.getProperty("enlace.version", "");
        if (!v.isEmpty() && !v.startsWith("${")) {
          return v;
        }
      }
    } catch (IOException e) {
      // Falls through to the manifest: a version is worth less than a running agent.
    }
    String v = AgentVersion.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
