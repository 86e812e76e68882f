package org.enlace.server.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.Deque;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.stream.Stream;

/**
 * Temporary folders that are gone when the test JVM ends. One run of the suite writes several
 * gigabytes (PostgreSQL clusters, backups, restores); a build machine that keeps them fills its
 * disk after a few dozen runs. Set {@code -Denlace.test.keepTempDirs=true} to keep them for a
 * post-mortem.
 */
public final class TempDirs {
  private static final Deque<Runnable> AT_EXIT = new ConcurrentLinkedDeque<>();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(TempDirs::runAtExit, "test-temp-cleanup"));
  }

  private TempDirs() {}

  /**
   * A new folder that PostgreSQL can reach when tests run as root (it then runs as nobody), deleted
   * at exit.
   */
  public static Path create(String prefix) throws IOException {
    Path dir = Files.createTempDirectory(prefix);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    if (!Boolean.getBoolean("enlace.test.keepTempDirs")) {
      atExit(() -> deleteRecursively(dir));
    }
    return dir;
  }

  /**
   * Runs {@code action} when the JVM ends, before everything registered earlier: a server started
   * in a folder stops before the folder is deleted.
   */
  public static void atExit(Runnable action) {
    AT_EXIT.push(action);
  }

  public static void deleteRecursively(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      paths
          .sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.deleteIfExists(p);
                } catch (IOException e) {
                  // A file a child process still writes; the rest still goes.
                }
              });
    } catch (IOException | UncheckedIOException e) {
      // Walking a tree another process is deleting; nothing left to do at exit.
    }
  }

  private static void runAtExit() {
    Runnable action;
    while ((action = AT_EXIT.poll()) != null) {
      try {
        action.run();
      } catch (RuntimeException e) {
        // One failed clean-up must not stop the others.
      }
    }
  }
}
