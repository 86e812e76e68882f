package org.enlace.server.bench;

import java.nio.file.Path;

/**
 * Settings, from system properties ({@code -Dbench.agents=512}); the Maven profile passes its own
 * properties of the same names, so {@code mvn -Pbench ... -Dbench.durationSeconds=60} works.
 */
final class BenchOptions {
  String serverJar = prop("bench.serverJar", "server/target/enlace-server.jar");
  Path outDir = Path.of(prop("bench.outDir", "server/target/bench")).toAbsolutePath();
  String tmpDir = prop("bench.tmpDir", "/tmp");
  String serverJvmArgs = prop("bench.serverJvmArgs", "-Xms1g -Xmx2g");
  int startTimeoutSeconds = intProp("bench.startTimeoutSeconds", 240);
  boolean keepData = Boolean.parseBoolean(prop("bench.keepData", "false"));

  /** A fixed directory for the server's data (kept, and reused by a later run if present). */
  String dir = prop("bench.dir", "");

  int agents = intProp("bench.agents", 512);
  int establishments = intProp("bench.establishments", 8);
  int clientThreads = intProp("bench.clientThreads", 1);
  int warmupSeconds = intProp("bench.warmupSeconds", 15);
  int durationSeconds = intProp("bench.durationSeconds", 30);

  int singleConnections = intProp("bench.single.connections", 512);
  int batchConnections = intProp("bench.batch.connections", 8);
  int batchSize = intProp("bench.batch.size", 500);

  int pgConnections = intProp("bench.pg.connections", 32);
  int pgSeconds = intProp("bench.pg.seconds", 10);
  int pgCopyRows = intProp("bench.pg.copyRows", 500_000);

  // The server's ingest settings; defaults are those of server/config.yml.
  int writerThreads = intProp("bench.ingest.writerThreads", 2);
  int maxRowsPerCommit = intProp("bench.ingest.maxRowsPerCommit", 5000);
  int maxQueuedReports = intProp("bench.ingest.maxQueuedReports", 4096);

  /** Phases to run: ping, single, batch, pg (comma separated). */
  String phases = prop("bench.phases", "ping,single,batch,pg");

  boolean runs(String phase) {
    for (String p : phases.split(",", 0)) {
      if (p.trim().equalsIgnoreCase(phase)) {
        return true;
      }
    }
    return false;
  }

  private static String prop(String name, String def) {
    String v = System.getProperty(name);
    return v == null || v.isBlank() ? def : v.trim();
  }

  private static int intProp(String name, int def) {
    return Integer.parseInt(prop(name, Integer.toString(def)));
  }

  void validate() {
    check(
        agents >= singleConnections && agents >= batchConnections,
        "bench.agents must be at least the number of connections, so that no agent has two "
            + "reports in flight");
    check(warmupSeconds >= 0 && warmupSeconds <= 120, "bench.warmupSeconds must be 0..120");
    check(durationSeconds >= 1 && durationSeconds <= 300, "bench.durationSeconds must be 1..300");
    check(pgSeconds >= 1 && pgSeconds <= 120, "bench.pg.seconds must be 1..120");
    check(singleConnections >= 1 && singleConnections <= 1024, "1..1024 single connections");
    check(batchConnections >= 1 && batchConnections <= 256, "1..256 batch connections");
    check(batchSize >= 1 && batchSize <= 5000, "bench.batch.size must be 1..5000");
    check(pgConnections >= 1 && pgConnections <= 64, "bench.pg.connections must be 1..64");
    check(agents <= 10_000, "bench.agents must be at most 10000");
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
