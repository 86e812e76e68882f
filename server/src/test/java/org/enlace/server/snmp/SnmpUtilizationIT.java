package org.enlace.server.snmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.dropwizard.util.Duration;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.enlace.server.domain.LocalMinutes;
import org.enlace.server.snmp.testing.Snmpd;
import org.enlace.server.testing.Api;
import org.enlace.server.testing.TestApp;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 7, end to end against a real link: a network namespace joined to the root namespace by a
 * veth pair whose namespace end is shaped with {@code tc tbf} to 8 Mbit/s; the real Net-SNMP {@code
 * snmpd} inside the namespace serving that namespace's real interface counters (no scripting); a
 * bulk TCP sender inside the namespace pushing through the shaped end to a receiver in this JVM; a
 * device in Enlace (v2c, interface found by ifName) polled every 5 s on the real clock. The rates
 * Enlace stores for the link (out = the namespace end's transmit) must be within ±5 % of the rate
 * the receiver measured over the same intervals, and of the tbf rate.
 *
 * <p>Units: interface octets (and tbf) count whole Ethernet frames, the receiver counts TCP
 * payload. With GSO off every data frame is one full MTU frame: 1514 bytes carrying 1448 of payload
 * (20 IP + 32 TCP with timestamps + 14 Ethernet), so the receiver's rate is compared as payload ×
 * 1514 / 1448. The raw ratio, and the kernel's own tx_bytes rate over the same intervals, are
 * printed too (target/failsafe-reports/*SnmpUtilizationIT-output.txt).
 *
 * <p>Needs root, iproute2 (ip netns, veth, tc tbf) and snmpd; skipped otherwise. About 45 s.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class SnmpUtilizationIT {
  static final TestApp APP = TestApp.create(ConfigOverride.config("snmp.enabled", "false"));

  @SuppressWarnings("unused")
  static final DropwizardAppExtension<?> EXT = APP.extension();

  static final double RATE_MBIT = 8;
  static final int POLL_SECONDS = 5;
  static final int POLLS = 8;
  static final double FRAME_PER_PAYLOAD = 1514.0 / 1448.0;

  /** NET-SNMP-AGENT-MIB nsCacheTimeout of the ifTable cache (ifXTable reads the same data). */
  static final String NS_CACHE_TIMEOUT_IF_TABLE = ".1.3.6.1.4.1.8072.1.5.3.1.2.1.3.6.1.2.1.2.2";

  /**
   * -Denlace.snmpit.keepAgentCache=true leaves snmpd's 3 s interface cache on, to see what a
   * Net-SNMP based router does to 5 s polls: only the run's mean is checked then.
   */
  static final boolean KEEP_AGENT_CACHE = Boolean.getBoolean("enlace.snmpit.keepAgentCache");

  record Sample(
      Instant start, Instant end, Double inBps, Double outBps, Double outPct, String gap) {}

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void storedUtilizationMatchesTheTrafficThroughAShapedVeth() throws Exception {
    Snmpd.assumeInstalled();
    long pid = ProcessHandle.current().pid();
    String ns = "enlsnmpit-" + pid;
    String hostIf = "esit" + (pid % 10_000_000) + "h";
    String nsIf = "esit" + (pid % 10_000_000) + "n";
    long net = (pid % 16384) * 4;
    String prefix = "10.215." + (net / 256) + ".";
    String hostAddr = prefix + (net % 256 + 1);
    String nsAddr = prefix + (net % 256 + 2);
    Assumptions.assumeTrue(
        "root".equals(System.getProperty("user.name")), "needs root (ip netns, veth, tc)");
    quiet("ip netns del " + ns);
    quiet("ip link del " + hostIf);
    Assumptions.assumeTrue(
        run("ip netns add " + ns).code == 0, "cannot create network namespaces here");
    Process sender = null;
    Receiver receiver = null;
    SnmpPoller poller = null;
    try {
      sh("ip link add " + hostIf + " type veth peer name " + nsIf);
      sh("ip link set " + nsIf + " netns " + ns);
      // One MTU frame per packet, as on a real access link (see the class comment on units).
      sh("ip link set dev " + hostIf + " gso_max_segs 1");
      sh("ip addr add " + hostAddr + "/30 dev " + hostIf);
      sh("ip link set " + hostIf + " up");
      String in = "ip netns exec " + ns + " ";
      sh(in + "ip link set dev " + nsIf + " gso_max_segs 1");
      sh(in + "ip addr add " + nsAddr + "/30 dev " + nsIf);
      sh(in + "ip link set " + nsIf + " up");
      sh(in + "ip link set lo up");
      // tbf on the namespace end's egress: bucket of two frames, 50 ms of queue.
      Out tbf =
          run(
              in
                  + "tc qdisc replace dev "
                  + nsIf
                  + " root tbf rate "
                  + (long) (RATE_MBIT * 1000)
                  + "kbit burst 3028 latency 50ms");
      Assumptions.assumeTrue(tbf.code == 0, () -> "tc tbf not available: " + tbf.text);

      String rw = "enlace-it-rw-" + Long.toHexString(System.nanoTime());
      try (Snmpd snmpd =
          Snmpd.builder()
              .netns(ns)
              .host(nsAddr)
              .scripted(false)
              .config("rwcommunity " + rw + " " + hostAddr + "/32")
              .start()) {
        if (!KEEP_AGENT_CACHE) {
          // Net-SNMP refreshes its interface table every 3 s (nsCacheTimeout of ifTable, auto
          // reload), while sysUpTime is read per request: polled every 5 s, each interval would
          // hold 3 or 6 s of octets (stored 0.6x / 1.2x). 0 makes it read the kernel's counters
          // at every request, as a router's own counters are.
          sh(
              "snmpset -v2c -c "
                  + rw
                  + " -m '' -t 2 -r 1 "
                  + nsAddr
                  + ":"
                  + snmpd.port()
                  + " "
                  + NS_CACHE_TIMEOUT_IF_TABLE
                  + " i 0");
        }
        String code = "snmpit-" + Long.toHexString(System.nanoTime());
        APP.establishment(code, "administration");
        Api.Response link =
            APP.it()
                .post(
                    "/api/v1/establishments/" + code + "/links",
                    Api.object()
                        .put("ispName", "ISP Andina")
                        .put("contractedDownMbps", 20)
                        .put("contractedUpMbps", 10));
        assertThat(link.status()).as(link.toString()).isEqualTo(201);
        long linkId = link.body().get("id").asLong();
        var body =
            Api.object()
                .put("name", "Router netns")
                .put("address", nsAddr)
                .put("port", snmpd.port());
        body.set("snmp", Api.object().put("version", "v2c").put("community", snmpd.community()));
        body.putArray("interfaces").add(Api.object().put("ifName", nsIf).put("linkId", linkId));
        Api.Response device = APP.it().post("/api/v1/establishments/" + code + "/devices", body);
        assertThat(device.status()).as(device.toString()).isEqualTo(201);

        receiver = new Receiver(hostAddr);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp =
            Path.of(TcpBlast.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .toString();
        sender =
            new ProcessBuilder(
                    "ip",
                    "netns",
                    "exec",
                    ns,
                    java,
                    "-Xmx64m",
                    "-XX:TieredStopAtLevel=1",
                    "-cp",
                    cp,
                    TcpBlast.class.getName(),
                    hostAddr,
                    Integer.toString(receiver.port()),
                    Integer.toString(POLL_SECONDS * POLLS + 15))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        // TCP's slow start and the sender JVM's warm-up are over well before the first poll.
        Thread.sleep(4_000);
        assertThat(receiver.total()).as("bytes received before polling").isPositive();

        SnmpConfig config =
            new SnmpConfig()
                .setTimeout(Duration.seconds(1))
                .setRetries(1)
                .setInterval(Duration.seconds(POLL_SECONDS))
                .setMaxSampleInterval(Duration.minutes(5));
        poller =
            new SnmpPoller(
                APP.jdbi(),
                config,
                SnmpCredentials.from(config, APP.dataDir()),
                new LocalMinutes(ZoneId.of("America/Bogota")),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                Clock.systemUTC());
        poller.startWithoutSchedule();
        List<long[]> kernel = new ArrayList<>(); // {epoch ms, tx_bytes of nsIf}
        long t0 = System.nanoTime();
        for (int i = 0; i < POLLS; i++) {
          long due = t0 + TimeUnit.SECONDS.toNanos((long) POLL_SECONDS * i);
          long wait = due - System.nanoTime();
          if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
          }
          kernel.add(
              new long[] {
                System.currentTimeMillis(),
                Long.parseLong(
                    sh(in + "cat " + "/sys/class/net/" + nsIf + "/statistics/tx_bytes").strip())
              });
          poller.pollAllAndStore(5_000);
        }
        assertThat(sender.isAlive()).as("sender still sending").isTrue();

        List<Sample> samples =
            APP.jdbi()
                .withHandle(
                    h ->
                        h.createQuery(
                                """
                                SELECT started_at,
                                ended_at, in_bps, out_bps, out_pct, gap FROM link_samples WHERE link_id = :l
                                ORDER BY ended_at
                                """)
                            .bind("l", linkId)
                            .map(
                                (rs, ctx) ->
                                    new Sample(
                                        rs.getTimestamp(1).toInstant(),
                                        rs.getTimestamp(2).toInstant(),
                                        (Double) rs.getObject(3),
                                        (Double) rs.getObject(4),
                                        (Double) rs.getObject(5),
                                        rs.getString(6)))
                            .list());
        List<String> failures =
            APP.jdbi()
                .withHandle(
                    h ->
                        h.createQuery(
                                """
                                SELECT reason || ': '
                                || detail FROM snmp_poll_failures f JOIN device_links d ON d.device_id =
                                f.device_id WHERE d.link_id = :l
                                """)
                            .bind("l", linkId)
                            .mapTo(String.class)
                            .list());

        double tbfBps = RATE_MBIT * 1e6;
        System.out.printf(
            Locale.ROOT,
            "netns %s, %s (%s) <-> %s (%s), snmpd %s:%d (real"
                + " counters, agent cache %s), tbf %s Mbit/s on %s egress; polls every %d s%n",
            ns,
            hostIf,
            hostAddr,
            nsIf,
            nsAddr,
            nsAddr,
            snmpd.port(),
            KEEP_AGENT_CACHE ? "3 s (default)" : "off",
            fmt(RATE_MBIT),
            nsIf,
            POLL_SECONDS);
        System.out.printf(
            Locale.ROOT,
            "%-24s %6s %10s %10s %10s %10s %7s %7s %7s%n",
            "sample end",
            "secs",
            "stored",
            "receiver",
            "rx wire",
            "kernel tx",
            "st/wire",
            "st/tbf",
            "st/kern");
        double storedSum = 0;
        double wireSum = 0;
        double payloadSum = 0;
        double seconds = 0;
        assertThat(failures).as("poll failures").isEmpty();
        assertThat(samples).as("samples (first poll only sets the baseline)").hasSize(POLLS - 1);
        for (Sample s : samples) {
          assertThat(s.gap()).as("gap at %s", s.end()).isNull();
          double secs = (s.end().toEpochMilli() - s.start().toEpochMilli()) / 1000.0;
          double payload =
              receiver.bytesBetween(s.start().toEpochMilli(), s.end().toEpochMilli()) * 8 / secs;
          double wire = payload * FRAME_PER_PAYLOAD;
          double kern = kernelRate(kernel, s.start().toEpochMilli(), s.end().toEpochMilli());
          System.out.printf(
              Locale.ROOT,
              "%-24s %6.2f %10.0f %10.0f %10.0f %10.0f %7.4f %7.4f" + " %7.4f%n",
              s.end(),
              secs,
              s.outBps(),
              payload,
              wire,
              kern,
              s.outBps() / wire,
              s.outBps() / tbfBps,
              s.outBps() / kern);
          storedSum += s.outBps() * secs;
          wireSum += wire * secs;
          payloadSum += payload * secs;
          seconds += secs;
        }
        double stored = storedSum / seconds;
        double wire = wireSum / seconds;
        double payload = payloadSum / seconds;
        System.out.printf(
            Locale.ROOT,
            "over %.1f s: stored out %.3f Mbit/s (%.1f %% of the"
                + " 10 Mbit/s contract); receiver %.3f Mbit/s payload = %.3f Mbit/s of frames;"
                + " tbf %.3f Mbit/s | stored/frames %.4f, stored/payload %.4f, stored/tbf %.4f,"
                + " frames/tbf %.4f | stored in (ACKs) %.3f Mbit/s%n",
            seconds,
            stored / 1e6,
            samples.get(samples.size() - 1).outPct(),
            payload / 1e6,
            wire / 1e6,
            tbfBps / 1e6,
            stored / wire,
            stored / payload,
            stored / tbfBps,
            wire / tbfBps,
            samples.stream().mapToDouble(Sample::inBps).average().orElse(0) / 1e6);

        // The rig: the link is shaped (not a multi-gigabit veth) and the sender fills it.
        assertThat(wire / tbfBps).as("receiver's frame rate / tbf rate").isBetween(0.9, 1.02);
        if (KEEP_AGENT_CACHE) {
          // Each end of the run may be up to 3 s stale: bound the mean by that.
          assertThat(stored / wire)
              .as("stored / receiver rate over all intervals")
              .isCloseTo(1.0, within(0.05 + 6.0 / seconds));
          return;
        }
        for (Sample s : samples) {
          double secs = (s.end().toEpochMilli() - s.start().toEpochMilli()) / 1000.0;
          double w =
              receiver.bytesBetween(s.start().toEpochMilli(), s.end().toEpochMilli())
                  * 8
                  / secs
                  * FRAME_PER_PAYLOAD;
          assertThat(s.outBps() / w)
              .as("stored / receiver rate for the interval ending %s", s.end())
              .isCloseTo(1.0, within(0.05));
          assertThat(s.outBps() / tbfBps)
              .as("stored / tbf rate, interval ending %s", s.end())
              .isCloseTo(1.0, within(0.05));
          assertThat(s.outPct()).isCloseTo(s.outBps() / 10e6 * 100, within(1e-6));
        }
        assertThat(stored / wire)
            .as("stored / receiver rate over all intervals")
            .isCloseTo(1.0, within(0.05));
      }
    } finally {
      if (poller != null) {
        poller.stop();
      }
      if (sender != null) {
        sender.destroyForcibly();
        sender.waitFor(10, TimeUnit.SECONDS);
      }
      if (receiver != null) {
        receiver.close();
      }
      quiet("ip netns del " + ns);
      quiet("ip link del " + hostIf);
    }
  }

  private static double kernelRate(List<long[]> kernel, long fromMs, long toMs) {
    // The kernel reading taken just before each poll: the nearest ones to the interval's ends.
    long[] a = nearest(kernel, fromMs);
    long[] b = nearest(kernel, toMs);
    return (b[1] - a[1]) * 8.0 / ((b[0] - a[0]) / 1000.0);
  }

  private static long[] nearest(List<long[]> points, long ms) {
    long[] best = points.get(0);
    for (long[] p : points) {
      if (Math.abs(p[0] - ms) < Math.abs(best[0] - ms)) {
        best = p;
      }
    }
    return best;
  }

  /** Accepts one connection and counts what arrives, with the wall time of every read. */
  static final class Receiver implements AutoCloseable {
    private final ServerSocket server;
    private final Thread thread;
    private final List<long[]> reads = new ArrayList<>(); // {epoch ms, cumulative bytes}

    Receiver(String host) throws IOException {
      server = new ServerSocket();
      server.bind(new InetSocketAddress(InetAddress.getByName(host), 0));
      thread = new Thread(this::serve, "snmp-it-receiver");
      thread.setDaemon(true);
      thread.start();
    }

    int port() {
      return server.getLocalPort();
    }

    private void serve() {
      try (Socket s = server.accept();
          InputStream in = s.getInputStream()) {
        byte[] buf = new byte[256 * 1024];
        long total = 0;
        int n;
        while ((n = in.read(buf)) > 0) {
          total += n;
          synchronized (reads) {
            reads.add(new long[] {System.currentTimeMillis(), total});
          }
        }
      } catch (IOException e) {
        // closed
      }
    }

    long total() {
      synchronized (reads) {
        return reads.isEmpty() ? 0 : reads.get(reads.size() - 1)[1];
      }
    }

    /** Bytes received in (fromMs, toMs], interpolating between reads. */
    double bytesBetween(long fromMs, long toMs) {
      return at(toMs) - at(fromMs);
    }

    private double at(long ms) {
      synchronized (reads) {
        long[] prev = null;
        for (long[] r : reads) {
          if (r[0] >= ms) {
            if (prev == null || r[0] == prev[0]) {
              return r[1];
            }
            return prev[1] + (double) (r[1] - prev[1]) * (ms - prev[0]) / (r[0] - prev[0]);
          }
          prev = r;
        }
        return prev == null ? 0 : prev[1];
      }
    }

    @Override
    public void close() throws IOException {
      server.close();
      thread.interrupt();
    }
  }

  record Out(int code, String text) {}

  static Out run(String cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("sh", "-c", cmd).redirectErrorStream(true).start();
    String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("timed out: " + cmd);
    }
    return new Out(p.exitValue(), text);
  }

  static String sh(String cmd) throws IOException, InterruptedException {
    Out o = run(cmd);
    if (o.code != 0) {
      throw new IOException("failed (" + o.code + "): " + cmd + ": " + o.text.strip());
    }
    return o.text;
  }

  static void quiet(String cmd) {
    try {
      run(cmd);
    } catch (IOException | InterruptedException e) {
      // cleanup only
    }
  }

  private static String fmt(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
  }
}
