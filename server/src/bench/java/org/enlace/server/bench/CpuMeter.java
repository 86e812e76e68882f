package org.enlace.server.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * CPU time of the server JVM, of PostgreSQL (the postmaster and all its children, including the
 * children it has already reaped) and of this generator, from Linux's /proc, plus the whole
 * machine's busy time, so that load from anything else (another build) shows up as "other".
 */
final class CpuMeter {
  /** Linux's USER_HZ; 100 on every mainstream kernel build. */
  static final double TICKS_PER_SECOND = 100.0;

  record Snapshot(
      long nanos,
      long serverTicks,
      long postgresTicks,
      long generatorTicks,
      long machineBusyTicks,
      long machineTotalTicks,
      long irqTicks,
      long stealTicks) {}

  /** CPU used between two snapshots, in cores (1.0 = one core busy all the time). */
  record Usage(
      double seconds,
      double server,
      double postgres,
      double generator,
      double machine,
      double machineCores,
      double irq,
      double steal) {
    /** Busy time of other processes and kernel threads (softirq time is shown apart). */
    double other() {
      return Math.max(0, machine - server - postgres - generator - irq);
    }

    String describe() {
      return String.format(
          "server %.2f, PostgreSQL %.2f, generator %.2f, irq/softirq %.2f, "
              + "other %.2f, machine busy %.2f of %.0f cores (steal %.2f)",
          server, postgres, generator, irq, other(), machine, machineCores, steal);
    }
  }

  private final long serverPid;
  private final long postmasterPid;
  private final long selfPid = ProcessHandle.current().pid();

  CpuMeter(long serverPid, long postmasterPid) {
    this.serverPid = serverPid;
    this.postmasterPid = postmasterPid;
  }

  Snapshot snapshot() {
    long now = System.nanoTime();
    Map<Long, long[]> procs = readAll();
    long server = own(procs.get(serverPid));
    long generator = own(procs.get(selfPid));
    long pg = 0;
    long[] pm = procs.get(postmasterPid);
    if (pm != null) {
      pg = pm[1] + pm[2] + pm[3]; // own time plus reaped children's
      Map<Long, List<Long>> children = new HashMap<>();
      for (Map.Entry<Long, long[]> e : procs.entrySet()) {
        children.computeIfAbsent(e.getValue()[0], k -> new ArrayList<>()).add(e.getKey());
      }
      List<Long> stack = new ArrayList<>(children.getOrDefault(postmasterPid, List.of()));
      while (!stack.isEmpty()) {
        long pid = stack.remove(stack.size() - 1);
        pg += own(procs.get(pid));
        stack.addAll(children.getOrDefault(pid, List.of()));
      }
    }
    long[] machine = machine();
    return new Snapshot(now, server, pg, generator, machine[0], machine[1], machine[2], machine[3]);
  }

  static Usage between(Snapshot a, Snapshot b) {
    double secs = (b.nanos() - a.nanos()) / 1e9;
    double f = 1.0 / TICKS_PER_SECOND / secs;
    double totalTicks = b.machineTotalTicks() - a.machineTotalTicks();
    double cores = totalTicks / TICKS_PER_SECOND / secs;
    return new Usage(
        secs,
        (b.serverTicks() - a.serverTicks()) * f,
        (b.postgresTicks() - a.postgresTicks()) * f,
        (b.generatorTicks() - a.generatorTicks()) * f,
        (b.machineBusyTicks() - a.machineBusyTicks()) * f,
        Math.round(cores),
        (b.irqTicks() - a.irqTicks()) * f,
        (b.stealTicks() - a.stealTicks()) * f);
  }

  private static long own(long[] p) {
    return p == null ? 0 : p[1];
  }

  /** pid -> {ppid, utime+stime, cutime, cstime}. */
  private static Map<Long, long[]> readAll() {
    Map<Long, long[]> out = new HashMap<>();
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path d : dirs) {
        try {
          String stat = Files.readString(d.resolve("stat"), StandardCharsets.ISO_8859_1);
          // comm may hold spaces and parentheses: fields start after the last ')'.
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ", 0);
          // f[0] is field 3 (state); ppid is field 4, utime 14, stime 15, cutime 16, cstime 17.
          long ppid = Long.parseLong(f[1]);
          long utime = Long.parseLong(f[11]);
          long stime = Long.parseLong(f[12]);
          long cutime = Long.parseLong(f[13]);
          long cstime = Long.parseLong(f[14]);
          out.put(
              Long.parseLong(d.getFileName().toString()),
              new long[] {ppid, utime + stime, cutime, cstime});
        } catch (IOException | RuntimeException e) {
          // the process ended while we looked
        }
      }
    } catch (IOException e) {
      // no /proc: report zeros
    }
    return out;
  }

  /** {busy, total, irq + softirq, steal} ticks of the whole machine; busy excludes steal. */
  private static long[] machine() {
    try {
      String first = Files.readAllLines(Path.of("/proc/stat"), StandardCharsets.ISO_8859_1).get(0);
      String[] f = first.trim().split("\\s+", 0);
      long total = 0;
      for (int i = 1; i < Math.min(f.length, 9); i++) { // user..steal; guest is inside user
        total += Long.parseLong(f[i]);
      }
      long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
      long irq = Long.parseLong(f[6]) + Long.parseLong(f[7]);
      long steal = f.length > 8 ? Long.parseLong(f[8]) : 0;
      return new long[] {total - idle - steal, total, irq, steal};
    } catch (IOException | RuntimeException e) {
      return new long[] {0, 0, 0, 0};
    }
  }
}
