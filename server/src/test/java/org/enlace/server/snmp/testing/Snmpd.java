package org.enlace.server.snmp.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.enlace.server.testing.TempDirs;
import org.junit.jupiter.api.Assumptions;
import org.snmp4j.CommunityTarget;
import org.snmp4j.PDU;
import org.snmp4j.Snmp;
import org.snmp4j.event.ResponseEvent;
import org.snmp4j.mp.SnmpConstants;
import org.snmp4j.smi.OID;
import org.snmp4j.smi.OctetString;
import org.snmp4j.smi.TimeTicks;
import org.snmp4j.smi.UdpAddress;
import org.snmp4j.smi.VariableBinding;
import org.snmp4j.transport.DefaultUdpTransportMapping;

/**
 * The real Net-SNMP agent ({@code /usr/sbin/snmpd}) for tests, on a UDP port of its own, with a
 * generated configuration in a temporary directory and no system configuration read ({@code -C}).
 *
 * <p>By default it serves the system group and IF-MIB from {@link ScriptedIfMib} (pass_persist,
 * registered for mib-2, with snmpd's own system/ifTable/ifXTable modules left out via {@code -I}),
 * and {@link #state(MibState)} changes what it answers. With {@code scripted(false)} it serves the
 * host's (or the network namespace's) real interfaces.
 *
 * <p>Runs as whatever user the JVM runs as; root is fine (snmpd keeps running as root unless told
 * {@code -u}), and so is an unprivileged user, as long as the port is above 1023.
 *
 * <pre>
 * try (Snmpd snmpd = Snmpd.start(new MibState().uptime(100).iface(1, i -&gt; i.name("wan0")))) {
 *   poll("127.0.0.1/" + snmpd.port(), snmpd.community());
 * }
 * </pre>
 */
public final class Snmpd implements AutoCloseable {
  /** The agent; {@code -Denlace.snmpd=/path} points elsewhere (a nonexistent path skips). */
  public static final Path SNMPD = Path.of(System.getProperty("enlace.snmpd", "/usr/sbin/snmpd"));

  public static final String DEFAULT_COMMUNITY = "enlace-ro";

  /** snmpd modules that would answer in system/interfaces/ifMIB before pass_persist does. */
  public static final List<String> NATIVE_MODULES_REPLACED =
      List.of("system_mib", "sysORTable", "ifTable", "ifXTable");

  static final String MIB2 = ".1.3.6.1.2.1";
  private static final OID SYS_UPTIME = new OID("1.3.6.1.2.1.1.3.0");

  /**
   * An SNMPv3 user as snmpd's {@code createUser} spells it: auth one of MD5, SHA, SHA-224, SHA-256,
   * SHA-384, SHA-512; priv null (authNoPriv), DES, AES (128), AES-192, AES-256 (Blumenthal key
   * extension) or AES-192-C, AES-256-C (Reeder/"Cisco" key extension). Passphrases: at least 8
   * characters, no double quotes.
   */
  public record V3User(
      String name,
      String authProtocol,
      String authPassphrase,
      String privProtocol,
      String privPassphrase) {
    public V3User {
      check(authPassphrase);
      if (privProtocol != null) {
        check(privPassphrase);
      }
    }

    private static void check(String pass) {
      if (pass == null || pass.length() < 8 || pass.contains("\"") || pass.contains("\n")) {
        throw new IllegalArgumentException("snmpd needs passphrases of >= 8 chars, no quotes");
      }
    }

    public boolean priv() {
      return privProtocol != null;
    }

    String createUserLine() {
      return "createUser "
          + name
          + " "
          + authProtocol
          + " \""
          + authPassphrase
          + "\""
          + (priv() ? " " + privProtocol + " \"" + privPassphrase + "\"" : "");
    }

    String rouserLine() {
      return "rouser " + name + (priv() ? " priv" : " auth");
    }
  }

  public static final V3User AUTH_PRIV_SHA =
      new V3User("authPrivSha", "SHA", "enlace-auth-sha1", "AES", "enlace-priv-aes128");
  public static final V3User AUTH_PRIV_SHA256_AES256 =
      new V3User(
          "authPrivSha256Aes256", "SHA-256", "enlace-auth-sha256", "AES-256", "enlace-priv-aes256");
  public static final V3User AUTH_NO_PRIV =
      new V3User("authNoPriv", "SHA", "enlace-auth-nopriv", null, null);

  /** SHA-1's 20-byte key is too short for AES-256, so this one exercises key extension. */
  public static final V3User AUTH_PRIV_SHA_AES256 =
      new V3User(
          "authPrivShaAes256", "SHA", "enlace-auth-sha1-256", "AES-256", "enlace-priv-sha1-aes256");

  /** As {@link #AUTH_PRIV_SHA_AES256} with the Reeder ("Cisco", 3DES-style) key extension. */
  public static final V3User AUTH_PRIV_SHA_AES256_CISCO =
      new V3User(
          "authPrivShaAes256C",
          "SHA",
          "enlace-auth-sha1-256c",
          "AES-256-C",
          "enlace-priv-sha1-aes256c");

  public static final List<V3User> DEFAULT_USERS =
      List.of(
          AUTH_PRIV_SHA,
          AUTH_PRIV_SHA256_AES256,
          AUTH_NO_PRIV,
          AUTH_PRIV_SHA_AES256,
          AUTH_PRIV_SHA_AES256_CISCO);

  public static boolean installed() {
    return Files.isExecutable(SNMPD);
  }

  /** Skips the calling test when snmpd is not installed (Debian package {@code snmpd}). */
  public static void assumeInstalled() {
    Assumptions.assumeTrue(installed(), SNMPD + " not installed (apt-get install snmpd)");
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Loopback, auto port, default community and users, serving {@code state}; skips the calling test
   * if snmpd is not installed.
   */
  public static Snmpd start(MibState state) throws IOException {
    return builder().state(state).start();
  }

  public static final class Builder {
    private String community = DEFAULT_COMMUNITY;
    private List<V3User> users = DEFAULT_USERS;
    private MibState state = new MibState();
    private boolean scripted = true;
    private String netns;
    private String host = "127.0.0.1";
    private int port;
    private Duration startTimeout = Duration.ofSeconds(30);
    private String debugTokens;
    private final List<String> extraConfig = new ArrayList<>();

    private Builder() {}

    /** The v2c read-only community (any source address). */
    public Builder community(String community) {
      this.community = community;
      return this;
    }

    public Builder users(List<V3User> users) {
      this.users = List.copyOf(users);
      return this;
    }

    /** Initial scripted state (ignored unless scripted). */
    public Builder state(MibState state) {
      this.state = state.copy();
      return this;
    }

    /** false: no pass_persist; snmpd's own modules serve the real interfaces and uptime. */
    public Builder scripted(boolean scripted) {
      this.scripted = scripted;
      return this;
    }

    /** Runs snmpd via {@code ip netns exec <netns>}; the namespace must exist (root needed). */
    public Builder netns(String netns) {
      this.netns = netns;
      return this;
    }

    /** The IPv4 address to listen on; default 127.0.0.1. */
    public Builder host(String host) {
      this.host = host;
      return this;
    }

    /** The UDP port; default 0 = a free high port, retried if snmpd cannot bind it. */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    public Builder startTimeout(Duration startTimeout) {
      this.startTimeout = startTimeout;
      return this;
    }

    /** snmpd {@code -D} tokens, e.g. "pass_persist" or "usm,snmp", logged to {@link #logFile}. */
    public Builder debug(String tokens) {
      this.debugTokens = tokens;
      return this;
    }

    /** A raw snmpd.conf line appended to the generated configuration. */
    public Builder config(String line) {
      this.extraConfig.add(line);
      return this;
    }

    /** Starts snmpd and waits until it answers; skips the calling test if it is not installed. */
    public Snmpd start() throws IOException {
      assumeInstalled();
      Snmpd s = new Snmpd(this);
      try {
        s.launch();
      } catch (IOException | RuntimeException e) {
        s.close();
        throw e;
      }
      return s;
    }
  }

  private final String community;
  private final List<V3User> users;
  private final boolean scripted;
  private final String netns;
  private final String host;
  private final boolean autoPort;
  private final Duration startTimeout;
  private final String debugTokens;
  private final Path dir;
  private final Path configFile;
  private final Path stateFile;
  private final Path logFile;
  private final Thread shutdownHook;
  private int port;
  private MibState state;
  private Process process;
  private List<String> commandLine = List.of();
  private boolean paused;
  private boolean closed;

  private Snmpd(Builder b) throws IOException {
    this.community = b.community;
    this.users = b.users;
    this.scripted = b.scripted;
    this.netns = b.netns;
    this.host = b.host;
    this.autoPort = b.port == 0;
    this.port = b.port;
    this.startTimeout = b.startTimeout;
    this.debugTokens = b.debugTokens;
    this.state = b.state;
    this.dir = TempDirs.create("enlace-snmpd-");
    this.configFile = dir.resolve("snmpd.conf");
    this.stateFile = dir.resolve("ifmib.state");
    this.logFile = dir.resolve("snmpd.log");
    Files.createDirectories(dir.resolve("persist"));
    if (scripted) {
      state.writeTo(stateFile);
      writeWrapper(dir.resolve("scripted-ifmib.sh"));
    }
    Files.writeString(configFile, config(b.extraConfig));
    // A JVM that exits without close() (a test forgot, or ^C) must not leave snmpd running.
    this.shutdownHook = new Thread(this::stopQuietly, "snmpd-" + dir.getFileName() + "-stop");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  // --- accessors ---

  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  /** SNMP4J's address of the agent. */
  public UdpAddress udpAddress() {
    return new UdpAddress(host + "/" + port);
  }

  public String community() {
    return community;
  }

  public List<V3User> users() {
    return users;
  }

  public V3User user(String name) {
    return users.stream()
        .filter(u -> u.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no v3 user " + name));
  }

  public boolean scripted() {
    return scripted;
  }

  public Optional<String> netns() {
    return Optional.ofNullable(netns);
  }

  /** snmpd's process id (the same process {@code ip netns exec} started). */
  public synchronized long pid() {
    if (process == null) {
      throw new IllegalStateException("snmpd is not running");
    }
    return process.pid();
  }

  public Path dir() {
    return dir;
  }

  public Path configFile() {
    return configFile;
  }

  public Path stateFile() {
    return stateFile;
  }

  public Path logFile() {
    return logFile;
  }

  public synchronized List<String> commandLine() {
    return commandLine;
  }

  public synchronized boolean isRunning() {
    return process != null && process.isAlive();
  }

  public synchronized boolean isPaused() {
    return paused;
  }

  // --- control ---

  /** A copy of the state last published. */
  public synchronized MibState state() {
    return state.copy();
  }

  /**
   * Publishes {@code next}: the pass_persist program serves it from its next request on (it stats
   * the file on every request). Only for scripted instances.
   */
  public synchronized void state(MibState next) {
    if (!scripted) {
      throw new IllegalStateException("snmpd serves real interfaces (scripted(false))");
    }
    if (closed) {
      throw new IllegalStateException("closed");
    }
    try {
      next.copy().writeTo(stateFile);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    state = next.copy();
  }

  /** SIGSTOP: requests go unanswered (time out) as if the device were down. */
  public synchronized void pause() {
    requireRunning();
    signal("STOP");
    paused = true;
  }

  /**
   * SIGCONT: answers again (requests that arrived meanwhile are answered late, from the socket
   * buffer).
   */
  public synchronized void resume() {
    requireRunning();
    signal("CONT");
    paused = false;
  }

  /**
   * Stops and starts snmpd again on the same port and configuration: a device reboot. Net-SNMP
   * makes up a new engine ID (nothing persisted is read under -C) and restarts engineBoots.
   */
  public synchronized void restart() throws IOException {
    stop();
    launch();
  }

  /** Stops snmpd (and its pass_persist child); {@link #close()} also removes the directory. */
  public synchronized void stop() {
    if (process == null) {
      return;
    }
    List<ProcessHandle> children = process.descendants().toList();
    if (paused) {
      signal("CONT"); // a stopped process keeps SIGTERM pending forever
      paused = false;
    }
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
      // snmpd closes the pass_persist pipes on exit, and the program ends at EOF.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
      for (ProcessHandle child : children) {
        while (child.isAlive() && System.nanoTime() < deadline) {
          Thread.sleep(20);
        }
        if (child.isAlive()) {
          child.destroyForcibly();
        }
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      children.forEach(ProcessHandle::destroyForcibly);
      Thread.currentThread().interrupt();
    }
    process = null;
  }

  /** Stops snmpd and deletes its directory (kept if {@code -Denlace.snmpd.keep=true}). */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    stop();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running or will run; stop() is idempotent
    }
    if (!Boolean.getBoolean("enlace.snmpd.keep")) {
      TempDirs.deleteRecursively(dir);
    }
  }

  /**
   * The last {@code lines} lines of snmpd's log (its stdout/stderr, and the pass_persist program's
   * stderr).
   */
  public String logTail(int lines) {
    try {
      if (!Files.exists(logFile)) {
        return "(no log)";
      }
      List<String> all = Files.readAllLines(logFile, StandardCharsets.ISO_8859_1);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(cannot read " + logFile + ": " + e + ")";
    }
  }

  @Override
  public String toString() {
    return "Snmpd["
        + (netns != null ? netns + ":" : "")
        + host
        + ":"
        + port
        + (scripted ? ", scripted" : ", real interfaces")
        + ", "
        + dir
        + "]";
  }

  // --- internals ---

  private String config(List<String> extra) {
    StringBuilder c = new StringBuilder();
    c.append("# Generated by ").append(Snmpd.class.getName()).append(" for a test.\n");
    c.append("[snmp] persistentDir ").append(dir.resolve("persist")).append('\n');
    c.append("# No \"Connection from UDP\" line per request.\n");
    c.append("dontLogTCPWrappersConnects yes\n");
    c.append("rocommunity ").append(community).append(" default\n");
    for (V3User u : users) {
      c.append(u.createUserLine()).append('\n');
      c.append(u.rouserLine()).append('\n');
    }
    if (scripted) {
      // One registration, one JVM: modules registered deeper in mib-2 (ip, tcp, udp, host...)
      // still win for their subtrees; system/interfaces/ifMIB have no other module (-I).
      c.append("pass_persist ")
          .append(MIB2)
          .append(' ')
          .append(dir.resolve("scripted-ifmib.sh"))
          .append('\n');
    }
    extra.forEach(line -> c.append(line).append('\n'));
    return c.toString();
  }

  private void writeWrapper(Path script) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String s =
        "#!/bin/sh\n"
            + "# snmpd's pass_persist program (snmpd splits the command on blanks, so no arguments"
            + " there).\n"
            + "exec "
            + quote(java)
            + " -Xshare:auto -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData"
            + " -cp "
            + quote(classPath())
            + " "
            + ScriptedIfMib.class.getName()
            + " "
            + quote(stateFile.toString())
            + "\n";
    Files.writeString(script, s);
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  /** Where ScriptedIfMib was loaded from (target/test-classes): all it needs is the JDK. */
  private static String classPath() {
    try {
      var source = ScriptedIfMib.class.getProtectionDomain().getCodeSource();
      if (source != null) {
        return Path.of(source.getLocation().toURI()).toString();
      }
    } catch (Exception e) {
      // fall through
    }
    return System.getProperty("java.class.path");
  }

  private static String quote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }

  private void launch() throws IOException {
    IOException lastBindFailure = null;
    for (int attempt = 0; attempt < 5; attempt++) {
      if (autoPort && (attempt > 0 || port == 0)) {
        port = freeUdpPort();
      }
      List<String> cmd = new ArrayList<>();
      if (netns != null) {
        cmd.addAll(List.of("ip", "netns", "exec", netns));
      }
      cmd.addAll(
          List.of(
              SNMPD.toString(),
              "-f",
              "-Lo",
              "-C",
              "-c",
              configFile.toString(),
              // No MIB files: snmpd needs none, and loading Debian's partial set only logs noise.
              "-m",
              ""));
      // smux listens on TCP 199: unprivileged it only logs a bind failure, as root a second
      // instance does. Nothing here needs it.
      List<String> excluded = new ArrayList<>(List.of("smux"));
      if (scripted) {
        excluded.addAll(NATIVE_MODULES_REPLACED);
      }
      cmd.addAll(List.of("-I", "-" + String.join(",", excluded)));
      if (debugTokens != null) {
        cmd.add("-D" + debugTokens);
      }
      cmd.add("udp:" + host + ":" + port);
      ProcessBuilder pb = new ProcessBuilder(cmd);
      pb.environment().put("SNMP_PERSISTENT_DIR", dir.resolve("persist").toString());
      pb.redirectErrorStream(true);
      pb.redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
      pb.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
      synchronized (this) {
        commandLine = List.copyOf(cmd);
        process = pb.start();
      }
      try {
        awaitAnswer();
        return;
      } catch (BindFailed e) {
        stop();
        lastBindFailure = new IOException(e.getMessage());
        if (!autoPort) {
          break;
        }
      } catch (IOException | RuntimeException e) {
        stop();
        throw e;
      }
    }
    throw lastBindFailure;
  }

  private static final class BindFailed extends IOException {
    BindFailed(String message) {
      super(message);
    }
  }

  /**
   * Polls sysUpTime.0 until snmpd answers it with TimeTicks (the first request through pass_persist
   * also waits for the JVM it starts).
   */
  private void awaitAnswer() throws IOException {
    long deadline = System.nanoTime() + startTimeout.toNanos();
    String lastAnswer = "nothing";
    // In a namespace, ask from inside (the test JVM may have no route there) and from here
    // (inside needs the namespace's lo up to reach its own address).
    try (Probe outside = new Snmp4jProbe();
        Probe inside = netns == null ? null : new CliProbe()) {
      while (System.nanoTime() < deadline) {
        if (!process.isAlive()) {
          String tail = logTail(40);
          String msg =
              "snmpd exited with "
                  + process.exitValue()
                  + " ("
                  + commandLine
                  + ")\n"
                  + "--- "
                  + logFile
                  + " ---\n"
                  + tail;
          if (tail.contains("Error opening specified endpoint")) {
            throw new BindFailed(msg);
          }
          throw new IllegalStateException(msg);
        }
        Optional<String> answer = outside.uptime();
        if (answer.isEmpty() && inside != null) {
          answer = inside.uptime();
        }
        if (answer.isPresent() && answer.get().startsWith("timeticks:")) {
          return;
        }
        lastAnswer = answer.orElse("timeout");
        sleep(100);
      }
    }
    throw new IllegalStateException(
        "snmpd did not answer sysUpTime.0 within "
            + startTimeout
            + " (last: "
            + lastAnswer
            + ", "
            + commandLine
            + ")\n--- "
            + logFile
            + " ---\n"
            + logTail(40));
  }

  private interface Probe extends AutoCloseable {
    /** "timeticks:&lt;value&gt;", another description of what came back, or empty on timeout. */
    Optional<String> uptime() throws IOException;

    @Override
    void close() throws IOException;
  }

  private final class Snmp4jProbe implements Probe {
    private final Snmp snmp = new Snmp(new DefaultUdpTransportMapping());
    private final CommunityTarget<UdpAddress> target =
        new CommunityTarget<>(udpAddress(), new OctetString(community));

    Snmp4jProbe() throws IOException {
      snmp.listen();
      target.setVersion(SnmpConstants.version2c);
      target.setTimeout(netns == null ? 1000 : 500);
      target.setRetries(0);
    }

    @Override
    public Optional<String> uptime() throws IOException {
      PDU pdu = new PDU(PDU.GET, List.of(new VariableBinding(SYS_UPTIME)));
      ResponseEvent<UdpAddress> e = snmp.send(pdu, target);
      if (e.getResponse() == null) {
        return Optional.empty();
      }
      var v = e.getResponse().get(0).getVariable();
      return Optional.of(v instanceof TimeTicks t ? "timeticks:" + t.getValue() : v.toString());
    }

    @Override
    public void close() throws IOException {
      snmp.close();
    }
  }

  /** Inside a namespace, the test JVM may have no route to snmpd: ask from inside. */
  private final class CliProbe implements Probe {
    @Override
    public Optional<String> uptime() throws IOException {
      Process p =
          new ProcessBuilder(
                  "ip",
                  "netns",
                  "exec",
                  netns,
                  "snmpget",
                  "-v2c",
                  "-c",
                  community,
                  "-t",
                  "0.5",
                  "-r",
                  "0",
                  "-m",
                  "",
                  "-On",
                  host + ":" + port,
                  SYS_UPTIME.toDottedString())
              .redirectErrorStream(true)
              .start();
      try {
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(10, TimeUnit.SECONDS);
        if (out.contains("Timeticks:")) {
          return Optional.of("timeticks:" + out.strip());
        }
        return out.contains("Timeout") ? Optional.empty() : Optional.of(out.strip());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(e);
      } finally {
        p.destroyForcibly();
      }
    }

    @Override
    public void close() {}
  }

  private int freeUdpPort() throws IOException {
    if (netns != null) {
      // Another namespace's ports cannot be probed from here; bind failures are retried.
      return ThreadLocalRandom.current().nextInt(20_000, 60_000);
    }
    try (DatagramSocket s =
        new DatagramSocket(new InetSocketAddress(InetAddress.getByName(host), 0))) {
      return s.getLocalPort();
    }
  }

  private void requireRunning() {
    if (!isRunning()) {
      throw new IllegalStateException("snmpd is not running\n" + logTail(20));
    }
  }

  private void signal(String name) {
    try {
      Process kill =
          new ProcessBuilder("kill", "-" + name, Long.toString(process.pid()))
              .redirectErrorStream(true)
              .start();
      String out = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (kill.waitFor() != 0) {
        throw new IllegalStateException("kill -" + name + " failed: " + out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private void stopQuietly() {
    try {
      stop();
    } catch (RuntimeException e) {
      // JVM shutdown: nothing left to report to
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
