package org.enlace.server.snmp;

import org.snmp4j.smi.OID;

/** The objects Enlace reads (SNMPv2-MIB, IF-MIB), and what their values mean. */
final class SnmpOids {
  static final OID SYS_UPTIME = new OID("1.3.6.1.2.1.1.3.0");
  static final OID IF_DESCR = new OID("1.3.6.1.2.1.2.2.1.2");
  static final OID IF_SPEED = new OID("1.3.6.1.2.1.2.2.1.5");
  static final OID IF_OPER_STATUS = new OID("1.3.6.1.2.1.2.2.1.8");
  static final OID IF_IN_OCTETS = new OID("1.3.6.1.2.1.2.2.1.10");
  static final OID IF_OUT_OCTETS = new OID("1.3.6.1.2.1.2.2.1.16");
  static final OID IF_NAME = new OID("1.3.6.1.2.1.31.1.1.1.1");
  static final OID IF_HC_IN_OCTETS = new OID("1.3.6.1.2.1.31.1.1.1.6");
  static final OID IF_HC_OUT_OCTETS = new OID("1.3.6.1.2.1.31.1.1.1.10");
  static final OID IF_HIGH_SPEED = new OID("1.3.6.1.2.1.31.1.1.1.15");
  static final OID IF_ALIAS = new OID("1.3.6.1.2.1.31.1.1.1.18");
  static final OID IF_INDEX = new OID("1.3.6.1.2.1.2.2.1.1");

  /** Notifications (SNMPv2-MIB snmpTrapOID.0; IF-MIB linkDown, linkUp). */
  static final OID SNMP_TRAP_OID = new OID("1.3.6.1.6.3.1.1.4.1.0");

  static final OID LINK_DOWN = new OID("1.3.6.1.6.3.1.1.5.3");
  static final OID LINK_UP = new OID("1.3.6.1.6.3.1.1.5.4");

  /** USM statistics a v3 agent reports instead of answering (RFC 3414 §3.2). */
  static final OID USM_STATS = new OID("1.3.6.1.6.3.15.1.1");

  static final int OPER_UP = 1;

  private SnmpOids() {}

  /** ifOperStatus values (RFC 2863). */
  static String operStatusName(int value) {
    return switch (value) {
      case 1 -> "up";
      case 2 -> "down";
      case 3 -> "testing";
      case 4 -> "unknown";
      case 5 -> "dormant";
      case 6 -> "notPresent";
      case 7 -> "lowerLayerDown";
      default -> "invalid(" + value + ")";
    };
  }
}
