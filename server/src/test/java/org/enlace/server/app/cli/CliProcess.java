package org.enlace.server.app.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An enlace-server command in its own JVM, as an operator runs it beside a running server: its own
 * process (so an embedded PostgreSQL owned by the test JVM is attached to, not adopted), its exit
 * status, and what it printed.
 */
public final class CliProcess {
  /** What a command did. */
  public record Result(int exit, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exit + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
    }
  }

  private CliProcess() {}

  /** A config file: the data directory, and the external database when {@code url} is set. */
  public static Path config(Path dataDir, String url, String user, String password)
      throws IOException {
    Path config = Files.createTempFile("enlace-cli-", ".yml");
    String db =
        url.isEmpty()
            ? ""
            : "database:\n  url: "
                + url
                + "\n  user: "
                + user
                + "\n  password: \""
                + password
                + "\"\n";
    Files.writeString(config, "dataDir: " + dataDir + "\n" + db + "logging:\n  level: WARN\n");
    return config;
  }

  /** Runs {@code args} followed by the config file. */
  public static Result run(Path config, String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("org.enlace.server.app.EnlaceApplication");
    cmd.addAll(List.of(args));
    cmd.add(config.toString());
    Path out = Files.createTempFile("enlace-cli-out-", ".txt");
    Path err = Files.createTempFile("enlace-cli-err-", ".txt");
    ProcessBuilder pb =
        new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
    pb.environment().remove("ENLACE_DATA_DIR");
    pb.environment().remove("ENLACE_DB_URL");
    Process p = pb.start();
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("timed out: " + String.join(" ", args));
    }
    Result r =
        new Result(
            p.exitValue(),
            Files.readString(out, StandardCharsets.UTF_8),
            Files.readString(err, StandardCharsets.UTF_8));
    Files.deleteIfExists(out);
    Files.deleteIfExists(err);
    return r;
  }
}
