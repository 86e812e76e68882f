package org.enlace.server.testing;

import java.util.Properties;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The {@code dw.*} system properties that Dropwizard's config overrides are. Each app sets its
 * overrides when it starts and puts back what it found when it stops; two apps started at once find
 * each other's values, and the last one stopped leaves its own behind for the next test class in
 * this JVM (a data directory, a key). Tests that start several apps together take a snapshot first
 * and restore it when they are all stopped.
 */
public final class ConfigOverrides implements BeforeAllCallback, AfterAllCallback {
  private static final ExtensionContext.Namespace NS =
      ExtensionContext.Namespace.create(ConfigOverrides.class);

  /**
   * As {@code @ExtendWith(ConfigOverrides.class)} on a test class that starts and stops apps itself
   * (several on one database, or one that must fail to start): whatever its apps leave behind is
   * gone before the next class.
   */
  public ConfigOverrides() {}

  @Override
  public void beforeAll(ExtensionContext context) {
    context.getStore(NS).put("before", snapshot());
  }

  @Override
  public void afterAll(ExtensionContext context) {
    restore(context.getStore(NS).get("before", Properties.class));
  }

  public static Properties snapshot() {
    Properties before = new Properties();
    for (String k : System.getProperties().stringPropertyNames()) {
      if (k.startsWith("dw.")) {
        before.setProperty(k, System.getProperty(k));
      }
    }
    return before;
  }

  public static void restore(Properties before) {
    for (String k : System.getProperties().stringPropertyNames()) {
      if (k.startsWith("dw.") && !before.containsKey(k)) {
        System.clearProperty(k);
      }
    }
    before.stringPropertyNames().forEach(k -> System.setProperty(k, before.getProperty(k)));
  }
}
