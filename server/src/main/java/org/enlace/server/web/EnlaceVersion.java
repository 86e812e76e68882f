package org.enlace.server.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The release this server was built as: the root POM's version, which the agent built beside it
 * reports too. Read from the filtered {@code enlace-build.properties} rather than the jar manifest
 * so that tests running from {@code target/classes} see the same number as the shipped jar.
 */
public final class EnlaceVersion {
  /** Response header on the ping answer, so an agent or an operator sees which server answered. */
  public static final String HEADER = "Enlace-Version";

  private static final String VERSION = load();

  private EnlaceVersion() {}

  public static String get() {
    return VERSION;
  }

  private static String load() {
    try (InputStream in = EnlaceVersion.class.getResourceAsStream("/enlace-build.properties")) {
      if (in == null) {
        throw new IllegalStateException("enlace-build.properties is missing from the classpath");
      }
      Properties p = new Properties();
      p.load(in);
      String v = p.getProperty("enlace.version", "");
      if (v.isEmpty() || v.startsWith("${")) {
        throw new IllegalStateException("enlace-build.properties was not filtered by Maven: " + v);
      }
      return v;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
