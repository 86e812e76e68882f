package org.enlace.server.snmp.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * What {@link ScriptedIfMib} serves: the system group and IF-MIB (ifNumber, ifTable, ifXTable) for
 * a set of scripted interfaces. Tests build it, {@link #writeTo(Path)} (or {@link
 * Snmpd#state(MibState)}) publishes it, and the pass_persist program picks it up on its next
 * request.
 *
 * <p>On disk it is a {@link Properties} file, so it stays readable when a test fails:
 *
 * <pre>
 * sysUpTime=12345
 * sysName=router-1
 * if.2.descr=eth1
 * if.2.name=wan0
 * if.2.alias=ISP Claro
 * if.2.highSpeed=10
 * if.2.oper=1
 * if.2.hcIn=18446744073709551615
 * if.2.hc=false
 * extra..1.3.6.1.2.1.2.2.1.9.2=timeticks 100
 * </pre>
 *
 * <p>Counter64 values are Java longs read as unsigned ({@code -1L} is 2^64-1, see {@link
 * Long#parseUnsignedLong}); Counter32, Gauge32 and TimeTicks take 0..2^32-1.
 *
 * <p>Not thread-safe; {@link Snmpd#state(MibState)} writes a snapshot, so a test may keep mutating
 * its instance afterwards.
 */
public final class MibState {
  public static final long MAX_32 = 0xFFFF_FFFFL;
  static final String NET_SNMP_LINUX = ".1.3.6.1.4.1.8072.3.2.10";

  static final Oid SYSTEM = Oid.parse("1.3.6.1.2.1.1");
  static final Oid IF_NUMBER = Oid.parse("1.3.6.1.2.1.2.1.0");
  static final Oid IF_ENTRY = Oid.parse("1.3.6.1.2.1.2.2.1");
  static final Oid IFX_ENTRY = Oid.parse("1.3.6.1.2.1.31.1.1.1");

  private long uptime;

  /** Live mode: sysUpTime and the scripted rates advance with the wall clock from this instant. */
  private Long liveSince;

  private String sysDescr = "Enlace scripted IF-MIB (Net-SNMP pass_persist)";
  private String sysObjectId = NET_SNMP_LINUX;
  private String sysContact = "noc@enlace.test";
  private String sysName = "enlace-test";
  private String sysLocation = "test harness";
  private int sysServices = 72;
  private final TreeMap<Integer, Iface> ifaces = new TreeMap<>();
  // Keyed by the OID text as given; null value means "serve nothing here".
  private final Map<String, String> overrides = new LinkedHashMap<>();

  /**
   * Live mode for long runs (benchmarks): from {@code epochMillis} on, sysUpTime grows with the
   * wall clock and each interface's counters by its {@link Iface#rate}, computed at each request,
   * so nothing has to rewrite the file to keep time.
   */
  public MibState live(long epochMillis) {
    this.liveSince = epochMillis;
    return this;
  }

  public Long liveSince() {
    return liveSince;
  }

  /** sysUpTime.0 in TimeTicks (1/100 s), 0..2^32-1: script reboots and the 497-day wrap. */
  public MibState uptime(long ticks) {
    this.uptime = check32("sysUpTime", ticks);
    return this;
  }

  public long uptime() {
    return uptime;
  }

  public MibState sysDescr(String v) {
    this.sysDescr = v;
    return this;
  }

  public MibState sysObjectId(String oid) {
    this.sysObjectId = Oid.parse(oid).toString();
    return this;
  }

  public MibState sysContact(String v) {
    this.sysContact = v;
    return this;
  }

  public MibState sysName(String v) {
    this.sysName = v;
    return this;
  }

  public MibState sysLocation(String v) {
    this.sysLocation = v;
    return this;
  }

  public String sysName() {
    return sysName;
  }

  /**
   * Creates interface {@code index} (defaults: ethernet, up/up, 1000 Mbit/s, counters 0) or edits
   * the existing one.
   */
  public MibState iface(int index, Consumer<Iface> edit) {
    if (index < 1) {
      throw new IllegalArgumentException("ifIndex must be >= 1: " + index);
    }
    edit.accept(ifaces.computeIfAbsent(index, Iface::new));
    return this;
  }

  /** The scripted interface {@code index}; throws if there is none. */
  public Iface iface(int index) {
    Iface i = ifaces.get(index);
    if (i == null) {
      throw new IllegalArgumentException("no interface " + index);
    }
    return i;
  }

  public MibState removeIface(int index) {
    ifaces.remove(index);
    return this;
  }

  /** The interface at {@code index}, or null (no creation, unlike {@link #iface(int)}). */
  Iface find(int index) {
    return ifaces.get(index);
  }

  public Collection<Iface> ifaces() {
    return Collections.unmodifiableCollection(ifaces.values());
  }

  /**
   * Serves {@code oid} (absolute; it must fall under system, interfaces or ifMIB to be asked for)
   * with a pass_persist type token ({@code integer, gauge, counter, counter64, timeticks, objectid,
   * ipaddress, octet, string}) and value line, replacing a generated value if any.
   */
  public MibState override(String oid, String type, String value) {
    if (type.isBlank() || type.contains(" ") || value.contains("\n")) {
      throw new IllegalArgumentException("bad type/value: " + type + " " + value);
    }
    overrides.put(Oid.parse(oid).toString(), type + " " + value);
    return this;
  }

  /** Makes {@code oid} absent (GET gives noSuchInstance, GETNEXT skips it). */
  public MibState remove(String oid) {
    overrides.put(Oid.parse(oid).toString(), null);
    return this;
  }

  public MibState copy() {
    return fromProperties(toProperties());
  }

  /** One scripted row of ifTable/ifXTable. Setters are fluent; getters share the name. */
  public static final class Iface {
    private final int index;
    private String descr;
    private String name;
    private String alias = "";
    private int type = 6; // ethernetCsmacd
    private Long speed; // null: derived from highSpeed, as a real device does
    private long highSpeed = 1000;
    private int admin = 1;
    private int oper = 1;
    private Long in32; // null: low 32 bits of hcIn
    private Long out32;
    private long hcIn;
    private long hcOut;
    private boolean hc = true;
    private boolean ifX = true;
    private long rateIn;
    private long rateOut;

    /** Octets per second in and out, used in live mode (see {@link MibState#live}). */
    public Iface rate(long inPerSecond, long outPerSecond) {
      this.rateIn = inPerSecond;
      this.rateOut = outPerSecond;
      return this;
    }

    public long rateIn() {
      return rateIn;
    }

    public long rateOut() {
      return rateOut;
    }

    Iface(int index) {
      this.index = index;
      this.descr = "if" + index;
    }

    public int index() {
      return index;
    }

    /** ifDescr (ifTable .2). */
    public Iface descr(String v) {
      this.descr = v;
      return this;
    }

    public String descr() {
      return descr;
    }

    /** ifName (ifXTable .1); defaults to ifDescr. */
    public Iface name(String v) {
      this.name = v;
      return this;
    }

    public String name() {
      return name != null ? name : descr;
    }

    /** ifAlias (ifXTable .18); UTF-8 on the wire. */
    public Iface alias(String v) {
      this.alias = v;
      return this;
    }

    public String alias() {
      return alias;
    }

    /** ifType (IANAifType): 6 ethernetCsmacd, 24 softwareLoopback, 131 tunnel, 23 ppp... */
    public Iface type(int v) {
      this.type = v;
      return this;
    }

    public int type() {
      return type;
    }

    /** ifSpeed in bit/s (Gauge32); by default min(ifHighSpeed * 10^6, 2^32-1). */
    public Iface speed(long bitsPerSecond) {
      this.speed = check32("ifSpeed", bitsPerSecond);
      return this;
    }

    public long speed() {
      return speed != null ? speed : Math.min(highSpeed * 1_000_000L, MAX_32);
    }

    /** ifHighSpeed in Mbit/s (Gauge32). */
    public Iface highSpeedMbps(long mbps) {
      this.highSpeed = check32("ifHighSpeed", mbps);
      return this;
    }

    public long highSpeedMbps() {
      return highSpeed;
    }

    /** ifAdminStatus: 1 up, 2 down, 3 testing. */
    public Iface admin(int v) {
      this.admin = v;
      return this;
    }

    public int admin() {
      return admin;
    }

    /**
     * ifOperStatus: 1 up, 2 down, 3 testing, 4 unknown, 5 dormant, 6 notPresent, 7 lowerLayerDown.
     */
    public Iface oper(int v) {
      this.oper = v;
      return this;
    }

    public int oper() {
      return oper;
    }

    /** ifInOctets (Counter32); by default the low 32 bits of ifHCInOctets. */
    public Iface in32(long v) {
      this.in32 = check32("ifInOctets", v);
      return this;
    }

    public long in32() {
      return in32 != null ? in32 : hcIn & MAX_32;
    }

    /** ifOutOctets (Counter32); by default the low 32 bits of ifHCOutOctets. */
    public Iface out32(long v) {
      this.out32 = check32("ifOutOctets", v);
      return this;
    }

    public long out32() {
      return out32 != null ? out32 : hcOut & MAX_32;
    }

    /** ifHCInOctets (Counter64), unsigned. */
    public Iface hcIn(long v) {
      this.hcIn = v;
      return this;
    }

    public long hcIn() {
      return hcIn;
    }

    /** ifHCOutOctets (Counter64), unsigned. */
    public Iface hcOut(long v) {
      this.hcOut = v;
      return this;
    }

    public long hcOut() {
      return hcOut;
    }

    /**
     * Counts traffic: adds to the 64-bit counters (wrapping at 2^64) and to explicitly scripted
     * 32-bit ones (wrapping at 2^32), like a device's counters moving between two polls.
     */
    public Iface addOctets(long in, long out) {
      hcIn += in;
      hcOut += out;
      if (in32 != null) {
        in32 = (in32 + in) & MAX_32;
      }
      if (out32 != null) {
        out32 = (out32 + out) & MAX_32;
      }
      return this;
    }

    /** false: no ifHCInOctets/ifHCOutOctets for this row (a device with 32-bit counters only). */
    public Iface hc(boolean v) {
      this.hc = v;
      return this;
    }

    public boolean hc() {
      return hc;
    }

    /** false: no ifXTable row at all (no ifName, ifAlias, ifHighSpeed, HC counters). */
    public Iface ifX(boolean v) {
      this.ifX = v;
      return this;
    }

    public boolean ifX() {
      return ifX;
    }
  }

  // --- the file ---

  public Properties toProperties() {
    Properties p = new Properties();
    p.setProperty("sysUpTime", Long.toString(uptime));
    p.setProperty("sysDescr", sysDescr);
    p.setProperty("sysObjectID", sysObjectId);
    p.setProperty("sysContact", sysContact);
    p.setProperty("sysName", sysName);
    p.setProperty("sysLocation", sysLocation);
    p.setProperty("sysServices", Integer.toString(sysServices));
    for (Iface i : ifaces.values()) {
      String k = "if." + i.index + ".";
      p.setProperty(k + "descr", i.descr);
      if (i.name != null) {
        p.setProperty(k + "name", i.name);
      }
      p.setProperty(k + "alias", i.alias);
      p.setProperty(k + "type", Integer.toString(i.type));
      if (i.speed != null) {
        p.setProperty(k + "speed", Long.toString(i.speed));
      }
      p.setProperty(k + "highSpeed", Long.toString(i.highSpeed));
      p.setProperty(k + "admin", Integer.toString(i.admin));
      p.setProperty(k + "oper", Integer.toString(i.oper));
      if (i.in32 != null) {
        p.setProperty(k + "in32", Long.toString(i.in32));
      }
      if (i.out32 != null) {
        p.setProperty(k + "out32", Long.toString(i.out32));
      }
      p.setProperty(k + "hcIn", Long.toUnsignedString(i.hcIn));
      p.setProperty(k + "hcOut", Long.toUnsignedString(i.hcOut));
      p.setProperty(k + "hc", Boolean.toString(i.hc));
      p.setProperty(k + "ifX", Boolean.toString(i.ifX));
      if (i.rateIn != 0 || i.rateOut != 0) {
        p.setProperty(k + "rateIn", Long.toString(i.rateIn));
        p.setProperty(k + "rateOut", Long.toString(i.rateOut));
      }
    }
    if (liveSince != null) {
      p.setProperty("liveSince", Long.toString(liveSince));
    }
    overrides.forEach((oid, v) -> p.setProperty("extra." + oid, v == null ? "none" : v));
    return p;
  }

  public static MibState fromProperties(Properties p) {
    MibState s = new MibState();
    for (String key : p.stringPropertyNames()) {
      String v = p.getProperty(key);
      if (key.startsWith("extra.")) {
        String oid = key.substring("extra.".length());
        if (v.strip().equals("none")) {
          s.remove(oid);
        } else {
          String[] tv = v.split(" ", 2);
          s.override(oid, tv[0], tv.length > 1 ? tv[1] : "");
        }
        continue;
      }
      if (key.startsWith("if.")) {
        String[] parts = key.split("\\.", 3);
        if (parts.length != 3) {
          throw new IllegalArgumentException("bad key " + key);
        }
        s.iface(Integer.parseInt(parts[1]), i -> setIface(i, parts[2], v));
        continue;
      }
      switch (key) {
        case "sysUpTime" -> s.uptime(Long.parseLong(v));
        case "sysDescr" -> s.sysDescr = v;
        case "sysObjectID" -> s.sysObjectId(v);
        case "sysContact" -> s.sysContact = v;
        case "sysName" -> s.sysName = v;
        case "sysLocation" -> s.sysLocation = v;
        case "sysServices" -> s.sysServices = Integer.parseInt(v);
        case "liveSince" -> s.live(Long.parseLong(v));
        default -> throw new IllegalArgumentException("unknown key " + key);
      }
    }
    return s;
  }

  private static void setIface(Iface i, String field, String v) {
    switch (field) {
      case "descr" -> i.descr(v);
      case "name" -> i.name(v);
      case "alias" -> i.alias(v);
      case "type" -> i.type(Integer.parseInt(v));
      case "speed" -> i.speed(Long.parseLong(v));
      case "highSpeed" -> i.highSpeedMbps(Long.parseLong(v));
      case "admin" -> i.admin(Integer.parseInt(v));
      case "oper" -> i.oper(Integer.parseInt(v));
      case "in32" -> i.in32(Long.parseLong(v));
      case "out32" -> i.out32(Long.parseLong(v));
      case "hcIn" -> i.hcIn(Long.parseUnsignedLong(v));
      case "hcOut" -> i.hcOut(Long.parseUnsignedLong(v));
      case "hc" -> i.hc(Boolean.parseBoolean(v));
      case "ifX" -> i.ifX(Boolean.parseBoolean(v));
      case "rateIn" -> i.rateIn = Long.parseLong(v);
      case "rateOut" -> i.rateOut = Long.parseLong(v);
      default -> throw new IllegalArgumentException("unknown interface field " + field);
    }
  }

  public static MibState readFrom(Path file) throws IOException {
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(file)) {
      p.load(in);
    }
    return fromProperties(p);
  }

  /**
   * Replaces {@code file} atomically (temp file in the same directory, then rename), so the reader
   * never sees half a file. The new file's mtime is forced past the old one's: the reader detects
   * changes by (inode, mtime, size), and two quick rewrites of equal size could otherwise share an
   * mtime (the kernel's file clock ticks every few ms) and a recycled inode number.
   */
  public void writeTo(Path file) throws IOException {
    Path abs = file.toAbsolutePath();
    Path dir = abs.getParent();
    Files.createDirectories(dir);
    Instant stamp = Instant.now();
    try {
      Instant previous = Files.getLastModifiedTime(abs).toInstant();
      if (!stamp.isAfter(previous)) {
        stamp = previous.plusNanos(1_000); // µs: the coarsest precision utimes() might keep
      }
    } catch (NoSuchFileException first) {
      // nothing to be newer than
    }
    Path tmp = Files.createTempFile(dir, "." + abs.getFileName(), ".tmp");
    try {
      try (OutputStream out = Files.newOutputStream(tmp)) {
        // store(OutputStream) escapes non-Latin-1 as \\uXXXX: the file is pure ASCII.
        sorted(toProperties()).store(out, "Enlace scripted IF-MIB state");
      }
      Files.setLastModifiedTime(tmp, FileTime.from(stamp));
      Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Properties that store() in key order, so a kept state file reads top to bottom. */
  private static Properties sorted(Properties p) {
    Properties sorted =
        new Properties() {
          @Override
          public Set<Map.Entry<Object, Object>> entrySet() {
            Set<Map.Entry<Object, Object>> set =
                new TreeSet<>(
                    Comparator.comparing(e -> e.getKey().toString(), MibState::compareKeys));
            set.addAll(super.entrySet());
            return set;
          }
        };
    sorted.putAll(p);
    return sorted;
  }

  /** sys* first, then interfaces by number, then overrides. */
  private static int compareKeys(String a, String b) {
    String[] x = a.split("\\.", 3);
    String[] y = b.split("\\.", 3);
    int c = Integer.compare(rank(x[0]), rank(y[0]));
    if (c == 0 && x[0].equals("if") && x.length == 3 && y.length == 3) {
      c = Integer.compare(Integer.parseInt(x[1]), Integer.parseInt(y[1]));
      return c != 0 ? c : x[2].compareTo(y[2]);
    }
    return c != 0 ? c : a.compareTo(b);
  }

  private static int rank(String head) {
    return switch (head) {
      case "if" -> 1;
      case "extra" -> 2;
      default -> 0;
    };
  }

  // --- what the pass_persist program serves ---

  /** A varbind as pass_persist prints it: a type token line and a value line. */
  record Served(String type, String value) {}

  /** Every served OID in GETNEXT order. */
  NavigableMap<Oid, Served> tree() {
    TreeMap<Oid, Served> t = new TreeMap<>();
    t.put(SYSTEM.append(1, 0), octets(sysDescr));
    t.put(SYSTEM.append(2, 0), new Served("objectid", sysObjectId));
    t.put(SYSTEM.append(3, 0), unsigned("timeticks", uptime));
    t.put(SYSTEM.append(4, 0), octets(sysContact));
    t.put(SYSTEM.append(5, 0), octets(sysName));
    t.put(SYSTEM.append(6, 0), octets(sysLocation));
    t.put(SYSTEM.append(7, 0), integer(sysServices));
    t.put(IF_NUMBER, integer(ifaces.size()));
    for (Iface i : ifaces.values()) {
      int x = i.index;
      t.put(IF_ENTRY.append(1, x), integer(x));
      t.put(IF_ENTRY.append(2, x), octets(i.descr));
      t.put(IF_ENTRY.append(3, x), integer(i.type));
      t.put(IF_ENTRY.append(5, x), unsigned("gauge", i.speed()));
      t.put(IF_ENTRY.append(7, x), integer(i.admin));
      t.put(IF_ENTRY.append(8, x), integer(i.oper));
      t.put(IF_ENTRY.append(10, x), unsigned("counter", i.in32()));
      t.put(IF_ENTRY.append(16, x), unsigned("counter", i.out32()));
      if (i.ifX) {
        t.put(IFX_ENTRY.append(1, x), octets(i.name()));
        if (i.hc) {
          t.put(IFX_ENTRY.append(6, x), new Served("counter64", Long.toUnsignedString(i.hcIn)));
          t.put(IFX_ENTRY.append(10, x), new Served("counter64", Long.toUnsignedString(i.hcOut)));
        }
        t.put(IFX_ENTRY.append(15, x), unsigned("gauge", i.highSpeed));
        t.put(IFX_ENTRY.append(18, x), octets(i.alias));
      }
    }
    overrides.forEach(
        (oid, v) -> {
          if (v == null) {
            t.remove(Oid.parse(oid));
          } else {
            String[] tv = v.split(" ", 2);
            t.put(Oid.parse(oid), new Served(tv[0], tv.length > 1 ? tv[1] : ""));
          }
        });
    return t;
  }

  private static Served integer(int v) {
    return new Served("integer", Integer.toString(v));
  }

  private static Served unsigned(String type, long v) {
    return new Served(type, Long.toString(v));
  }

  // Hex, not "string": exact bytes (UTF-8, empty strings, leading blanks) survive snmpd's line
  // parsing; the manager sees an OCTET STRING either way.
  private static Served octets(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    List<String> hex = new ArrayList<>(b.length);
    HexFormat f = HexFormat.of();
    for (byte x : b) {
      hex.add(f.toHexDigits(x));
    }
    return new Served("octet", String.join(" ", hex));
  }

  private static long check32(String what, long v) {
    if (v < 0 || v > MAX_32) {
      throw new IllegalArgumentException(what + " out of 0..2^32-1: " + v);
    }
    return v;
  }
}
