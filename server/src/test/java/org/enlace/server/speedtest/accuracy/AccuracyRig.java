package org.enlace.server.speedtest.accuracy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.enlace.server.evidence.HeadlessChromium;
import org.enlace.server.speedtest.MlabPages;
import org.enlace.server.speedtest.accuracy.ShapedLink.Shape;
import org.enlace.server.testing.TempDirs;

/**
 * Everything an accuracy run needs, shared by Ndt7AccuracyIT and the Ndt7AccuracyBench: the shaped
 * link, the reference bulk-TCP server and the ndt7 endpoints on its root side, and the clients
 * ({@link LinkProbe}) started inside the namespace with the agent's shipped jar.
 */
// close() stops Jetty, which may be interrupted; a test harness lets that propagate.
@SuppressWarnings("try")
public final class AccuracyRig implements AutoCloseable {
  /** Reference: 2 s warm-up (as the agent's steady rate), then 5 s measured. */
  public static final long REFERENCE_MILLIS = 7_000;

  public static final long WARMUP_MILLIS = 2_000;
  private static final ObjectMapper JSON = new ObjectMapper();

  public final ShapedLink link;
  public final Path agentJar;
  private final BulkTcpServer bulk;
  private final Ndt7Harness ndt7;
  private final String classPath;
  private final List<String> agentJvm;

  /** One run of the agent's client: its result's components, and the slot it had. */
  public record AgentRun(Map<String, String> result, long maxBytes, String output) {
    public String error() {
      String e = result.get("error");
      return e == null || e.isEmpty() ? null : e;
    }

    public double downMbps() {
      return num("downMbps");
    }

    public double upMbps() {
      return num("upMbps");
    }

    public long bytesDown() {
      return (long) num("bytesDown");
    }

    public long bytesUp() {
      return (long) num("bytesUp");
    }

    public double num(String key) {
      String v = result.get(key);
      return v == null || v.isEmpty() ? Double.NaN : Double.parseDouble(v);
    }
  }

  private AccuracyRig(ShapedLink link, Path agentJar) throws Exception {
    this.link = link;
    this.agentJar = agentJar;
    BulkTcpServer b = null;
    try {
      b = new BulkTcpServer(link.hostAddr);
      this.ndt7 = new Ndt7Harness(link.hostAddr);
    } catch (Exception e) {
      if (b != null) {
        b.close();
      }
      throw e;
    }
    this.bulk = b;
    Path probe;
    try {
      probe = Path.of(LinkProbe.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
    this.classPath = agentJar + File.pathSeparator + probe;
    this.agentJvm = agentJvmOptions(agentJar);
  }

  /** Makes the link (unshaped) and starts the servers on its root side. */
  public static AccuracyRig start(Path agentJar) throws Exception {
    ShapedLink link = ShapedLink.create();
    try {
      return new AccuracyRig(link, agentJar);
    } catch (Exception e) {
      link.close();
      throw e;
    }
  }

  /**
   * The agent's shipped jar: -Denlace.agent.jar, else agent/target/enlace-agent.jar of this
   * checkout (built before the server in the reactor).
   */
  public static Path findAgentJar() {
    String p = System.getProperty("enlace.agent.jar");
    if (p != null && !p.isBlank()) {
      return Path.of(p);
    }
    Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    for (Path d = dir; d != null; d = d.getParent()) {
      Path jar = d.resolve("agent/target/enlace-agent.jar");
      if (Files.exists(jar)) {
        return jar;
      }
    }
    return dir.getParent().resolve("agent/target/enlace-agent.jar");
  }

  /**
   * The JVM options the agent runs with in production (JAVA_OPTS of
   * agent/packaging/enlace-agent.service: 24 MB heap, C1 only, 8 MB direct memory), so that the
   * client is measured as it ships; a fixed copy when the unit file is not next to the jar.
   */
  static List<String> agentJvmOptions(Path agentJar) {
    Path unit =
        agentJar.toAbsolutePath().getParent().getParent().resolve("packaging/enlace-agent.service");
    try {
      for (String line : Files.readAllLines(unit, StandardCharsets.UTF_8)) {
        String l = line.strip();
        if (l.startsWith("Environment=\"JAVA_OPTS=")) {
          String v = l.substring("Environment=\"JAVA_OPTS=".length(), l.length() - 1);
          return Arrays.asList(v.trim().split("\\s+", 0));
        }
      }
    } catch (IOException e) {
      // the copy below
    }
    return List.of(
        "-XX:-UsePerfData",
        "-Xms4m",
        "-Xmn1m",
        "-Xmx24m",
        "-Xss256k",
        "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1",
        "-XX:CICompilerCount=1",
        "-XX:MaxDirectMemorySize=8m");
  }

  public List<String> agentJvm() {
    return agentJvm;
  }

  public void shape(Shape s) throws IOException {
    link.shape(s);
  }

  /** Reference download over n connections: bulk TCP, measured by the receiver (the client). */
  public double referenceDown(int n) throws Exception {
    Map<String, String> out =
        probe(
            List.of("-Xmx64m"),
            "down",
            link.hostAddr,
            Integer.toString(bulk.port()),
            Long.toString(REFERENCE_MILLIS),
            Long.toString(WARMUP_MILLIS),
            Integer.toString(n));
    return Double.parseDouble(out.get("mbps"));
  }

  /** Reference upload over n connections: bulk TCP, measured by the receiver (the server). */
  public double referenceUp(int n) throws Exception {
    String runId = UUID.randomUUID().toString();
    probe(
        List.of("-Xmx64m"),
        "up",
        link.hostAddr,
        Integer.toString(bulk.port()),
        Long.toString(REFERENCE_MILLIS),
        Integer.toString(n),
        runId);
    return bulk.uploadMbps(runId, WARMUP_MILLIS, 10_000);
  }

  /** The agent's ndt7 client (download then upload) with a planner-sized slot for the rate. */
  public AgentRun agent(double rateMbit, int connections) throws Exception {
    ndt7.awaitIdle(20_000);
    Ndt7Harness.Slot slot = ndt7.slot(rateMbit, connections);
    Map<String, String> out =
        probe(
            agentJvm,
            "ndt7",
            slot.download().toString(),
            slot.upload().toString(),
            Integer.toString(connections),
            Long.toString(slot.maxBytes()));
    Map<String, String> result = new LinkedHashMap<>();
    out.forEach(
        (k, v) -> {
          if (k.startsWith("result.")) {
            result.put(k.substring(7), v);
          }
        });
    return new AgentRun(result, slot.maxBytes(), out.get(""));
  }

  /**
   * M-Lab's own ndt7-js (vendored, unmodified) in Debian's headless Chromium inside the namespace,
   * one slot like the agent's, with M-Lab's figures as its web client shows them: the download from
   * the client's own last measurement ({@code MeanClientMbps}: bytes received over the whole test,
   * slow start included), the upload from the server's last measurement message ({@code
   * TCPInfo.BytesReceived / ElapsedTime}, or its AppInfo). Empty when no Chromium is installed.
   */
  public Optional<MlabRun> mlab(double rateMbit) throws Exception {
    Optional<Path> chromium = HeadlessChromium.find();
    if (chromium.isEmpty()) {
      return Optional.empty();
    }
    ndt7.awaitIdle(20_000);
    Ndt7Harness.Slot slot = ndt7.slot(rateMbit, 1);
    Path profile = TempDirs.create("enlace-acc-chromium-");
    try (MlabPages pages = MlabPages.start(InetAddress.getByName(link.hostAddr))) {
      String url =
          pages.pageUrl()
              + "?server="
              + enc(slot.download().getAuthority())
              + "&down="
              + enc(MlabPages.accessToken(slot.download()))
              + "&up="
              + enc(MlabPages.accessToken(slot.upload()));
      List<String> cmd = new ArrayList<>(List.of(chromium.get().toString()));
      cmd.addAll(HeadlessChromium.HEADLESS);
      cmd.addAll(List.of("--user-data-dir=" + profile, url));
      Process browser =
          new ProcessBuilder(link.exec(cmd))
              .redirectErrorStream(true)
              .redirectOutput(profile.resolve("chromium.log").toFile())
              .start();
      try {
        JsonNode r = JSON.readTree(pages.result.get(120, TimeUnit.SECONDS));
        return Optional.of(MlabRun.of(r));
      } catch (TimeoutException e) {
        throw new IllegalStateException(
            "M-Lab's client posted no result in 120 s; see " + profile.resolve("chromium.log"));
      } finally {
        browser.descendants().forEach(ProcessHandle::destroyForcibly);
        browser.destroyForcibly();
        browser.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  /** M-Lab's client's figures, as its web client shows them, and the bytes each side counted. */
  public record MlabRun(
      double downMbps, double upMbps, long bytesDown, long bytesUp, String error) {
    static MlabRun of(JsonNode r) {
      JsonNode down = r.path("download").path("complete").path("LastClientMeasurement");
      JsonNode up = r.path("upload").path("complete").path("LastServerMeasurement");
      JsonNode tcp = up.path("TCPInfo");
      JsonNode app = up.path("AppInfo");
      double upMbps =
          tcp.path("ElapsedTime").asDouble() > 0 && tcp.has("BytesReceived")
              ? tcp.path("BytesReceived").asDouble() * 8 / tcp.path("ElapsedTime").asDouble()
              : app.path("ElapsedTime").asDouble() > 0
                  ? app.path("NumBytes").asDouble() * 8 / app.path("ElapsedTime").asDouble()
                  : Double.NaN;
      List<String> errors = new ArrayList<>();
      r.path("errors").forEach(e -> errors.add(e.asText()));
      for (String subtest : List.of("download", "upload")) {
        if (r.path(subtest).path("rc").asInt(-1) != 0) {
          errors.add(subtest + " rc " + r.path(subtest).path("rc").asText("none"));
        }
      }
      return new MlabRun(
          down.path("MeanClientMbps").asDouble(Double.NaN),
          upMbps,
          down.path("NumBytes").asLong(),
          app.path("NumBytes").asLong(),
          errors.isEmpty() ? null : String.join("; ", errors));
    }
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private Map<String, String> probe(List<String> jvm, String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvm);
    cmd.add("-cp");
    cmd.add(classPath);
    cmd.add(LinkProbe.class.getName());
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(link.exec(cmd)).redirectErrorStream(true).start();
    String text;
    try {
      text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    } finally {
      if (!p.waitFor(90, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
    if (p.exitValue() != 0) {
      throw new IllegalStateException(
          "client in "
              + link.netns
              + " failed (exit "
              + p.exitValue()
              + "): "
              + String.join(" ", cmd)
              + "\n"
              + text);
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (String line : text.split("\n", 0)) {
      int eq = line.indexOf('=');
      if (eq > 0 && !line.contains(" ")) {
        out.put(line.substring(0, eq), line.substring(eq + 1));
      } else if (eq > 0 && line.startsWith("result.")) {
        out.put(line.substring(0, eq), line.substring(eq + 1));
      }
    }
    out.put("", text);
    return out;
  }

  /** "0.987" style ratio, for the record. */
  public static String ratio(double a, double b) {
    return String.format(Locale.ROOT, "%.3f", a / b);
  }

  @Override
  public void close() throws Exception {
    try {
      ndt7.close();
    } finally {
      try {
        bulk.close();
      } finally {
        link.close();
      }
    }
  }
}
