package org.enlace.server.speedtest.accuracy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.enlace.server.testing.TempDirs;

/**
 * Propagation delay and random loss on one interface's ingress, for kernels without {@code
 * sch_netem} (this CI's: {@code CONFIG_NET_SCH_NETEM is not set}). iptables (mangle, PREROUTING,
 * matched on the interface) drops a share of the arriving packets with the {@code statistic} match
 * and hands the rest to an NFQUEUE, where {@code delayline} (C, in the test resources, built here
 * with gcc against libnetfilter-queue) holds each one for the delay and accepts it in arrival
 * order.
 *
 * <p>Why the ingress: a packet held on its sender's own egress still belongs to the sending socket,
 * and TCP small queues would throttle the flow to about a millisecond of data in the host; the veth
 * has orphaned it by the time it reaches the other end's PREROUTING. So a direction is: tbf on the
 * sender's egress (rate), then loss, then delay, as netem's delay and loss above a tbf would be.
 * The delay is fixed (no jitter, no reordering).
 *
 * <p>Needs, beyond the rig's {@code ip} and {@code tc}: {@code iptables} (with the NFQUEUE target
 * and the statistic match), {@code gcc} and {@code libnetfilter-queue-dev}.
 */
final class DelayLine implements AutoCloseable {
  private static final String SOURCE = "/accuracy/delayline.c";
  private static Path binary;

  private final String netns; // null: the root namespace
  private final List<String> rules = new ArrayList<>();
  private final Process process;
  final String description;

  private DelayLine(String netns, String iface, int queue, double delayMs, double lossPct)
      throws IOException {
    this.netns = netns;
    Process p = null;
    try {
      if (delayMs > 0) {
        // The listener first: a queue rule with no one bound to it drops every packet.
        p =
            new ProcessBuilder(
                    in(netns, List.of(binary().toString(), Integer.toString(queue), fmt(delayMs))))
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        BufferedReader r =
            new BufferedReader(
                new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII));
        String line = r.readLine();
        if (!"ready".equals(line)) {
          throw new IOException("delayline did not start on queue " + queue + ": " + line);
        }
      }
      if (lossPct > 0) {
        add(
            "-i "
                + iface
                + " -m statistic --mode random --probability "
                + fmt(lossPct / 100)
                + " -j DROP");
      }
      if (delayMs > 0) {
        add("-i " + iface + " -j NFQUEUE --queue-num " + queue);
      }
    } catch (IOException | RuntimeException e) {
      this.process = p;
      close();
      throw e;
    }
    this.process = p;
    this.description =
        String.format(
            Locale.ROOT,
            "%s ingress: %s ms delay (nfqueue %d), %s %% " + "loss (iptables statistic)",
            iface,
            fmt(delayMs),
            queue,
            fmt(lossPct));
  }

  /** Delay and loss on the ingress of iface, in netns (null: the root namespace). */
  static DelayLine start(String netns, String iface, int queue, double delayMs, double lossPct)
      throws IOException {
    return new DelayLine(netns, iface, queue, delayMs, lossPct);
  }

  /** Null when delay lines can be made here; otherwise why not. */
  @SuppressWarnings("try") // the line is started only to see that it can be, then closed
  static String unavailable(String probeNetns) {
    try {
      binary();
    } catch (IOException e) {
      return e.getMessage();
    }
    // Queue 2: the link's own delay line in that namespace may hold queue 1 already.
    try (DelayLine d = start(probeNetns, "lo", 2, 1, 0.5)) {
      return null;
    } catch (IOException e) {
      return "iptables NFQUEUE / statistic: " + e.getMessage();
    }
  }

  private void add(String rule) throws IOException {
    ShapedLink.sh(
        String.join(" ", in(netns, List.of("iptables", "-w", "-t", "mangle", "-A", "PREROUTING")))
            + " "
            + rule);
    rules.add(rule);
  }

  /** Deletes rules in the root namespace left by runs whose process is gone. */
  static void deleteStale(Predicate<String> staleInterface) {
    try {
      for (String line :
          ShapedLink.run("iptables -w -t mangle -S PREROUTING").text().split("\n", 0)) {
        String[] f = line.split("\\s+", 0);
        for (int i = 0; i + 1 < f.length; i++) {
          if (f[i].equals("-i") && staleInterface.test(f[i + 1]) && line.startsWith("-A ")) {
            ShapedLink.quiet("iptables -w -t mangle -D " + line.substring(3));
          }
        }
      }
    } catch (IOException e) {
      // no iptables: nothing of ours to clean
    }
  }

  private static List<String> in(String netns, List<String> cmd) {
    List<String> c = new ArrayList<>();
    if (netns != null) {
      c.addAll(List.of("ip", "netns", "exec", netns));
    }
    c.addAll(cmd);
    return c;
  }

  private static synchronized Path binary() throws IOException {
    if (binary != null) {
      return binary;
    }
    Path dir = TempDirs.create("enlace-delayline");
    Path src = dir.resolve("delayline.c");
    try (InputStream in = DelayLine.class.getResourceAsStream(SOURCE)) {
      if (in == null) {
        throw new IOException("test resource " + SOURCE + " missing");
      }
      Files.copy(in, src, StandardCopyOption.REPLACE_EXISTING);
    }
    Path out = dir.resolve("delayline");
    ShapedLink.Out o = ShapedLink.run("gcc -O2 -o " + out + " " + src + " -lnetfilter_queue");
    if (o.code() != 0) {
      throw new IOException(
          "cannot build delayline (needs gcc and libnetfilter-queue-dev): " + o.text().strip());
    }
    binary = out;
    return out;
  }

  private static String fmt(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
  }

  @Override
  public void close() {
    for (String rule : rules) {
      ShapedLink.quiet(
          String.join(" ", in(netns, List.of("iptables", "-w", "-t", "mangle", "-D", "PREROUTING")))
              + " "
              + rule);
    }
    rules.clear();
    if (process != null) {
      process.destroy(); // SIGTERM: it accepts what it still holds, then exits
      try {
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
    }
  }
}
