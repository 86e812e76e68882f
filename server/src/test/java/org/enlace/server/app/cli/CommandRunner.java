package org.enlace.server.app.cli;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.enlace.server.app.EnlaceApplication;
import org.enlace.server.testing.TestApp;
import org.enlace.server.testing.TestPostgres;

/** Runs an enlace-server command the way an operator does, against a test app's database. */
public final class CommandRunner {
  private final Path config;

  public CommandRunner(TestApp app) throws Exception {
    this(app.extension().getConfiguration().getDatabase().getUrl(), app.dataDir());
  }

  /** With more configuration, as YAML appended to the generated file. */
  public CommandRunner(TestApp app, String extraYaml) throws Exception {
    this(app);
    Files.writeString(config, extraYaml, StandardOpenOption.APPEND);
  }

  public CommandRunner(String databaseUrl, Path dataDir) throws Exception {
    config = Files.createTempFile("enlace-cli-", ".yml");
    String db =
        databaseUrl.isEmpty()
            ? ""
            : "database:\n  url: "
                + databaseUrl
                + "\n  user: "
                + TestPostgres.user()
                + "\n  password: "
                + TestPostgres.password()
                + "\n";
    Files.writeString(config, "dataDir: " + dataDir + "\n" + db + "logging:\n  level: WARN\n");
  }

  /** Returns what the command printed; fails the test if it failed. */
  public synchronized String run(InputStream stdin, String... args) throws Exception {
    String[] full = new String[args.length + 1];
    System.arraycopy(args, 0, full, 0, args.length);
    full[args.length] = config.toString();
    InputStream oldIn = System.in;
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    boolean[] failed = {false};
    try {
      System.setIn(stdin);
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      new EnlaceApplication() {
        @Override
        protected void onFatalError(Throwable t) {
          failed[0] = true;
          if (t != null) {
            t.printStackTrace(oldOut);
          }
        }
      }.run(full);
    } finally {
      System.setIn(oldIn);
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
    String printed = out.toString(StandardCharsets.UTF_8);
    if (failed[0]) {
      throw new AssertionError(
          "command failed: "
              + String.join(" ", args)
              + "\n"
              + printed
              + err.toString(StandardCharsets.UTF_8));
    }
    return printed;
  }

  public String run(String... args) throws Exception {
    return run(InputStream.nullInputStream(), args);
  }
}
