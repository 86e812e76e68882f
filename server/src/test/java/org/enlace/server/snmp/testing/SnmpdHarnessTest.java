package org.enlace.server.snmp.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snmp4j.CommunityTarget;
import org.snmp4j.DirectUserTarget;
import org.snmp4j.MessageDispatcherImpl;
import org.snmp4j.PDU;
import org.snmp4j.SNMP4JSettings;
import org.snmp4j.ScopedPDU;
import org.snmp4j.Snmp;
import org.snmp4j.Target;
import org.snmp4j.UserTarget;
import org.snmp4j.event.CounterEvent;
import org.snmp4j.event.ResponseEvent;
import org.snmp4j.mp.CounterSupport;
import org.snmp4j.mp.MPv1;
import org.snmp4j.mp.MPv2c;
import org.snmp4j.mp.MPv3;
import org.snmp4j.mp.SnmpConstants;
import org.snmp4j.security.AuthHMAC192SHA256;
import org.snmp4j.security.AuthSHA;
import org.snmp4j.security.AuthenticationProtocol;
import org.snmp4j.security.PrivAES128;
import org.snmp4j.security.PrivAES256;
import org.snmp4j.security.PrivacyProtocol;
import org.snmp4j.security.SecurityLevel;
import org.snmp4j.security.SecurityProtocols;
import org.snmp4j.security.USM;
import org.snmp4j.security.UsmUser;
import org.snmp4j.security.nonstandard.PrivAES256With3DESKeyExtension;
import org.snmp4j.smi.Counter32;
import org.snmp4j.smi.Counter64;
import org.snmp4j.smi.Gauge32;
import org.snmp4j.smi.Integer32;
import org.snmp4j.smi.OID;
import org.snmp4j.smi.OctetString;
import org.snmp4j.smi.SMIConstants;
import org.snmp4j.smi.TimeTicks;
import org.snmp4j.smi.UdpAddress;
import org.snmp4j.smi.Variable;
import org.snmp4j.smi.VariableBinding;
import org.snmp4j.transport.DefaultUdpTransportMapping;
import org.snmp4j.util.DefaultPDUFactory;
import org.snmp4j.util.TableEvent;
import org.snmp4j.util.TableUtils;
import org.snmp4j.util.TreeEvent;
import org.snmp4j.util.TreeUtils;

/**
 * Proves the snmpd harness with SNMP4J itself: scripted values come back exactly (types included),
 * GETBULK table walks see every row in order, SNMPv3 works for the configured users, and the
 * failure modes a poller must tell apart look the way the comments here say.
 */
class SnmpdHarnessTest {
  static final OID SYS_UPTIME = new OID("1.3.6.1.2.1.1.3.0");
  static final OID SYS_NAME = new OID("1.3.6.1.2.1.1.5.0");
  static final OID IF_NUMBER = new OID("1.3.6.1.2.1.2.1.0");
  static final OID IF_DESCR = new OID("1.3.6.1.2.1.2.2.1.2");
  static final OID IF_OPER = new OID("1.3.6.1.2.1.2.2.1.8");
  static final OID IF_IN_OCTETS = new OID("1.3.6.1.2.1.2.2.1.10");
  static final OID IF_OUT_OCTETS = new OID("1.3.6.1.2.1.2.2.1.16");
  static final OID IF_NAME = new OID("1.3.6.1.2.1.31.1.1.1.1");
  static final OID IF_HC_IN = new OID("1.3.6.1.2.1.31.1.1.1.6");
  static final OID IF_HC_OUT = new OID("1.3.6.1.2.1.31.1.1.1.10");
  static final OID IF_HIGH_SPEED = new OID("1.3.6.1.2.1.31.1.1.1.15");
  static final OID IF_ALIAS = new OID("1.3.6.1.2.1.31.1.1.1.18");

  static final long MAX_64 = -1L; // 2^64-1 read unsigned
  static final long NEAR_MAX_64 = Long.parseUnsignedLong("18446744073709551610");

  static Snmpd snmpd;

  static MibState base() {
    return new MibState()
        .uptime(MibState.MAX_32 - 5) // 5 ticks before the 497-day wrap
        .sysName("cpe-test")
        .iface(1, i -> i.descr("lo").type(24).highSpeedMbps(10_000))
        .iface(
            2,
            i ->
                i.descr("eth1")
                    .name("wan0")
                    .alias("ISP Claro")
                    .highSpeedMbps(10)
                    .hcIn(NEAR_MAX_64)
                    .hcOut(MAX_64)
                    .in32(MibState.MAX_32)
                    .out32(MibState.MAX_32 - 1))
        .iface(
            10,
            i ->
                i.descr("eth2")
                    .name("lan0")
                    .alias("Aula de informática")
                    .oper(2)
                    .hcIn(1_000)
                    .hcOut(2_000))
        .iface(
            100,
            i -> i.descr("ppp0").name("ppp0").alias("").type(23).hc(false).in32(123).out32(456));
  }

  @BeforeAll
  static void startSnmpd() throws IOException {
    Snmpd.assumeInstalled();
    snmpd = Snmpd.start(base());
  }

  @AfterAll
  static void stopSnmpd() {
    if (snmpd != null) {
      snmpd.close();
    }
  }

  @BeforeEach
  void resetState() {
    snmpd.state(base());
  }

  // --- SNMP4J plumbing a poller would have too ---

  /** A session of its own (its own USM), speaking v1, v2c and v3. */
  static Snmp session() throws IOException {
    // AuthSHA (SHA-1) is not in SNMP4J 3's default protocol set ("unsecure"): add it, and the
    // non-standard AES-256 variant, to a protocol set of our own rather than the global one.
    SecurityProtocols protocols = new SecurityProtocols(SecurityProtocols.SecurityProtocolSet.none);
    protocols.addAuthenticationProtocol(new AuthSHA());
    protocols.addAuthenticationProtocol(new AuthHMAC192SHA256());
    protocols.addPrivacyProtocol(new PrivAES128());
    protocols.addPrivacyProtocol(new PrivAES256());
    protocols.addPrivacyProtocol(new PrivAES256With3DESKeyExtension());
    USM usm = new USM(protocols, new OctetString(MPv3.createLocalEngineID()), 0);
    MessageDispatcherImpl dispatcher = new MessageDispatcherImpl();
    dispatcher.addMessageProcessingModel(new MPv1());
    dispatcher.addMessageProcessingModel(new MPv2c());
    dispatcher.addMessageProcessingModel(new MPv3(usm));
    Snmp snmp = new Snmp(dispatcher, new DefaultUdpTransportMapping());
    snmp.listen();
    return snmp;
  }

  static CommunityTarget<UdpAddress> v2c(Snmpd agent, String community) {
    CommunityTarget<UdpAddress> t =
        new CommunityTarget<>(agent.udpAddress(), new OctetString(community));
    t.setVersion(SnmpConstants.version2c);
    t.setTimeout(500);
    t.setRetries(0);
    return t;
  }

  /**
   * Per-device v3 credentials: discover the agent's engine ID, register the user for that engine ID
   * only (so another device may use the same user name with other passphrases), and pin the engine
   * ID in the target so SNMP4J does not discover it again.
   */
  static UserTarget<UdpAddress> v3(
      Snmp snmp,
      Snmpd agent,
      String user,
      AuthenticationProtocol auth,
      String authPass,
      PrivacyProtocol priv,
      String privPass) {
    byte[] engineId = snmp.discoverAuthoritativeEngineID(agent.udpAddress(), 1000);
    assertThat(engineId).as("engine ID discovery").isNotNull();
    snmp.getUSM()
        .addUser(
            new UsmUser(
                new OctetString(user),
                auth.getID(),
                new OctetString(authPass),
                priv == null ? null : priv.getID(),
                priv == null ? null : new OctetString(privPass)),
            new OctetString(engineId));
    UserTarget<UdpAddress> t =
        new UserTarget<>(
            agent.udpAddress(),
            new OctetString(user),
            engineId,
            priv == null ? SecurityLevel.AUTH_NOPRIV : SecurityLevel.AUTH_PRIV);
    t.setVersion(SnmpConstants.version3);
    t.setTimeout(500);
    t.setRetries(0);
    return t;
  }

  static ResponseEvent<UdpAddress> get(Snmp snmp, Target<UdpAddress> target, OID... oids)
      throws IOException {
    PDU pdu = target.getVersion() == SnmpConstants.version3 ? new ScopedPDU() : new PDU();
    pdu.setType(PDU.GET);
    for (OID oid : oids) {
      pdu.add(new VariableBinding(oid));
    }
    return snmp.send(pdu, target);
  }

  static List<Variable> values(ResponseEvent<UdpAddress> e) {
    assertThat(e.getError()).isNull();
    assertThat(e.getResponse()).as("response (null = timeout)").isNotNull();
    assertThat(e.getResponse().getType()).isEqualTo(PDU.RESPONSE);
    assertThat(e.getResponse().getErrorStatus()).isZero();
    return e.getResponse().getVariableBindings().stream()
        .map(VariableBinding::getVariable)
        .toList();
  }

  static String utf8(Variable v) {
    return new String(((OctetString) v).getValue(), StandardCharsets.UTF_8);
  }

  static OID idx(OID column, int index) {
    return new OID(column).append(index);
  }

  // --- scripted values ---

  @Test
  void v2cGetReturnsScriptedValuesAndFollowsRewrites() throws IOException {
    try (Snmp snmp = session()) {
      var target = v2c(snmpd, snmpd.community());
      List<Variable> v =
          values(
              get(
                  snmp,
                  target,
                  SYS_UPTIME,
                  idx(IF_HC_IN, 2),
                  idx(IF_HC_OUT, 2),
                  idx(IF_IN_OCTETS, 2),
                  idx(IF_OUT_OCTETS, 2),
                  idx(IF_HIGH_SPEED, 2),
                  idx(IF_NAME, 2),
                  idx(IF_ALIAS, 10),
                  SYS_NAME,
                  IF_NUMBER));

      assertThat(v.get(0)).isEqualTo(new TimeTicks(MibState.MAX_32 - 5));
      assertThat(v.get(1)).isInstanceOf(Counter64.class);
      assertThat(Long.toUnsignedString(((Counter64) v.get(1)).getValue()))
          .isEqualTo("18446744073709551610");
      assertThat(Long.toUnsignedString(((Counter64) v.get(2)).getValue()))
          .isEqualTo("18446744073709551615");
      assertThat(v.get(3)).isEqualTo(new Counter32(4294967295L));
      assertThat(v.get(4)).isEqualTo(new Counter32(4294967294L));
      assertThat(v.get(5)).isEqualTo(new Gauge32(10));
      assertThat(v.get(6).toString()).isEqualTo("wan0");
      assertThat(utf8(v.get(7))).isEqualTo("Aula de informática");
      assertThat(v.get(8).toString()).isEqualTo("cpe-test");
      assertThat(v.get(9)).isEqualTo(new Integer32(4));

      // The device reboots (uptime back to 2.5 s) and the 64-bit counters wrap.
      snmpd.state(base().uptime(250).iface(2, i -> i.addOctets(100, 1)));
      v =
          values(
              get(
                  snmp,
                  target,
                  SYS_UPTIME,
                  idx(IF_HC_IN, 2),
                  idx(IF_HC_OUT, 2),
                  idx(IF_IN_OCTETS, 2)));
      assertThat(v.get(0)).isEqualTo(new TimeTicks(250));
      assertThat(((Counter64) v.get(1)).getValue()).isEqualTo(94); // 2^64-6 + 100
      assertThat(((Counter64) v.get(2)).getValue()).isZero(); // 2^64-1 + 1
      assertThat(v.get(3)).isEqualTo(new Counter32(99)); // 2^32-1 + 100, explicit in32 wraps

      // Equal-size rewrites in quick succession are all seen (mtime is forced forward).
      for (int n = 1; n <= 5; n++) {
        long ticks = 100L + n;
        snmpd.state(base().uptime(ticks));
        assertThat(values(get(snmp, target, SYS_UPTIME)).get(0)).isEqualTo(new TimeTicks(ticks));
      }
    }
  }

  @Test
  void interfaceWithoutHcCountersHasNoSuchInstanceAndIsSkippedInWalks() throws IOException {
    try (Snmp snmp = session()) {
      var target = v2c(snmpd, snmpd.community());
      List<Variable> v =
          values(get(snmp, target, idx(IF_HC_IN, 100), idx(IF_IN_OCTETS, 100), idx(IF_HC_IN, 99)));
      assertThat(v.get(0).getSyntax()).isEqualTo(SMIConstants.EXCEPTION_NO_SUCH_INSTANCE);
      assertThat(v.get(0).isException()).isTrue();
      assertThat(v.get(1)).isEqualTo(new Counter32(123));
      // pass_persist cannot say noSuchObject: an unknown row is noSuchInstance too.
      assertThat(v.get(2).getSyntax()).isEqualTo(SMIConstants.EXCEPTION_NO_SUCH_INSTANCE);

      List<TableEvent> rows = table(snmp, target, IF_HC_IN, IF_IN_OCTETS);
      assertThat(rows)
          .extracting(r -> r.getIndex().toString())
          .containsExactly("1", "2", "10", "100");
      TableEvent ppp = rows.get(3);
      assertThat(ppp.getColumns()[0]).as("ifHCInOctets.100 absent").isNull();
      assertThat(ppp.getColumns()[1].getVariable()).isEqualTo(new Counter32(123));
    }
  }

  @Test
  void bulkTableWalkReturnsEveryInterfaceInOrder() throws IOException {
    try (Snmp snmp = session()) {
      var target = v2c(snmpd, snmpd.community());
      List<TableEvent> rows = table(snmp, target, IF_NAME, IF_DESCR, IF_ALIAS, IF_OPER);
      assertThat(rows).allSatisfy(r -> assertThat(r.isError()).as(r.toString()).isFalse());
      assertThat(rows)
          .extracting(r -> r.getIndex().toString())
          .containsExactly("1", "2", "10", "100"); // numeric arcs: 2 < 10 < 100
      assertThat(rows)
          .extracting(r -> r.getColumns()[0].toValueString())
          .containsExactly("lo", "wan0", "lan0", "ppp0");
      assertThat(rows)
          .extracting(r -> r.getColumns()[1].toValueString())
          .containsExactly("lo", "eth1", "eth2", "ppp0");
      assertThat(rows)
          .extracting(r -> utf8(r.getColumns()[2].getVariable()))
          .containsExactly("", "ISP Claro", "Aula de informática", "");
      assertThat(rows)
          .extracting(r -> r.getColumns()[3].getVariable().toInt())
          .containsExactly(1, 1, 2, 1);

      // The system group walks in order and GETNEXT crosses into ifNumber.
      assertThat(walk(snmp, target, new OID("1.3.6.1.2.1.1")))
          .extracting(VariableBinding::getOid)
          .extracting(OID::toDottedString)
          .containsExactly(
              "1.3.6.1.2.1.1.1.0",
              "1.3.6.1.2.1.1.2.0",
              "1.3.6.1.2.1.1.3.0",
              "1.3.6.1.2.1.1.4.0",
              "1.3.6.1.2.1.1.5.0",
              "1.3.6.1.2.1.1.6.0",
              "1.3.6.1.2.1.1.7.0");
      PDU next = new PDU(PDU.GETNEXT, List.of(new VariableBinding(new OID("1.3.6.1.2.1.1.7.0"))));
      assertThat(snmp.send(next, target).getResponse().get(0).getOid()).isEqualTo(IF_NUMBER);
    }
  }

  @Test
  void thousandInterfacesWalkInOrderAndFast() throws IOException {
    MibState big = base();
    for (int x = 1000; x < 2000; x++) {
      long n = x;
      big.iface(x, i -> i.name("ge-0/0/" + n).hcIn(n * 1_000_000_007L).hcOut(-n));
    }
    snmpd.state(big);
    try (Snmp snmp = session()) {
      var target = v2c(snmpd, snmpd.community());
      target.setTimeout(3000);
      long t0 = System.nanoTime();
      List<TableEvent> rows = table(snmp, target, IF_NAME, IF_HC_IN, IF_HC_OUT);
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      System.out.printf("GETBULK walk of 3 columns x %d rows: %d ms%n", rows.size(), ms);
      assertThat(rows).hasSize(1004);
      assertThat(rows).extracting(r -> r.getIndex().get(0)).isSorted();
      for (TableEvent r : rows) {
        int x = r.getIndex().get(0);
        if (x >= 1000) {
          assertThat(r.getColumns()[0].toValueString()).isEqualTo("ge-0/0/" + x);
          assertThat(((Counter64) r.getColumns()[1].getVariable()).getValue())
              .isEqualTo(x * 1_000_000_007L);
          assertThat(((Counter64) r.getColumns()[2].getVariable()).getValue()).isEqualTo(-x);
        }
      }
    }
  }

  static List<TableEvent> table(Snmp snmp, Target<UdpAddress> target, OID... columns) {
    TableUtils tables = new TableUtils(snmp, new DefaultPDUFactory(PDU.GETBULK));
    tables.setMaxNumRowsPerPDU(20);
    List<TableEvent> rows = tables.getTable(target, columns, null, null);
    assertThat(rows).allSatisfy(r -> assertThat(r.isError()).as(r.getErrorMessage()).isFalse());
    return rows;
  }

  static List<VariableBinding> walk(Snmp snmp, Target<UdpAddress> target, OID root) {
    List<VariableBinding> out = new ArrayList<>();
    for (TreeEvent e :
        new TreeUtils(snmp, new DefaultPDUFactory(PDU.GETBULK)).getSubtree(target, root)) {
      assertThat(e.isError()).as(e.getErrorMessage()).isFalse();
      out.addAll(Arrays.asList(e.getVariableBindings()));
    }
    return out;
  }

  @Test
  void passPersistProtocol(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("state");
    new MibState().uptime(42).iface(3, i -> i.name("wan0")).writeTo(file);
    String in =
        """
        PING
        get
        .1.3.6.1.2.1.1.3.0
        getnext
        .1.3.6.1.2.1.1.7.0
        get
        .1.3.6.1.2.1.1.3
        getnext
        .1.3.6.1.2.1.31.1.1.1.18.3
        set
        .1.3.6.1.2.1.1.5.0
        string x
        get
        .1.3.6.1.2.1.31.1.1.1.1.3
        """;
    StringWriter out = new StringWriter();
    new ScriptedIfMib(file).serve(new BufferedReader(new StringReader(in)), out);
    assertThat(out.toString())
        .isEqualTo(
            """
            PONG
            .1.3.6.1.2.1.1.3.0
            timeticks
            42
            .1.3.6.1.2.1.2.1.0
            integer
            1
            NONE
            NONE
            not-writable
            .1.3.6.1.2.1.31.1.1.1.1.3
            octet
            77 61 6e 30
            """);
  }

  // --- SNMPv3 ---

  @Test
  void v3AuthPrivShaAes128() throws IOException {
    var u = Snmpd.AUTH_PRIV_SHA;
    try (Snmp snmp = session()) {
      var target =
          v3(
              snmp,
              snmpd,
              u.name(),
              new AuthSHA(),
              u.authPassphrase(),
              new PrivAES128(),
              u.privPassphrase());
      assertThat(values(get(snmp, target, SYS_UPTIME)).get(0))
          .isEqualTo(new TimeTicks(MibState.MAX_32 - 5));
    }
  }

  @Test
  void v3AuthPrivSha256Aes256() throws IOException {
    var u = Snmpd.AUTH_PRIV_SHA256_AES256;
    try (Snmp snmp = session()) {
      var target =
          v3(
              snmp,
              snmpd,
              u.name(),
              new AuthHMAC192SHA256(),
              u.authPassphrase(),
              new PrivAES256(),
              u.privPassphrase());
      assertThat(values(get(snmp, target, idx(IF_HC_OUT, 2))).get(0))
          .isEqualTo(new Counter64(MAX_64));
    }
  }

  @Test
  void v3AuthNoPriv() throws IOException {
    var u = Snmpd.AUTH_NO_PRIV;
    try (Snmp snmp = session()) {
      var target = v3(snmp, snmpd, u.name(), new AuthSHA(), u.authPassphrase(), null, null);
      assertThat(values(get(snmp, target, SYS_NAME)).get(0).toString()).isEqualTo("cpe-test");
    }
  }

  /**
   * With SHA-1 (20-byte keys) AES-256 needs key extension. Net-SNMP's "AES-256" is the Blumenthal
   * draft = SNMP4J's PrivAES256; Net-SNMP's "AES-256-C" is the Reeder/Cisco one = SNMP4J's
   * PrivAES256With3DESKeyExtension. A mismatch is never answered: snmpd cannot parse what it
   * decrypted and drops it, so the poller sees a timeout.
   */
  @Test
  void aes256KeyExtensionMatchesBlumenthalNotReeder() throws IOException {
    var blumenthal = Snmpd.AUTH_PRIV_SHA_AES256;
    var reeder = Snmpd.AUTH_PRIV_SHA_AES256_CISCO;
    assertThat(v3Get(blumenthal, new PrivAES256())).isEqualTo("ok");
    assertThat(v3Get(reeder, new PrivAES256With3DESKeyExtension())).isEqualTo("ok");
    assertThat(v3Get(blumenthal, new PrivAES256With3DESKeyExtension())).isEqualTo("timeout");
    assertThat(v3Get(reeder, new PrivAES256())).isEqualTo("timeout");
  }

  private static String v3Get(Snmpd.V3User u, PrivacyProtocol priv) throws IOException {
    try (Snmp snmp = session()) {
      var target =
          v3(snmp, snmpd, u.name(), new AuthSHA(), u.authPassphrase(), priv, u.privPassphrase());
      return describe(get(snmp, target, SYS_UPTIME));
    }
  }

  /** How a poller can classify an outcome. */
  static String describe(ResponseEvent<?> e) {
    if (e.getError() != null) {
      return "error: " + e.getError();
    }
    PDU r = e.getResponse();
    if (r == null) {
      return "timeout";
    }
    if (r.getType() == PDU.REPORT) {
      return "report " + r.get(0).getOid().toDottedString();
    }
    if (r.getErrorStatus() != 0) {
      return "errorStatus " + r.getErrorStatusText();
    }
    return "ok";
  }

  @Test
  void sameUserNameWithOtherPassphrasesOnAnotherDevice() throws IOException {
    var other =
        new Snmpd.V3User(
            Snmpd.AUTH_PRIV_SHA.name(), "SHA", "second-device-auth", "AES", "second-device-priv");
    try (Snmpd second =
            Snmpd.builder().users(List.of(other)).state(base().sysName("second")).start();
        Snmp snmp = session()) {
      var a = Snmpd.AUTH_PRIV_SHA;
      var first =
          v3(
              snmp,
              snmpd,
              a.name(),
              new AuthSHA(),
              a.authPassphrase(),
              new PrivAES128(),
              a.privPassphrase());
      var secondTarget =
          v3(
              snmp,
              second,
              other.name(),
              new AuthSHA(),
              other.authPassphrase(),
              new PrivAES128(),
              other.privPassphrase());
      assertThat(values(get(snmp, first, SYS_NAME)).get(0).toString()).isEqualTo("cpe-test");
      assertThat(values(get(snmp, secondTarget, SYS_NAME)).get(0).toString()).isEqualTo("second");

      // SNMP4J >= 3.7 alternative: the credentials travel in the target, no USM table entry.
      DirectUserTarget<UdpAddress> direct =
          new DirectUserTarget<>(
              second.udpAddress(),
              new OctetString(other.name()),
              new AuthSHA(),
              new OctetString(other.authPassphrase()),
              new PrivAES128(),
              new OctetString(other.privPassphrase()));
      direct.setSecurityLevel(SecurityLevel.AUTH_PRIV);
      direct.setTimeout(500);
      direct.setRetries(0);
      byte[] engineId = snmp.discoverAuthoritativeEngineID(second.udpAddress(), 1000);
      direct.setAuthoritativeEngineID(engineId);
      assertThat(describe(get(snmp, direct, SYS_NAME))).isEqualTo("ok");
    }
  }

  // --- failures a poller must tell apart ---

  /**
   * What each failure looks like to SNMP4J 3.13 against Net-SNMP 5.9:
   *
   * <ul>
   *   <li>wrong community: snmpd drops the request (snmpInBadCommunityNames++): timeout;
   *   <li>unknown v3 user: REPORT usmStatsUnknownUserNames.0 as the response;
   *   <li>wrong auth passphrase: snmpd answers REPORT usmStatsWrongDigests.0, unauthenticated
   *       (noAuthNoPriv), which SNMP4J's default report strategy ("standard", RFC 3412 §7.2.11.b)
   *       drops with a WARN log: timeout. With {@code SNMP4JSettings
   *       .setReportSecurityLevelStrategy(noAuthNoPrivIfNeeded)} it becomes the response;
   *   <li>right auth, wrong priv passphrase: snmpd decrypts garbage and drops it: timeout;
   *   <li>authNoPriv-only user asking authPriv: REPORT usmStatsUnsupportedSecLevels.0.
   * </ul>
   *
   * No CounterSupport event tells these apart (only snmp4jStatsRequestTimeouts fires). What does:
   * engine-ID discovery is unauthenticated, so it still answers while credentials are wrong, and
   * stops answering when the device is down.
   */
  @Test
  void failureModes() throws IOException {
    List<CounterEvent> counters = new CopyOnWriteArrayList<>();
    CounterSupport.getInstance().addCounterListener(counters::add);
    var u = Snmpd.AUTH_PRIV_SHA;
    var strategy = SNMP4JSettings.getReportSecurityLevelStrategy();
    try (Snmp snmp = session()) {
      ResponseEvent<UdpAddress> e = get(snmp, v2c(snmpd, "not-the-community"), SYS_UPTIME);
      assertThat(e.getResponse()).isNull();
      assertThat(e.getError()).isNull();
      assertThat(describe(e)).isEqualTo("timeout");

      var badAuth =
          v3(
              snmp,
              snmpd,
              u.name(),
              new AuthSHA(),
              "wrong-auth-pass",
              new PrivAES128(),
              u.privPassphrase());
      assertThat(describe(get(snmp, badAuth, SYS_UPTIME))).isEqualTo("timeout");
      SNMP4JSettings.setReportSecurityLevelStrategy(
          SNMP4JSettings.ReportSecurityLevelStrategy.noAuthNoPrivIfNeeded);
      e = get(snmp, badAuth, SYS_UPTIME);
      assertThat(describe(e)).isEqualTo("report " + SnmpConstants.usmStatsWrongDigests);
      assertThat(e.getResponse().getType()).isEqualTo(PDU.REPORT);

      var unknown =
          v3(
              snmp,
              snmpd,
              "nobody-here",
              new AuthSHA(),
              "whatever-pass",
              new PrivAES128(),
              "whatever-pass");
      assertThat(describe(get(snmp, unknown, SYS_UPTIME)))
          .isEqualTo("report " + SnmpConstants.usmStatsUnknownUserNames);

      var s = Snmpd.AUTH_PRIV_SHA256_AES256;
      var badPriv =
          v3(
              snmp,
              snmpd,
              s.name(),
              new AuthHMAC192SHA256(),
              s.authPassphrase(),
              new PrivAES256(),
              "wrong-priv-pass");
      assertThat(describe(get(snmp, badPriv, SYS_UPTIME))).isEqualTo("timeout");

      var n = Snmpd.AUTH_NO_PRIV;
      var tooHigh =
          v3(
              snmp,
              snmpd,
              n.name(),
              new AuthSHA(),
              n.authPassphrase(),
              new PrivAES128(),
              "some-priv-pass");
      assertThat(describe(get(snmp, tooHigh, SYS_UPTIME)))
          .isEqualTo("report " + SnmpConstants.usmStatsUnsupportedSecLevels);

      // Timeout with wrong credentials, yet the engine answers discovery: not "down".
      assertThat(snmp.discoverAuthoritativeEngineID(snmpd.udpAddress(), 500)).isNotNull();
    } finally {
      SNMP4JSettings.setReportSecurityLevelStrategy(strategy);
      System.out.println(
          "SNMP4J counter events: "
              + counters.stream().map(c -> c.getOid().toDottedString()).distinct().toList());
    }
    assertThat(counters)
        .extracting(CounterEvent::getOid)
        .containsOnly(SnmpConstants.snmp4jStatsRequestTimeouts);
  }

  // --- device down / reboot ---

  @Test
  void pauseMakesRequestsTimeOutAndResumeAnswersAgain() throws IOException {
    Snmpd own = Snmpd.start(base());
    try (Snmp snmp = session()) {
      var target = v2c(own, own.community());
      assertThat(describe(get(snmp, target, SYS_UPTIME))).isEqualTo("ok");
      own.pause();
      assertThat(describe(get(snmp, target, SYS_UPTIME))).isEqualTo("timeout");
      assertThat(snmp.discoverAuthoritativeEngineID(own.udpAddress(), 500)).isNull();
      own.resume();
      assertThat(describe(get(snmp, target, SYS_UPTIME))).isEqualTo("ok");

      long pid = own.pid();
      List<ProcessHandle> children = ProcessHandle.of(pid).orElseThrow().descendants().toList();
      assertThat(children).as("the pass_persist JVM").isNotEmpty();
      own.pause();
      own.close(); // while paused: must still stop everything
      assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty();
      assertThat(children).noneMatch(ProcessHandle::isAlive);
      assertThat(own.dir()).doesNotExist();
    } finally {
      own.close();
    }
  }

  @Test
  void restartKeepsPortAndState() throws IOException {
    try (Snmpd own = Snmpd.start(base().uptime(7));
        Snmp snmp = session()) {
      byte[] before = snmp.discoverAuthoritativeEngineID(own.udpAddress(), 1000);
      int port = own.port();
      own.restart();
      assertThat(own.port()).isEqualTo(port);
      assertThat(values(get(snmp, v2c(own, own.community()), SYS_UPTIME)).get(0))
          .isEqualTo(new TimeTicks(7));
      byte[] after = snmp.discoverAuthoritativeEngineID(own.udpAddress(), 1000);
      // Nothing persisted is read under -C: a new engine ID, so v3 pollers must rediscover.
      assertThat(after).isNotNull().isNotEqualTo(before);
    }
  }

  // --- real counters in a network namespace ---

  @Test
  void realInterfaceCountersInNetworkNamespace() throws Exception {
    String suffix = Long.toString(ProcessHandle.current().pid() % 100_000);
    String ns = "enlsnmp" + suffix;
    String hostSide = "enlh" + suffix;
    String nsSide = "enln" + suffix;
    int octet = (int) (ProcessHandle.current().pid() % 250) + 1;
    String hostIp = "10.213." + octet + ".1";
    String nsIp = "10.213." + octet + ".2";
    Snmpd.assumeInstalled();
    Assumptions.assumeTrue(
        canRun("ip", "netns", "add", ns),
        "cannot create network namespaces (needs iproute2 and root / CAP_SYS_ADMIN)");
    try {
      assertThat(
              run(
                  "ip", "link", "add", hostSide, "type", "veth", "peer", "name", nsSide, "netns",
                  ns))
          .isZero();
      assertThat(run("ip", "addr", "add", hostIp + "/30", "dev", hostSide)).isZero();
      assertThat(run("ip", "link", "set", hostSide, "up")).isZero();
      assertThat(run("ip", "netns", "exec", ns, "ip", "addr", "add", nsIp + "/30", "dev", nsSide))
          .isZero();
      assertThat(run("ip", "netns", "exec", ns, "ip", "link", "set", nsSide, "up")).isZero();
      try (Snmpd real = Snmpd.builder().netns(ns).host(nsIp).port(161).scripted(false).start();
          Snmp snmp = session()) {
        var target = v2c(real, real.community());
        target.setTimeout(2000);
        int index =
            table(snmp, target, IF_NAME).stream()
                .filter(r -> r.getColumns()[0].toValueString().equals(nsSide))
                .mapToInt(r -> r.getIndex().get(0))
                .findFirst()
                .orElseThrow();
        long before =
            ((Counter64) values(get(snmp, target, idx(IF_HC_IN, index))).get(0)).getValue();
        byte[] payload = new byte[1000];
        try (DatagramSocket s = new DatagramSocket()) {
          for (int n = 0; n < 100; n++) {
            s.send(new DatagramPacket(payload, payload.length, InetAddress.getByName(nsIp), 9));
          }
        }
        // snmpd caches interface statistics for a few seconds.
        long after = before;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (after - before < 100_000 && System.nanoTime() < deadline) {
          Thread.sleep(250);
          after = ((Counter64) values(get(snmp, target, idx(IF_HC_IN, index))).get(0)).getValue();
        }
        assertThat(after - before).isGreaterThanOrEqualTo(100 * 1000);
      }
    } finally {
      run("ip", "netns", "del", ns);
      run("ip", "link", "del", hostSide);
    }
  }

  private static boolean canRun(String... cmd) throws InterruptedException {
    try {
      return run(cmd) == 0;
    } catch (IOException e) {
      return false;
    }
  }

  private static int run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int rc = p.waitFor();
    if (rc != 0) {
      System.out.println(String.join(" ", cmd) + " -> " + rc + ": " + out.strip());
    }
    return rc;
  }
}
