package org.enlace.agent.probe;

import java.util.Locale;

/** The protocol's connectivity status of one round. */
public enum Status {
  /** the internet is reachable */
  ONLINE,
  /** the LAN or DNS works but the internet does not, or a captive portal intercepts */
  LIMITED,
  /** no network at all */
  OFFLINE;

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }
}
