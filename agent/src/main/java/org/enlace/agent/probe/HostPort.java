package org.enlace.agent.probe;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * A "host:port" as written in the configuration ({@code 192.168.1.1:80}, {@code router:53}, {@code
 * [fe80::1]:443}). The host is kept as written (lower-cased, without IPv6 brackets): it is compared
 * as text, never resolved, so that classification never waits on DNS.
 */
record HostPort(String host, int port) {

  /**
   * Parses {@code host}, {@code host:port}, {@code [v6]:port} or a bare IPv6 literal; {@code
   * defaultPort} (may be 0, "none") when no port is written. Throws on nonsense.
   */
  static HostPort parse(String text, int defaultPort) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("empty host");
    }
    String s = text.strip();
    String host;
    String port = null;
    if (s.startsWith("[")) {
      int close = s.indexOf(']');
      if (close < 0) {
        throw new IllegalArgumentException("unclosed [ in " + text);
      }
      host = s.substring(1, close);
      String rest = s.substring(close + 1);
      if (rest.startsWith(":")) {
        port = rest.substring(1);
      } else if (!rest.isEmpty()) {
        throw new IllegalArgumentException("junk after ] in " + text);
      }
    } else if (s.indexOf(':') >= 0 && s.indexOf(':') == s.lastIndexOf(':')) {
      host = s.substring(0, s.indexOf(':'));
      port = s.substring(s.indexOf(':') + 1);
    } else {
      host = s; // a name, an IPv4 literal, or a bare IPv6 literal (several colons)
    }
    if (host.isEmpty()) {
      throw new IllegalArgumentException("empty host in " + text);
    }
    if (port == null) {
      return new HostPort(normalizeHost(host), defaultPort);
    }
    int p;
    try {
      p = Integer.parseInt(port);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("bad port in " + text);
    }
    if (p < 1 || p > 65535) {
      throw new IllegalArgumentException("port out of range in " + text);
    }
    return new HostPort(normalizeHost(host), p);
  }

  /** Lower case, no IPv6 brackets, no trailing dot: the form hosts are compared in. */
  static String normalizeHost(String host) {
    String h = host.strip().toLowerCase(Locale.ROOT);
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    if (h.endsWith(".")) {
      h = h.substring(0, h.length() - 1);
    }
    return h;
  }

  /** The host of a "host:port" target, or null when it cannot be parsed. */
  static @Nullable String hostOf(String target) {
    try {
      return parse(target, 0).host();
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
