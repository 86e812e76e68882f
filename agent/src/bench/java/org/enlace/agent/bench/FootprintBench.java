package org.enlace.agent.bench;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * The agent's footprint with the shipped JVM flags and MALLOC_ARENA_MAX, read from
 * agent/packaging/enlace-agent.service (so the bench cannot drift from the unit), running its
 * default 60-second checks against a real server on loopback for a while (default one hour;
 * -Dduration=PT10M for a shorter look). Samples resident memory and CPU time from /proc.
 *
 * <p>-Dbench.https=true adds an {@code https://} check target, as the default configuration has
 * (www.gov.co and the municipality's site): a TLS endpoint in this JVM with a self-signed
 * certificate. The agent's check then fails certificate validation against the JDK's trust store,
 * after a full handshake, with TLS and the parsed trust store loaded as they would be for a public
 * site.
 */
public final class FootprintBench {
  /** The unit whose JVM flags and environment the bench applies (relative to agent/). */
  static final Path UNIT =
      Path.of(System.getProperty("enlace.agent.unit", "packaging/enlace-agent.service"));

  /** 127.0.0.1 by number, the address the TLS target's certificate names. */
  static final InetAddress LOOPBACK_V4 = loopbackV4();

  private static InetAddress loopbackV4() {
    try {
      return InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
    } catch (UnknownHostException e) {
      throw new AssertionError("four bytes are a valid address", e);
    }
  }

  /** JAVA_OPTS of the systemd unit, split on spaces (the unit passes them unquoted). */
  static List<String> shippedFlags() throws Exception {
    return List.of(unitEnvironment("JAVA_OPTS").strip().split("\\s+", 0));
  }

  /** The value of {@code Environment="NAME=value"} in the unit. */
  static String unitEnvironment(String name) throws Exception {
    for (String line : Files.readAllLines(UNIT)) {
      String l = line.strip();
      String prefix = "Environment=\"" + name + "=";
      if (l.startsWith(prefix) && l.endsWith("\"")) {
        return l.substring(prefix.length(), l.length() - 1);
      }
    }
    throw new IllegalStateException("no " + name + " in " + UNIT);
  }

  public static void main(String[] args) throws Exception {
    Duration duration = Duration.parse(System.getProperty("duration", "PT60M"));
    Path jar = Path.of(System.getProperty("enlace.agent.jar", "target/enlace-agent.jar"));
    boolean https = Boolean.getBoolean("bench.https");
    try (BenchServer server = new BenchServer("127.0.0.1")) {
      Path data = Files.createTempDirectory("enlace-footprint-agent-");
      jar = Files.copy(jar, data.resolve("enlace-agent.jar"));
      com.sun.net.httpserver.HttpsServer tlsTarget = https ? startTlsTarget(data) : null;
      String httpsTarget =
          tlsTarget == null ? "" : ",https://127.0.0.1:" + tlsTarget.getAddress().getPort() + "/";
      Files.writeString(
          data.resolve("agent.properties"),
          String.join(
              "\n",
              "dns.names=localhost",
              "http.targets=" + server.base + "/api/v1/ping" + httpsTarget,
              "captivePortal.url=" + server.base + "/api/v1/ping",
              "tcp.targets=127.0.0.1:" + server.port,
              ""));
      Path token = data.resolve("token");
      Files.writeString(token, server.token(1));
      exec(
          List.of(
              BenchServer.javaBin(),
              "-jar",
              jar.toString(),
              "enroll",
              "--data-dir",
              data.toString(),
              "--server",
              server.base,
              "--token-file",
              token.toString()));
      List<String> cmd = new ArrayList<>(List.of(BenchServer.javaBin()));
      List<String> flags = shippedFlags();
      cmd.addAll(flags);
      cmd.addAll(List.of("-jar", jar.toString(), "run", "--data-dir", data.toString()));
      ProcessBuilder pb =
          new ProcessBuilder(cmd)
              .redirectErrorStream(true)
              .redirectOutput(data.resolve("agent.out").toFile());
      String arenas = unitEnvironment("MALLOC_ARENA_MAX");
      pb.environment().put("MALLOC_ARENA_MAX", arenas);
      System.out.println("agent: MALLOC_ARENA_MAX=" + arenas + " java " + String.join(" ", flags));
      Process agent = pb.start();
      long pid = agent.pid();
      long clkTck = 100;
      Thread.sleep(30_000); // start-up and class loading are not the steady state
      long cpu0 = cpuTicks(pid);
      long t0 = System.nanoTime();
      long maxRss = 0;
      long sumRss = 0;
      int samples = 0;
      long end = t0 + duration.toNanos();
      while (System.nanoTime() < end) {
        long rss = rssKb(pid);
        maxRss = Math.max(maxRss, rss);
        sumRss += rss;
        samples++;
        Thread.sleep(10_000);
      }
      double wall = (System.nanoTime() - t0) / 1e9;
      double cpuSeconds = (cpuTicks(pid) - cpu0) / (double) clkTck;
      // Where the memory is at the end (file-backed pages are shared with other JVMs).
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/smaps_rollup"))) {
        if (line.startsWith("Rss:")
            || line.startsWith("Pss:")
            || line.startsWith("Shared_Clean:")
            || line.startsWith("Private_Dirty:")) {
          System.out.println("end of run, " + line.replaceAll("\\s+", " "));
        }
      }
      try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
        System.out.println("end of run, threads: " + tasks.count());
      }
      agent.destroy();
      agent.waitFor(30, TimeUnit.SECONDS);
      if (tlsTarget != null) {
        tlsTarget.stop(0);
      }
      System.out.printf("%n| duration | mean RSS | max RSS | mean CPU (one core) | jar |%n");
      System.out.printf("|---|---|---|---|---|%n");
      System.out.printf(
          "| %.0f min | %.1f MB | %.1f MB | %.3f %% | %.2f MB |%n",
          wall / 60,
          sumRss / (double) samples / 1024,
          maxRss / 1024.0,
          100 * cpuSeconds / wall,
          Files.size(jar) / 1e6);
    }
  }

  /** A TLS endpoint on 127.0.0.1 answering 204, with a fresh self-signed certificate. */
  static com.sun.net.httpserver.HttpsServer startTlsTarget(Path dir) throws Exception {
    Path store = dir.resolve("tls-target.p12");
    char[] pass = "footprint".toCharArray();
    exec(
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
            "-genkeypair",
            "-alias",
            "target",
            "-keyalg",
            "RSA",
            "-keysize",
            "2048",
            "-validity",
            "3",
            "-dname",
            "CN=127.0.0.1",
            "-ext",
            "san=ip:127.0.0.1",
            "-storetype",
            "PKCS12",
            "-keystore",
            store.toString(),
            "-storepass",
            new String(pass)));
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (var in = Files.newInputStream(store)) {
      ks.load(in, pass);
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, pass);
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(kmf.getKeyManagers(), null, null);
    com.sun.net.httpserver.HttpsServer s =
        com.sun.net.httpserver.HttpsServer.create(new InetSocketAddress(LOOPBACK_V4, 0), 16);
    s.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(tls));
    s.createContext(
        "/",
        ex -> {
          ex.sendResponseHeaders(204, -1);
          ex.close();
        });
    s.start();
    return s;
  }

  static void exec(List<String> cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).inheritIO().start();
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("failed: " + cmd);
    }
  }

  static long rssKb(long pid) throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return 0;
  }

  /** utime + stime of the process (all threads), in clock ticks. */
  static long cpuTicks(long pid) throws Exception {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ", 0);
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }
}
