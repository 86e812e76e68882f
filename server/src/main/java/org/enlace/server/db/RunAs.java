package org.enlace.server.db;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The unprivileged account PostgreSQL runs as when Enlace runs as root: PostgreSQL refuses to run
 * as root, so its commands are started through {@code setpriv} as this account, which owns the
 * cluster directory.
 */
record RunAs(String name, int uid, int gid) {

  /**
   * Who runs the cluster in {@code dataDir}: ourselves unless we are root. As root, an existing
   * cluster keeps running as whoever owns it (the server's own account, when an operator runs a
   * command with sudo); only a new one is given to {@code runAsUser}.
   */
  static Optional<RunAs> forCluster(Path dataDir, boolean fresh, String runAsUser)
      throws IOException {
    if (!isRoot()) {
      return Optional.empty();
    }
    String owner = fresh ? runAsUser : Files.getOwner(dataDir).getName();
    return Optional.of(lookup("root".equals(owner) ? runAsUser : owner));
  }

  static RunAs lookup(String name) throws IOException {
    if (name == null || name.isBlank()) {
      throw new IOException(
          "Enlace runs as root and database.embedded.runAsUser is empty: "
              + "PostgreSQL cannot run as root.");
    }
    return new RunAs(
        name,
        Integer.parseInt(exec(Optional.empty(), Duration.ofSeconds(10), "id", "-u", name).trim()),
        Integer.parseInt(exec(Optional.empty(), Duration.ofSeconds(10), "id", "-g", name).trim()));
  }

  private static boolean isRoot() {
    try {
      Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
      return Integer.valueOf(0).equals(uid);
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return "root".equals(System.getProperty("user.name"));
    }
  }

  List<String> prefix() {
    return List.of("setpriv", "--reuid=" + uid, "--regid=" + gid, "--clear-groups", "--");
  }

  void chown(Path path) throws IOException {
    exec(Optional.empty(), Duration.ofMinutes(2), "chown", "-R", uid + ":" + gid, path.toString());
  }

  void chownQuietly(Path path) {
    try {
      chown(path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Fails early, with the fix, when the account cannot reach the data directory: asked of the
   * system as that account, so owner, group and ACLs all count.
   */
  void checkCanReach(Path dir) throws IOException {
    for (Path p = dir.getParent(); p != null; p = p.getParent()) {
      try {
        exec(Optional.of(this), Duration.ofSeconds(10), "test", "-x", p.toString());
      } catch (IOException e) {
        throw new IOException(
            "Enlace runs as root, so its embedded PostgreSQL runs as '"
                + name
                + "', which cannot enter "
                + p
                + ". Run Enlace as the account that owns the data "
                + "directory, make "
                + p
                + " reachable by '"
                + name
                + "', or set database.url.");
      }
    }
  }

  /** Runs a command to its end, as {@code runAs} when given, and returns its output. */
  static String exec(Optional<RunAs> runAs, Duration timeout, String... command)
      throws IOException {
    List<String> cmd = new ArrayList<>();
    runAs.ifPresent(r -> cmd.addAll(r.prefix()));
    cmd.addAll(List.of(command));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("LC_ALL", "C");
    pb.environment().remove("PGDATA");
    Process p = pb.start();
    // pg_ctl start leaves the postmaster running with our pipe as its stdout unless it is closed;
    // the -l log file takes the server's output, so reading to EOF here is safe.
    byte[] out;
    try (InputStream in = p.getInputStream()) {
      out = in.readAllBytes();
    }
    try {
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new IOException("Timed out: " + String.join(" ", cmd));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("Interrupted: " + String.join(" ", cmd), e);
    }
    String text = new String(out, StandardCharsets.UTF_8);
    if (p.exitValue() != 0) {
      throw new IOException(
          "Command failed (exit " + p.exitValue() + "): " + String.join(" ", cmd) + "\n" + text);
    }
    return text;
  }
}
