package org.enlace.server.cluster;

/** The singleton jobs: each runs only on the replica that holds its lease. */
public enum Lease {
  /** Dropping raw observations and SNMP samples older than their retention. */
  RETENTION("retention"),
  /** Reading the fleet's gauges from the database and exporting them to Prometheus. */
  FLEET_METRICS("fleet-metrics");

  private final String wire;

  Lease(String wire) {
    this.wire = wire;
  }

  /** The name in cluster_leases and in the {@code lease} label. */
  public String wire() {
    return wire;
  }
}
