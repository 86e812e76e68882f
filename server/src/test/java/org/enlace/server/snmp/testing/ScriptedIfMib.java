package org.enlace.server.snmp.testing;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * A Net-SNMP {@code pass_persist} program (snmpd.conf(5)) serving the system group and IF-MIB from
 * a {@link MibState} file, so tests script what a real snmpd answers.
 *
 * <p>Protocol, one request at a time on stdin/stdout: {@code PING} → {@code PONG}; {@code
 * get}/{@code getnext} + OID line → OID, type and value lines, or {@code NONE}; {@code set} + OID +
 * "type value" lines → {@code not-writable}. EOF (snmpd gone) ends it.
 *
 * <p>The file is stat'ed on every request and re-parsed only when its (inode, mtime, size) changes,
 * which {@link MibState#writeTo} guarantees for every rewrite; lookups are TreeMap O(log n).
 * GETNEXT answers with the next served OID wherever it is: snmpd registers this program once, for
 * mib-2, and treats an answer past the end of the registration range it asked about as "nothing
 * here" and moves on to the next module.
 *
 * <p>JDK only (snmpd launches it with just the test classes on the class path). Diagnostics go to
 * stderr, which is snmpd's log.
 */
public final class ScriptedIfMib {
  private final Path stateFile;
  private NavigableMap<Oid, MibState.Served> tree = new TreeMap<>();
  private MibState state = new MibState();
  private Stamp loaded;

  /** What tells one version of the state file from the next without reading it. */
  private record Stamp(Object fileKey, long mtimeNanos, long size) {}

  public ScriptedIfMib(Path stateFile) {
    this.stateFile = stateFile;
  }

  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      System.err.println("usage: ScriptedIfMib <state file>");
      System.exit(2);
    }
    var in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
    var out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.US_ASCII));
    new ScriptedIfMib(Path.of(args[0])).serve(in, out);
  }

  /** Answers requests until EOF. */
  public void serve(BufferedReader in, Writer out) throws IOException {
    String command;
    while ((command = in.readLine()) != null) {
      switch (command.strip().toLowerCase(Locale.ROOT)) {
        case "ping" -> out.write("PONG\n");
        case "get" -> out.write(answer(in.readLine(), false));
        case "getnext" -> out.write(answer(in.readLine(), true));
        case "set" -> {
          in.readLine(); // OID
          in.readLine(); // type and value
          out.write("not-writable\n");
        }
        case "" -> {
          // snmpd never sends blank lines; tolerate them from a human at a terminal
          continue;
        }
        default -> {
          System.err.println("ScriptedIfMib: unknown command '" + command + "'");
          out.write("NONE\n");
        }
      }
      out.flush();
    }
  }

  String answer(String oidLine, boolean next) {
    if (oidLine == null) {
      return "NONE\n";
    }
    Oid requested;
    try {
      requested = Oid.parse(oidLine);
    } catch (RuntimeException e) {
      System.err.println("ScriptedIfMib: bad OID '" + oidLine + "'");
      return "NONE\n";
    }
    NavigableMap<Oid, MibState.Served> t = current();
    Map.Entry<Oid, MibState.Served> e;
    if (next) {
      e = t.higherEntry(requested);
    } else {
      MibState.Served v = t.get(requested);
      e = v == null ? null : Map.entry(requested, v);
    }
    if (e == null) {
      return "NONE\n";
    }
    return e.getKey() + "\n" + e.getValue().type() + "\n" + live(e.getKey(), e.getValue()) + "\n";
  }

  private static final Oid SYS_UPTIME = Oid.parse("1.3.6.1.2.1.1.3.0");

  /** In live mode, sysUpTime and counters with a rate are computed for now. */
  private String live(Oid oid, MibState.Served served) {
    Long since = state.liveSince();
    if (since == null) {
      return served.value();
    }
    long elapsedMs = Math.max(0, System.currentTimeMillis() - since);
    if (oid.equals(SYS_UPTIME)) {
      return Long.toString((state.uptime() + elapsedMs / 10) & MibState.MAX_32);
    }
    int[] a = oid.arcs();
    boolean ifEntry =
        a.length == 11 && a[6] == 2 && a[7] == 2 && a[8] == 1; // 1.3.6.1.2.1.2.2.1.c.i
    boolean ifX = a.length == 12 && a[6] == 31 && a[7] == 1 && a[8] == 1 && a[9] == 1;
    int column = ifEntry ? a[9] : ifX ? a[10] : -1;
    int index = a[a.length - 1];
    boolean in = (ifEntry && column == 10) || (ifX && column == 6);
    boolean out = (ifEntry && column == 16) || (ifX && column == 10);
    if (!in && !out) {
      return served.value();
    }
    MibState.Iface i = state.find(index);
    long rate = i == null ? 0 : in ? i.rateIn() : i.rateOut();
    if (rate == 0) {
      return served.value();
    }
    long value = Long.parseUnsignedLong(served.value()) + rate * elapsedMs / 1000;
    return ifEntry ? Long.toString(value & MibState.MAX_32) : Long.toUnsignedString(value);
  }

  /** The served tree, re-read if the file changed since the last request. */
  NavigableMap<Oid, MibState.Served> current() {
    Stamp now;
    try {
      BasicFileAttributes a = Files.readAttributes(stateFile, BasicFileAttributes.class);
      now = new Stamp(a.fileKey(), a.lastModifiedTime().to(TimeUnit.NANOSECONDS), a.size());
    } catch (NoSuchFileException e) {
      // Not written yet: nothing to serve (after a first write it is only ever renamed over).
      return tree;
    } catch (IOException e) {
      System.err.println("ScriptedIfMib: cannot stat " + stateFile + ": " + e);
      return tree;
    }
    if (!Objects.equals(now, loaded)) {
      try {
        MibState next = MibState.readFrom(stateFile);
        tree = next.tree();
        state = next;
        loaded = now;
      } catch (IOException | RuntimeException e) {
        // Keep serving the previous version; the next request tries again.
        System.err.println("ScriptedIfMib: cannot load " + stateFile + ": " + e);
      }
    }
    return tree;
  }
}
