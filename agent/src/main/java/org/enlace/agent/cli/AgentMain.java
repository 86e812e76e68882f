package org.enlace.agent.cli;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.enlace.agent.config.AgentConfig;
import org.enlace.agent.config.Credentials;
import org.enlace.agent.config.SafeFiles;
import org.enlace.agent.config.TextFiles;
import org.enlace.agent.facts.ComputerFacts;
import org.enlace.agent.journal.Journal;
import org.enlace.agent.probe.RoundResult;
import org.enlace.agent.probe.Status;
import org.enlace.agent.run.AgentLock;
import org.enlace.agent.run.AgentLogging;
import org.enlace.agent.run.Daemon;
import org.enlace.agent.run.ObservationJson;
import org.enlace.agent.run.Rounds;
import org.enlace.agent.run.StatusFile;
import org.enlace.agent.speedtest.SpeedTestProcess;
import org.enlace.agent.upload.AgentVersion;
import org.enlace.agent.upload.ClockOffset;
import org.enlace.agent.upload.ServerClient;
import org.enlace.agent.upload.Uploader;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** {@code enlace-agent enroll|run|check|status}; exit codes in docs/agent.md. */
@Command(
    name = "enlace-agent",
    mixinStandardHelpOptions = true,
    versionProvider = AgentMain.Version.class,
    description = "Enlace connectivity agent: checks the internet from this PC and reports it.",
    subcommands = {
      AgentMain.Enroll.class,
      AgentMain.Run.class,
      AgentMain.Check.class,
      AgentMain.StatusCommand.class,
      SpeedTestCommand.class
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:success (check: online)",
      "1:unexpected error",
      "2:bad command line",
      "3:not enrolled",
      "4:the server refused the enrollment",
      "5:the server is unreachable",
      "10:check: limited",
      "11:check: offline",
      "12:an agent daemon already runs here",
      "13:speedtest: the server gives no test now (busy, budget spent, no ISP link)",
      "14:speedtest: the test failed (the failure is queued too)"
    })
public final class AgentMain {
  static final int NOT_ENROLLED = 3;
  static final int REFUSED = 4;
  static final int UNREACHABLE = 5;
  static final int LIMITED = 10;
  static final int OFFLINE = 11;
  static final int ALREADY_RUNNING = 12;

  /** How long a SIGTERM waits for the round in progress: the daemon exits within 2 s. */
  static final Duration STOP_WAIT = Duration.ofMillis(750);

  @Option(
      names = "--data-dir",
      scope = ScopeType.INHERIT,
      paramLabel = "DIR",
      description =
          "where credentials, journal, status and logs live (default: "
              + "/var/lib/enlace-agent, or %%ProgramData%%\\Enlace on Windows)")
  @Nullable Path dataDir;

  @Option(
      names = "--config",
      scope = ScopeType.INHERIT,
      paramLabel = "FILE",
      description = "settings file (default: DATA_DIR/agent.properties)")
  @Nullable Path configFile;

  public static void main(String[] args) {
    // Before anything touches java.util.logging: see AgentLogging.DeferredResetLogManager.
    System.setProperty(
        "java.util.logging.manager", AgentLogging.DeferredResetLogManager.class.getName());
    Integer daemon = FastRun.run(args);
    System.exit(daemon != null ? daemon : WithPicocli.execute(args));
  }

  /**
   * Apart, so that the daemon's path does not load even picocli's main class: the launcher resolves
   * the signatures of every method of the main class.
   */
  static final class WithPicocli {
    private WithPicocli() {}

    static int execute(String[] args) {
      return commandLine().execute(args);
    }

    public static CommandLine commandLine() {
      return new CommandLine(new AgentMain())
          .setExecutionExceptionHandler(
              (e, cmd, parsed) -> {
                cmd.getErr().println("error: " + e.getMessage());
                return 1;
              });
    }
  }

  /**
   * {@code run [--data-dir DIR] [--config FILE]}, the service's command line, without picocli: its
   * ~180 classes would otherwise stay loaded for the daemon's whole life (docs/performance.md,
   * "Footprint over an hour"). Anything else, or anything unusual in these arguments, is left to
   * picocli, which then parses it exactly as before.
   */
  static final class FastRun {
    private FastRun() {}

    /** The daemon's exit code, or null when picocli must handle {@code args}. */
    static @Nullable Integer run(String[] args) {
      AgentMain parent = parse(args);
      if (parent == null) {
        return null;
      }
      // The console's encoding, as picocli's own writer uses.
      PrintWriter err =
          new PrintWriter(new OutputStreamWriter(System.err, Charset.defaultCharset()), true);
      try {
        return Run.daemon(parent, err);
      } catch (Exception e) {
        err.println("error: " + e.getMessage()); // as the picocli path's handler says it
        return 1;
      } finally {
        err.flush();
      }
    }

    static @Nullable AgentMain parse(String[] args) {
      AgentMain parent = new AgentMain();
      boolean run = false;
      try {
        for (int i = 0; i < args.length; i++) {
          String a = args[i];
          String name = a;
          @Nullable String value = null;
          int eq = a.indexOf('=');
          if (a.startsWith("--") && eq > 0) {
            name = a.substring(0, eq);
            value = a.substring(eq + 1);
          } else if ((a.equals("--data-dir") || a.equals("--config")) && i + 1 < args.length) {
            value = args[++i];
          }
          if (a.equals("run") && !run) {
            run = true;
          } else if (value == null || value.isEmpty() || value.startsWith("-")) {
            return null;
          } else if (name.equals("--data-dir") && parent.dataDir == null) {
            parent.dataDir = Path.of(value);
          } else if (name.equals("--config") && parent.configFile == null) {
            parent.configFile = Path.of(value);
          } else {
            return null;
          }
        }
      } catch (InvalidPathException e) {
        return null; // picocli reports it
      }
      return run ? parent : null;
    }
  }

  Path dataDir() throws IOException {
    Path d = dataDir;
    if (d == null) {
      String programData = System.getenv("ProgramData");
      d =
          System.getProperty("os.name", "").startsWith("Windows") && programData != null
              ? Path.of(programData, "Enlace")
              : Path.of("/var/lib/enlace-agent");
    }
    if (!Files.exists(d)) {
      Files.createDirectories(d);
      // Credentials, journal and logs are the service account's alone.
      try {
        Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwx------"));
      } catch (UnsupportedOperationException e) {
        // Windows: %ProgramData%\Enlace inherits the ACL the installer set.
      }
    }
    return d;
  }

  AgentConfig config() throws IOException {
    return AgentConfig.load(
        configFile != null ? configFile : dataDir().resolve(AgentConfig.FILE_NAME));
  }

  /** What every subcommand shares: its parent's options and its own output streams. */
  abstract static class Subcommand implements Callable<Integer> {
    // picocli injects both before call(); nothing reads them earlier.
    @SuppressWarnings("NullAway.Init")
    @CommandLine.ParentCommand
    AgentMain parent;

    @SuppressWarnings("NullAway.Init")
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    PrintWriter out() {
      return spec.commandLine().getOut();
    }

    PrintWriter err() {
      return spec.commandLine().getErr();
    }

    /** Only while holding the {@link AgentLock}: one process owns the journal. */
    static Journal openJournal(Path dir, AgentConfig config) throws IOException {
      return Journal.open(dir.resolve("journal"), config.journal());
    }
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"enlace-agent " + AgentVersion.get()};
    }
  }

  @Command(
      name = "enroll",
      mixinStandardHelpOptions = true,
      description = "Enroll this PC with an Enlace server, using a token from IT.")
  static final class Enroll extends Subcommand {
    @Option(
        names = "--server",
        required = true,
        paramLabel = "URL",
        description = "the Enlace server, e.g. https://enlace.elcontadero-narino.gov.co")
    @SuppressWarnings("NullAway.Init") // required: picocli refuses the command line without it
    URI server;

    @CommandLine.ArgGroup(multiplicity = "1")
    @SuppressWarnings("NullAway.Init") // multiplicity 1: picocli always sets it
    TokenSource token;

    static final class TokenSource {
      @Option(
          names = "--token",
          paramLabel = "TOKEN",
          description =
              "the enrollment token "
                  + "(visible to other users in the process list; prefer --token-file)")
      @Nullable String value;

      @Option(
          names = "--token-file",
          paramLabel = "FILE",
          description = "read the enrollment token from this file ('-' for standard input)")
      @Nullable Path file;
    }

    @Option(
        names = "--role",
        defaultValue = "office",
        paramLabel = "ROLE",
        description = "office or kiosk (default: ${DEFAULT-VALUE})")
    String role = "office";

    @Override
    public Integer call() throws Exception {
      PrintWriter out = out();
      PrintWriter err = err();
      if (!role.equals("office") && !role.equals("kiosk")) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--role: office or kiosk");
      }
      Path dir = parent.dataDir();
      AgentConfig config = parent.config();
      String tokenValue = tokenValue(token);
      ComputerFacts facts = ComputerFacts.collect(dir, role, AgentVersion.get());
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("token", tokenValue);
      body.put("machineId", facts.machineId());
      body.put("hostname", facts.hostname());
      body.put("os", facts.os());
      body.put("osVersion", facts.osVersion());
      body.put("agentVersion", facts.agentVersion());
      body.put("role", facts.role());
      body.put("cpuCount", facts.cpuCount());
      if (facts.ramMb() > 0) {
        body.put("ramMb", facts.ramMb());
      }
      ServerClient client =
          new ServerClient(Rounds.proxySelector(config), config.caFile(), config.requestTimeout());
      ServerClient.Answer a;
      try {
        a =
            client.postJson(
                server.resolve("/api/v1/enroll"), JSON.std.asBytes(body), Optional.empty(), false);
      } catch (IOException e) {
        err.println("Cannot reach " + server + ": " + e);
        return UNREACHABLE;
      }
      if (a.status() != 201) {
        err.println(
            "The server refused the enrollment ("
                + a.status()
                + (a.error().isEmpty() ? "" : " " + a.error())
                + ")"
                + (a.message().isEmpty() ? "" : ": " + a.message()));
        return a.status() >= 500 ? UNREACHABLE : REFUSED;
      }
      Credentials c =
          new Credentials(
              server,
              answered(a, "agentId").toString(),
              answered(a, "secret").toString(),
              ((Number) answered(a, "computerId")).longValue(),
              String.valueOf(a.body().get("establishment")));
      c.save(dir);
      out.println(
          "Enrolled as computer "
              + c.computerId()
              + " of "
              + c.establishment()
              + (Boolean.TRUE.equals(a.body().get("reenrolled"))
                  ? " (same computer as before)"
                  : "")
              + "; agent "
              + c.agentId()
              + ". Credentials saved in "
              + dir.resolve(Credentials.FILE_NAME));
      return 0;
    }

    /** The group's multiplicity makes exactly one of the two present. */
    private static String tokenValue(TokenSource token) throws IOException {
      if (token.value != null) {
        return token.value;
      }
      Path file = token.file;
      if (file == null) {
        throw new IllegalStateException("--token or --token-file is required");
      }
      // Saved by Notepad or PowerShell too: UTF-8 with or without BOM, UTF-16 with BOM.
      return TextFiles.decode(
              file.toString().equals("-") ? System.in.readAllBytes() : Files.readAllBytes(file))
          .strip();
    }

    /** A field every 201 answer carries; an answer without it is the server's fault. */
    private static Object answered(ServerClient.Answer a, String field) throws IOException {
      Object v = a.body().get(field);
      if (v == null) {
        throw new IOException("the server's enrollment answer has no " + field);
      }
      return v;
    }
  }

  @Command(
      name = "run",
      mixinStandardHelpOptions = true,
      description = "Run the agent daemon: check every interval, keep, and report.")
  static final class Run extends Subcommand {
    @Override
    public Integer call() throws Exception {
      return daemon(parent, err());
    }

    /** The daemon, from picocli or from {@link FastRun}. */
    @SuppressWarnings("try") // the lock is held for the block, never read
    static int daemon(AgentMain parent, PrintWriter err) throws Exception {
      Path dir = parent.dataDir();
      AgentConfig config = parent.config();
      Optional<Credentials> creds = Credentials.load(dir);
      if (creds.isEmpty()) {
        err.println("Not enrolled: run 'enlace-agent enroll' first.");
        return NOT_ENROLLED;
      }
      Optional<AgentLock> lock = AgentLock.tryAcquire(dir);
      if (lock.isEmpty()) {
        err.println("Another enlace-agent daemon already runs on " + dir);
        return ALREADY_RUNNING;
      }
      AgentLogging.configure(dir, config.logMaxBytes(), config.logFiles(), true);
      try (AgentLock held = lock.get();
          Journal journal = openJournal(dir, config)) {
        ClockOffset clock = new ClockOffset();
        ServerClient client =
            new ServerClient(
                Rounds.proxySelector(config), config.caFile(), config.requestTimeout());
        Uploader uploader =
            new Uploader(
                journal,
                client,
                creds.get(),
                clock,
                config.batchMaxObservations(),
                config.batchMaxBytes(),
                config.minBackoff(),
                config.maxBackoff());
        Supplier<RoundResult> rounds = Rounds.create(config, Optional.of(creds.get().serverUrl()));
        Daemon daemon =
            new Daemon(
                dir,
                config,
                journal,
                uploader,
                clock,
                rounds,
                SpeedTestProcess.runner(
                    dir, Optional.ofNullable(parent.configFile), creds.get().serverUrl()));
        // On SIGTERM (systemd, procrun, Ctrl-C) the JVM exits once this hook returns: it waits for
        // the daemon's loop (never for the main thread, which may be inside System.exit waiting
        // for this very hook), at most STOP_WAIT, so that a stop takes under 2 s even while a
        // check waits for its timeout or an upload for the server. Whatever was journaled is
        // forced before it returns; an upload cut short is sent again after the restart.
        Runtime.getRuntime()
            .addShutdownHook(
                new Thread(
                    () -> {
                      daemon.stopAndFinish(STOP_WAIT);
                      AgentLogging.flushAndClose();
                    },
                    "enlace-shutdown"));
        daemon.run();
      } finally {
        AgentLogging.flushAndClose();
      }
      return 0;
    }
  }

  @Command(
      name = "check",
      mixinStandardHelpOptions = true,
      description = "Run one round of checks now, print it and queue it for the server.")
  static final class Check extends Subcommand {
    @SuppressWarnings("try") // the lock is held for the block, never read
    @Override
    public Integer call() throws Exception {
      Path dir = parent.dataDir();
      AgentConfig config = parent.config();
      Optional<Credentials> creds = Credentials.load(dir);
      RoundResult r = Rounds.create(config, creds.map(Credentials::serverUrl)).get();
      PrintWriter out = out();
      out.println(Rounds.describe(r));
      if (creds.isPresent()) {
        Optional<AgentLock> lock = AgentLock.tryAcquire(dir);
        if (lock.isPresent()) {
          try (AgentLock held = lock.get();
              Journal journal = openJournal(dir, config)) {
            long seq = journal.append(s -> ObservationJson.encode(s, r, Optional.empty()));
            out.println(
                "Queued as observation "
                    + seq
                    + " ("
                    + journal.pending()
                    + " waiting to be sent).");
          }
        } else {
          Path inbox = Files.createDirectories(dir.resolve(Daemon.INBOX));
          Path f = inbox.resolve(String.format("%020d.json", System.nanoTime()));
          SafeFiles.writeAtomically(f, ObservationJson.encode(-1, r, Optional.empty()), false);
          out.println("Queued for the running daemon.");
        }
      } else {
        out.println("Not enrolled: this result is not kept.");
      }
      return r.status() == Status.ONLINE ? 0 : r.status() == Status.LIMITED ? LIMITED : OFFLINE;
    }
  }

  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      description = "Show the last checks, queue, last upload, clock offset and server state.")
  static final class StatusCommand extends Subcommand {
    @SuppressWarnings("try") // the lock is held for the block, never read
    @Override
    public Integer call() throws Exception {
      Path dir = parent.dataDir();
      PrintWriter out = out();
      Optional<Credentials> creds = Credentials.load(dir);
      Map<String, Object> s = new LinkedHashMap<>(StatusFile.read(dir));
      Optional<AgentLock> lock = AgentLock.tryAcquire(dir);
      s.put("daemon", lock.isEmpty() ? "running" : "not running");
      if (lock.isPresent()) {
        try (AgentLock held = lock.get();
            Journal journal = openJournal(dir, parent.config())) {
          s.put(
              "queue",
              Map.of(
                  "pending",
                  journal.pending(),
                  "dropped",
                  journal.dropped(),
                  "diskBytes",
                  journal.diskBytes()));
          journal
              .oldestPendingAppendedAtMillis()
              .ifPresent(ms -> s.put("oldestPendingAt", Instant.ofEpochMilli(ms).toString()));
        }
      }
      if (creds.isEmpty()) {
        out.println("Not enrolled.");
      } else {
        out.println(
            "Agent "
                + creds.get().agentId()
                + ", computer "
                + creds.get().computerId()
                + " of "
                + creds.get().establishment()
                + ", server "
                + creds.get().serverUrl());
      }
      out.println(JSON.std.with(JSON.Feature.PRETTY_PRINT_OUTPUT).asString(s));
      return creds.isEmpty() ? NOT_ENROLLED : 0;
    }
  }
}
