package org.enlace.server.backup;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * pg_dump and pg_restore of the server's major version. A pg_dump older than the server refuses to
 * dump it (Debian 12's pg_dump 15 against PostgreSQL 17 left a 0-byte file), and a dump is restored
 * with the pg_restore that matches it, so the major version is required to match.
 */
final class PgTools {
  private static final Pattern VERSION = Pattern.compile("\\(PostgreSQL\\) (\\d+)");
  private static final Duration LONGEST = Duration.ofHours(6);

  private PgTools() {}

  /**
   * The program for {@code major}: from {@code pgBin} when given, else Debian's
   * /usr/lib/postgresql/MAJOR/bin, else the PATH when its {@code --version} says MAJOR.
   */
  static Path find(String program, int major, Optional<Path> pgBin) {
    List<Path> candidates = new ArrayList<>();
    if (pgBin.isPresent()) {
      candidates.add(pgBin.get().resolve(program));
    } else {
      candidates.add(Path.of("/usr/lib/postgresql", Integer.toString(major), "bin", program));
      String path = System.getenv("PATH");
      if (path != null) {
        for (String dir : path.split(":", -1)) {
          if (!dir.isEmpty()) {
            candidates.add(Path.of(dir, program));
          }
        }
      }
    }
    List<String> wrong = new ArrayList<>();
    for (Path p : candidates) {
      if (!Files.isExecutable(p)) {
        continue;
      }
      Optional<Integer> v = majorOf(p);
      if (v.isPresent() && v.get() == major) {
        return p;
      }
      wrong.add(p + " is " + v.map(String::valueOf).orElse("of unknown version"));
    }
    throw new BackupException(
        "The database is PostgreSQL "
            + major
            + " and needs "
            + program
            + " "
            + major
            + ", which is not installed"
            + (wrong.isEmpty() ? "" : " (" + String.join("; ", wrong) + ")")
            + ": install the Debian package postgresql-client-"
            + major
            + " (from apt.postgresql.org when Debian has no such version)"
            + (pgBin.isPresent() ? "" : ", or pass --pg-bin DIR with its directory")
            + ".");
  }

  static Optional<Integer> majorOf(Path program) {
    try {
      Matcher m = VERSION.matcher(run(List.of(program.toString(), "--version"), Map.of()));
      return m.find() ? Optional.of(Integer.parseInt(m.group(1))) : Optional.empty();
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** Runs a program to its end with extra environment; its output, or an IOException with it. */
  static String run(List<String> command, Map<String, String> env) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().putAll(env);
    pb.environment().put("LC_ALL", "C");
    Process p = pb.start();
    p.getOutputStream().close();
    byte[] out;
    try (InputStream in = p.getInputStream()) {
      out = in.readAllBytes();
    }
    try {
      if (!p.waitFor(LONGEST.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new IOException("timed out: " + command.get(0));
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted: " + command.get(0), e);
    }
    String text = new String(out, StandardCharsets.UTF_8).strip();
    if (p.exitValue() != 0) {
      throw new IOException(command.get(0) + " failed (exit " + p.exitValue() + "): " + text);
    }
    return text;
  }
}
