package org.enlace.agent.bench;

import java.net.ProxySelector;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.enlace.agent.config.Credentials;
import org.enlace.agent.journal.Journal;
import org.enlace.agent.journal.JournalConfig;
import org.enlace.agent.probe.CheckResults;
import org.enlace.agent.probe.RoundResult;
import org.enlace.agent.probe.Status;
import org.enlace.agent.run.ObservationJson;
import org.enlace.agent.upload.ClockOffset;
import org.enlace.agent.upload.ServerClient;
import org.enlace.agent.upload.Uploader;

/**
 * Catch-up after a long outage: 30 days of 1-minute observations (43,200) in the journal, then the
 * server comes back. Measures the journal's size on disk and the time until every observation is
 * stored on the real server, over loopback and over a link shaped to 2 Mbit/s with tc in a network
 * namespace this bench creates (root only; skipped otherwise).
 */
public final class CatchUpBench {
  static final int OBSERVATIONS = 43_200;
  static final String NETNS = "enlbench";

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("upload")) {
      upload(Path.of(args[1]));
      return;
    }
    List<String> lines = new ArrayList<>();
    lines.add(run("loopback", false));
    if (canShape()) {
      lines.add(run("tc tbf 2 Mbit/s (netns)", true));
    } else {
      lines.add("shaped run skipped: needs root and iproute2 (ip netns, tc)");
    }
    System.out.println();
    System.out.println("| link | journal on disk | upload time | stored |");
    System.out.println("|---|---|---|---|");
    lines.forEach(System.out::println);
  }

  static String run(String name, boolean shaped) throws Exception {
    String host = shaped ? "10.231.7.1" : "127.0.0.1";
    if (shaped) {
      netns(true);
    }
    try (BenchServer server = new BenchServer(host)) {
      Map<String, Object> agent = server.enroll("bench-" + System.nanoTime());
      try (Connection c = server.jdbc();
          PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE agents SET enrolled_at = now() - "
                      + "interval '31 days' WHERE public_id = CAST(? AS uuid)")) {
        ps.setString(1, agent.get("agentId").toString());
        ps.executeUpdate();
      }
      Path dataDir = Files.createTempDirectory("enlace-catchup-agent-");
      new Credentials(
              URI.create(server.base),
              agent.get("agentId").toString(),
              agent.get("secret").toString(),
              ((Number) agent.get("computerId")).longValue(),
              "bench")
          .save(dataDir);
      long diskBytes = fill(dataDir);
      long start = System.nanoTime();
      if (shaped) {
        Process p =
            new ProcessBuilder(
                    "ip",
                    "netns",
                    "exec",
                    NETNS,
                    BenchServer.javaBin(),
                    "-Xmx64m",
                    "-cp",
                    System.getProperty("java.class.path"),
                    CatchUpBench.class.getName(),
                    "upload",
                    dataDir.toString())
                .inheritIO()
                .start();
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
          throw new IllegalStateException("upload in the namespace failed");
        }
      } else {
        upload(dataDir);
      }
      Duration took = BenchServer.since(start);
      long stored;
      try (Connection c = server.jdbc();
          PreparedStatement ps =
              c.prepareStatement(
                  "SELECT count(*) FROM observations o JOIN "
                      + "agents a ON a.id = o.agent_id WHERE a.public_id = CAST(? AS uuid)")) {
        ps.setString(1, agent.get("agentId").toString());
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          stored = rs.getLong(1);
        }
      }
      String line =
          String.format(
              "| %s | %.2f MB (%d bytes) | %.1f s | %d of %d |",
              name, diskBytes / 1e6, diskBytes, took.toMillis() / 1000.0, stored, OBSERVATIONS);
      System.out.println(line);
      return line;
    } finally {
      if (shaped) {
        netns(false);
      }
    }
  }

  /** 30 days of observations as the daemon writes them, a minute apart. */
  static long fill(Path dataDir) throws Exception {
    try (Journal j =
        Journal.open(
            dataDir.resolve("journal"),
            new JournalConfig(
                64L << 20, JournalConfig.defaults().segmentBytes(), Duration.ofSeconds(1)))) {
      Instant t0 = Instant.now().minus(Duration.ofDays(30));
      for (int i = 0; i < OBSERVATIONS; i++) {
        Instant at = t0.plus(Duration.ofMinutes(i));
        boolean down = i % 97 == 0;
        CheckResults checks =
            new CheckResults(
                List.of(
                    new CheckResults.Dns("www.gov.co", !down, 18 + i % 40, down ? "timeout" : "")),
                List.of(
                    new CheckResults.Http(
                        "https://enlace.elcontadero-narino.gov.co/api/v1/ping",
                        !down,
                        down ? 0 : 204,
                        40 + i % 90,
                        down ? "timeout" : ""),
                    new CheckResults.Http(
                        "https://www.gov.co/",
                        !down,
                        down ? 0 : 200,
                        250 + i % 300,
                        down ? "timeout" : ""),
                    new CheckResults.Http(
                        "https://www.elcontadero-narino.gov.co/",
                        !down,
                        down ? 0 : 200,
                        310 + i % 200,
                        down ? "timeout" : "")),
                List.of(
                    new CheckResults.Latency(
                        "www.gov.co:443", !down, 30 + (i % 70) / 3.0, down ? "timeout" : "")),
                Optional.of(
                    new CheckResults.CaptivePortal(
                        "http://connectivitycheck.gstatic.com/generate_204",
                        !down,
                        false,
                        down ? 0 : 204,
                        45 + i % 30,
                        down ? "timeout" : "")),
                down ? 1.0 : 0.0);
        RoundResult r =
            new RoundResult(
                at,
                down ? Status.OFFLINE : Status.ONLINE,
                down ? "no network: every probe failed" : "all probes ok",
                checks);
        j.append(seq -> ObservationJson.encode(seq, r, Optional.of(1200L)));
      }
      j.sync();
      return j.diskBytes();
    }
  }

  static void upload(Path dataDir) throws Exception {
    Credentials creds = Credentials.load(dataDir).orElseThrow();
    try (Journal j = Journal.open(dataDir.resolve("journal"), JournalConfig.defaults())) {
      Uploader u =
          new Uploader(
              j,
              new ServerClient(ProxySelector.of(null), Optional.empty(), Duration.ofSeconds(60)),
              creds,
              new ClockOffset(),
              500,
              768 * 1024,
              Duration.ofSeconds(1),
              Duration.ofSeconds(5));
      long start = System.nanoTime();
      while (j.pending() > 0) {
        Uploader.Outcome o = u.uploadOnce();
        if (o.kind() != Uploader.Kind.ACCEPTED) {
          throw new IllegalStateException("upload failed: " + o);
        }
      }
      System.out.printf(
          "uploaded %d observations in %.1f s%n",
          OBSERVATIONS, BenchServer.since(start).toMillis() / 1000.0);
    }
  }

  static boolean canShape() {
    try {
      Process p = new ProcessBuilder("ip", "netns", "list").start();
      return p.waitFor(10, TimeUnit.SECONDS)
          && p.exitValue() == 0
          && "root".equals(System.getProperty("user.name"));
    } catch (Exception e) {
      return false;
    }
  }

  /** A veth pair into a namespace of our own, both directions shaped to 2 Mbit/s. */
  static void netns(boolean up) throws Exception {
    if (up) {
      sh("ip netns add " + NETNS);
      sh("ip link add enlb0 type veth peer name enlb1");
      sh("ip link set enlb1 netns " + NETNS);
      sh("ip addr add 10.231.7.1/24 dev enlb0");
      sh("ip link set enlb0 up");
      sh("ip netns exec " + NETNS + " ip addr add 10.231.7.2/24 dev enlb1");
      sh("ip netns exec " + NETNS + " ip link set enlb1 up");
      sh("ip netns exec " + NETNS + " ip link set lo up");
      sh("tc qdisc add dev enlb0 root tbf rate 2mbit burst 32kbit latency 400ms");
      sh(
          "ip netns exec "
              + NETNS
              + " tc qdisc add dev enlb1 root tbf rate 2mbit burst 32kbit "
              + "latency 400ms");
    } else {
      shQuiet("ip netns del " + NETNS);
      shQuiet("ip link del enlb0");
    }
  }

  static void sh(String cmd) throws Exception {
    Process p = new ProcessBuilder("sh", "-c", cmd).inheritIO().start();
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("failed: " + cmd);
    }
  }

  static void shQuiet(String cmd) {
    try {
      new ProcessBuilder("sh", "-c", cmd + " 2>/dev/null").start().waitFor(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      // cleanup only
    }
  }
}
