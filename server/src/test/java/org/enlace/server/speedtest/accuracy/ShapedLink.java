package org.enlace.server.speedtest.accuracy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace of this run with a veth pair to the root namespace, both directions shaped
 * with {@code tc} (the pattern of the agent's CatchUpBench, with names and a /30 of its own so that
 * runs, and other benches, never collide). Root side {@link #hostAddr}: the servers; the namespace
 * side {@link #nsAddr}: the clients, started with {@link #exec}. Nothing else is routed: the
 * namespace has only this link and its loopback.
 *
 * <p>Shaping ({@link Shape}): tbf on each end's egress, so the root side shapes the download and
 * the namespace side the upload; with delay or loss, netem as the root qdisc and tbf as its child
 * (netem's documented pattern), half the round trip and the loss on each direction. Where the
 * kernel has no netem, a {@link DelayLine} on each end's ingress adds the same delay and loss after
 * the tbf. GSO is off on both ends (gso_max_segs 1): every packet is one MTU frame, as on a real
 * access link, and the loss hits single segments rather than 64 KB super-packets.
 */
public final class ShapedLink implements AutoCloseable {
  /** Names of this class's namespaces; the pid after it says whose they are. */
  public static final String NETNS_PREFIX = "enlace-acc-";

  static final String LINK_PREFIX = "enacc";

  public final String netns;
  public final String hostIf;
  public final String nsIf;
  public final String hostAddr;
  public final String nsAddr;
  private volatile Shape shape;
  private final List<DelayLine> delayLines = new ArrayList<>();

  /**
   * A link shape. rateMbit: tbf rate (10^6 bit/s of frames, Ethernet header included); delayMs:
   * round trip added by netem or the delay line (half on each direction); lossPct: loss on each
   * direction.
   */
  public record Shape(double rateMbit, int delayMs, double lossPct) {
    public static Shape rate(double mbit) {
      return new Shape(mbit, 0, 0);
    }

    /**
     * tbf bucket: two full frames, or 1 ms at the rate when that is more. A bucket below one frame
     * drops every full-size packet; a bucket much larger lets bursts pass at line rate. Over a 10 s
     * test it adds at most burst/10 s to the mean (12.5 KB: 0.01 Mbit/s).
     */
    public long burstBytes() {
      return Math.max(2 * 1514L, (long) (rateMbit * 1e6 / 8 / 1000));
    }

    /**
     * tbf queue, as its latency: 50 ms of data at the rate without added delay (a modest modem
     * buffer, far more than the namespace's sub-millisecond round trip, so one TCP flow keeps the
     * link busy); with netem, 100 ms, more than the 80 ms bandwidth-delay product.
     */
    public int latencyMs() {
      return delayMs == 0 ? 50 : Math.max(100, delayMs + 20);
    }

    public String describe() {
      String s = String.format(Locale.ROOT, "%s Mbit/s", fmt(rateMbit));
      if (delayMs > 0 || lossPct > 0) {
        s += String.format(Locale.ROOT, ", %d ms RTT, %s %% loss", delayMs, fmt(lossPct));
      }
      return s;
    }

    boolean impaired() {
      return delayMs > 0 || lossPct > 0;
    }

    /** The tc commands for one end's egress (device dev); netem for delay and loss or not. */
    List<String> tc(String dev, boolean netem) {
      List<String> cmds = new ArrayList<>();
      String tbf =
          String.format(
              Locale.ROOT,
              "tbf rate %skbit burst %d latency %dms",
              fmt(rateMbit * 1000),
              burstBytes(),
              latencyMs());
      if (!impaired() || !netem) {
        cmds.add("tc qdisc replace dev " + dev + " root " + tbf);
      } else {
        // netem's own queue must hold what is in flight on the delay line: 10000 packets.
        cmds.add(
            String.format(
                Locale.ROOT,
                "tc qdisc replace dev %s root handle 1: netem "
                    + "delay %sms loss %s%% limit 10000",
                dev,
                fmt(delayMs / 2.0),
                fmt(lossPct)));
        cmds.add("tc qdisc replace dev " + dev + " parent 1:1 handle 10: " + tbf);
      }
      return cmds;
    }

    private static String fmt(double v) {
      return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
  }

  private ShapedLink(long id) {
    netns = NETNS_PREFIX + id;
    hostIf = LINK_PREFIX + id + "h";
    nsIf = LINK_PREFIX + id + "n";
    // 10.236.0.0/16 cut into /30s by pid: distinct for every live process, and away from the
    // agent's CatchUpBench (10.231.7.0/24).
    long net = (id % 16384) * 4;
    String prefix = "10.236." + (net / 256) + ".";
    hostAddr = prefix + (net % 256 + 1);
    nsAddr = prefix + (net % 256 + 2);
  }

  /** Null when links can be made here; otherwise why not (for a JUnit assumption). */
  public static String unavailable() {
    if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
      return "needs Linux network namespaces";
    }
    if (!"root".equals(System.getProperty("user.name"))) {
      return "needs root (ip netns, veth, tc); running as " + System.getProperty("user.name");
    }
    String probe = NETNS_PREFIX + "probe-" + ProcessHandle.current().pid();
    try {
      Out add = run("ip netns add " + probe);
      if (add.code != 0) {
        return "ip netns add is not permitted here: " + add.text.strip();
      }
      Out tc =
          run(
              "ip netns exec "
                  + probe
                  + " tc qdisc replace dev lo root tbf rate 1mbit "
                  + "burst 3028 latency 50ms");
      if (tc.code != 0) {
        return "tc tbf is not available here: " + tc.text.strip();
      }
      return null;
    } catch (IOException e) {
      return "iproute2 (ip, tc) is not available: " + e.getMessage();
    } finally {
      quiet("ip netns del " + probe);
    }
  }

  /** Null when this link can take netem (delay, loss); otherwise why not. */
  public String netemUnavailable() {
    try {
      Out o = run("ip netns exec " + netns + " tc qdisc replace dev lo root netem delay 1ms");
      quiet("ip netns exec " + netns + " tc qdisc del dev lo root");
      return o.code == 0
          ? null
          : "tc netem: " + o.text.strip() + " (kernel without CONFIG_NET_SCH_NETEM?)";
    } catch (IOException e) {
      return "tc netem: " + e.getMessage();
    }
  }

  /** Null when this link can take delay and loss, by netem or by a delay line; else why not. */
  public String impairmentUnavailable() {
    String netem = netemUnavailable();
    if (netem == null) {
      return null;
    }
    String line = DelayLine.unavailable(netns);
    return line == null ? null : netem + "; " + line;
  }

  /** Deletes namespaces and links of earlier runs whose process is gone. */
  public static void deleteStale() {
    try {
      for (String line : run("ip netns list").text.split("\n", 0)) {
        String name = line.split("\\s+", 0)[0];
        if (name.startsWith(NETNS_PREFIX)
            && !alive(name.substring(NETNS_PREFIX.length()).replace("probe-", ""))) {
          quiet("ip netns del " + name);
        }
      }
      for (String line : run("ip -o link show").text.split("\n", 0)) {
        String[] f = line.split(":\\s+", 0);
        if (f.length > 1) {
          String dev = f[1].split("@", 0)[0];
          if (dev.startsWith(LINK_PREFIX)
              && dev.endsWith("h")
              && !alive(dev.substring(LINK_PREFIX.length(), dev.length() - 1))) {
            quiet("ip link del " + dev);
          }
        }
      }
    } catch (IOException e) {
      // nothing to clean
    }
    DelayLine.deleteStale(
        dev ->
            dev.startsWith(LINK_PREFIX)
                && dev.endsWith("h")
                && !alive(dev.substring(LINK_PREFIX.length(), dev.length() - 1)));
  }

  private static boolean alive(String pid) {
    String digits = pid.replaceAll("[^0-9].*$", "");
    if (digits.isEmpty()) {
      return false;
    }
    return ProcessHandle.of(Long.parseLong(digits)).isPresent();
  }

  /** Makes the namespace and the veth pair (unshaped until {@link #shape}). */
  public static ShapedLink create() throws IOException {
    deleteStale();
    ShapedLink l = new ShapedLink(ProcessHandle.current().pid());
    quiet("ip netns del " + l.netns);
    quiet("ip link del " + l.hostIf);
    try {
      sh("ip netns add " + l.netns);
      sh("ip link add " + l.hostIf + " type veth peer name " + l.nsIf);
      sh("ip link set " + l.nsIf + " netns " + l.netns);
      sh("ip link set dev " + l.hostIf + " gso_max_segs 1");
      sh("ip addr add " + l.hostAddr + "/30 dev " + l.hostIf);
      sh("ip link set " + l.hostIf + " up");
      sh("ip netns exec " + l.netns + " ip link set dev " + l.nsIf + " gso_max_segs 1");
      sh("ip netns exec " + l.netns + " ip addr add " + l.nsAddr + "/30 dev " + l.nsIf);
      sh("ip netns exec " + l.netns + " ip link set " + l.nsIf + " up");
      sh("ip netns exec " + l.netns + " ip link set lo up");
      return l;
    } catch (IOException | RuntimeException e) {
      l.close();
      throw e;
    }
  }

  /** Replaces the shaping of both directions. */
  public void shape(Shape s) throws IOException {
    // A netem root cannot be turned into a tbf root in place: start from the default each time.
    quiet("tc qdisc del dev " + hostIf + " root");
    quiet("ip netns exec " + netns + " tc qdisc del dev " + nsIf + " root");
    stopDelayLines();
    boolean netem = s.impaired() && netemUnavailable() == null;
    for (String c : s.tc(hostIf, netem)) {
      sh(c);
    }
    for (String c : s.tc(nsIf, netem)) {
      sh("ip netns exec " + netns + " " + c);
    }
    if (s.impaired() && !netem) {
      // Root-namespace queue numbers are shared by every process: one per pid.
      int hostQueue = 1000 + (int) (ProcessHandle.current().pid() % 60000);
      synchronized (delayLines) {
        delayLines.add(DelayLine.start(null, hostIf, hostQueue, s.delayMs() / 2.0, s.lossPct()));
        delayLines.add(DelayLine.start(netns, nsIf, 1, s.delayMs() / 2.0, s.lossPct()));
      }
    }
    shape = s;
  }

  private void stopDelayLines() {
    synchronized (delayLines) {
      for (DelayLine d : delayLines) {
        d.close();
      }
      delayLines.clear();
    }
  }

  public Shape shape() {
    return shape;
  }

  /** The qdiscs now on both ends, for the record. */
  public String describeQdiscs() throws IOException {
    StringBuilder lines = new StringBuilder();
    synchronized (delayLines) {
      for (DelayLine d : delayLines) {
        lines.append(" | ").append(d.description);
      }
    }
    return "host "
        + run("tc qdisc show dev " + hostIf).text.strip().replace('\n', ';')
        + " | netns "
        + run("ip netns exec " + netns + " tc qdisc show dev " + nsIf)
            .text
            .strip()
            .replace('\n', ';')
        + lines;
  }

  /** A command line run inside the namespace. */
  public List<String> exec(List<String> command) {
    List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", netns));
    c.addAll(command);
    return c;
  }

  @Override
  public void close() {
    stopDelayLines();
    quiet("ip netns del " + netns);
    quiet("ip link del " + hostIf);
  }

  record Out(int code, String text) {}

  static Out run(String cmd) throws IOException {
    Process p = new ProcessBuilder("sh", "-c", cmd).redirectErrorStream(true).start();
    try {
      String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("timed out: " + cmd);
      }
      return new Out(p.exitValue(), text);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted: " + cmd, e);
    }
  }

  static void sh(String cmd) throws IOException {
    Out o = run(cmd);
    if (o.code != 0) {
      throw new IOException("failed (" + o.code + "): " + cmd + ": " + o.text.strip());
    }
  }

  static void quiet(String cmd) {
    try {
      run(cmd);
    } catch (IOException e) {
      // cleanup only
    }
  }
}
