package org.enlace.server.snmp.testing;

import java.util.Arrays;

/**
 * A numeric OID ordered the way SNMP orders them (arc by arc, arcs unsigned 32-bit), so a TreeMap
 * of these walks in GETNEXT order. JDK only: {@link ScriptedIfMib} runs in a JVM launched by snmpd
 * with nothing but the test classes on its class path.
 */
@SuppressWarnings("ArrayRecordComponent") // equals, hashCode and compareTo compare the arcs
record Oid(int[] arcs) implements Comparable<Oid> {

  static Oid parse(String text) {
    String s = text.strip();
    if (s.startsWith(".")) {
      s = s.substring(1);
    }
    if (s.isEmpty()) {
      throw new IllegalArgumentException("empty OID");
    }
    String[] parts = s.split("\\.", 0);
    int[] arcs = new int[parts.length];
    for (int i = 0; i < parts.length; i++) {
      arcs[i] = Integer.parseUnsignedInt(parts[i]);
    }
    return new Oid(arcs);
  }

  Oid append(int... more) {
    int[] a = Arrays.copyOf(arcs, arcs.length + more.length);
    System.arraycopy(more, 0, a, arcs.length, more.length);
    return new Oid(a);
  }

  boolean startsWith(Oid prefix) {
    return prefix.arcs.length <= arcs.length
        && Arrays.equals(arcs, 0, prefix.arcs.length, prefix.arcs, 0, prefix.arcs.length);
  }

  @Override
  public int compareTo(Oid o) {
    int n = Math.min(arcs.length, o.arcs.length);
    for (int i = 0; i < n; i++) {
      int c = Integer.compareUnsigned(arcs[i], o.arcs[i]);
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(arcs.length, o.arcs.length);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Oid other && Arrays.equals(arcs, other.arcs);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(arcs);
  }

  /** Net-SNMP's form, with the leading dot pass_persist uses. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(arcs.length * 4);
    for (int a : arcs) {
      sb.append('.').append(Integer.toUnsignedString(a));
    }
    return sb.toString();
  }
}
