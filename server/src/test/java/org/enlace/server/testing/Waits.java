package org.enlace.server.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;

/** What the tests that run processes need: a free port, and a bounded wait for a condition. */
public final class Waits {
  private Waits() {}

  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  public static void await(String what, Duration max, BooleanSupplier condition) throws Exception {
    Instant end = Instant.now().plus(max);
    while (Instant.now().isBefore(end)) {
      if (condition.getAsBoolean()) {
        return;
      }
      Thread.sleep(250);
    }
    throw new AssertionError("timed out waiting for " + what);
  }
}
