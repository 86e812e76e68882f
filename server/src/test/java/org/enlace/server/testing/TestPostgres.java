package org.enlace.server.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.enlace.server.db.EmbeddedPostgres;

/**
 * One real PostgreSQL for the whole test JVM (the same embedded server that production runs), with
 * a fresh database per test class. No mocks of the database layer anywhere.
 */
public final class TestPostgres {
  private static final AtomicInteger COUNTER = new AtomicInteger();
  private static volatile EmbeddedPostgres server;

  private TestPostgres() {}

  public static synchronized EmbeddedPostgres server() {
    if (server == null) {
      try {
        Path base = TempDirs.create("enlace-test-pg-");
        server = EmbeddedPostgres.start(base, 0, "nobody");
        TempDirs.atExit(server::close);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return server;
  }

  /** A new, empty database; its JDBC URL. */
  public static String newDatabase() {
    String name = "t" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
    try {
      server().createDatabase(name);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return server().jdbcUrl(name);
  }

  public static String user() {
    return server().user();
  }

  public static String password() {
    return server().password();
  }

  /**
   * A temp dir that PostgreSQL can reach when tests run as root (it then runs as nobody), deleted
   * when the JVM ends.
   */
  public static Path worldTraversableTempDir(String prefix) throws IOException {
    return TempDirs.create(prefix);
  }
}
