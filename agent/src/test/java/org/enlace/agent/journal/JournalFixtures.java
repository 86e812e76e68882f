package org.enlace.agent.journal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Payloads and helpers shared by the journal tests. */
final class JournalFixtures {
  private static final OffsetDateTime START =
      OffsetDateTime.of(2026, 11, 20, 8, 1, 0, 0, ZoneOffset.ofHours(-5));

  private JournalFixtures() {}

  static JournalConfig config(long maxDiskBytes, long segmentBytes) {
    return new JournalConfig(maxDiskBytes, segmentBytes, Duration.ZERO);
  }

  /** A realistic 1-minute observation, as the agent encodes it (about 500 bytes). */
  static byte[] observation(long seq) {
    Random r = new Random(seq);
    boolean online = r.nextInt(50) != 0;
    String json =
        "{\"seq\":"
            + seq
            + ",\"observedAt\":\""
            + START.plusMinutes(seq)
            + "\","
            + "\"clockOffsetMs\":"
            + (1000 + r.nextInt(400))
            + ","
            + "\"status\":\""
            + (online ? "online" : "offline")
            + "\","
            + "\"reason\":\""
            + (online ? "all probes ok" : "dns failed")
            + "\","
            + "\"checks\":{\"dns\":[{\"name\":\"www.gov.co\",\"ok\":"
            + online
            + ",\"ms\":"
            + (5 + r.nextInt(80))
            + "}],"
            + "\"http\":[{\"url\":\"https://www.gov.co/\",\"ok\":"
            + online
            + ",\"status\":200,\"ms\":"
            + (150 + r.nextInt(400))
            + "},"
            + "{\"url\":\"https://enlace.elcontadero.gov.co/api/v1/ping\",\"ok\":"
            + online
            + ",\"status\":204,\"ms\":"
            + (20 + r.nextInt(90))
            + "}],"
            + "\"latency\":[{\"target\":\"www.gov.co:443\",\"ok\":"
            + online
            + ",\"ms\":"
            + (20 + r.nextInt(60))
            + "."
            + r.nextInt(10)
            + "}],"
            + "\"captivePortal\":{\"url\":\"http://connectivitycheck.gstatic.com/generate_204\","
            + "\"ok\":true,\"intercepted\":false,\"status\":204,\"ms\":"
            + (30 + r.nextInt(70))
            + "},"
            + "\"loss\":"
            + (online ? "0.0" : "1.0")
            + "}}";
    return json.getBytes(StandardCharsets.UTF_8);
  }

  /** A short payload, so that small test segments hold a few records each. */
  static byte[] small(long seq) {
    return ("{\"seq\":" + seq + ",\"v\":\"" + "x".repeat((int) (seq % 7)) + "\"}")
        .getBytes(StandardCharsets.UTF_8);
  }

  /** Every pending record, without acking. */
  static List<Record> drain(Journal journal) throws IOException {
    return journal.batch(Integer.MAX_VALUE, Long.MAX_VALUE);
  }

  static List<Long> seqs(List<Record> records) {
    return records.stream().map(Record::seq).toList();
  }

  static List<String> segmentNames(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(n -> n.contains(".seg"))
          .sorted()
          .toList();
    }
  }

  /** Every file of the directory, to restore it between damage trials. */
  static Map<String, byte[]> snapshot(Path dir) throws IOException {
    Map<String, byte[]> files = new TreeMap<>();
    try (Stream<Path> list = Files.list(dir)) {
      for (Path p : list.toList()) {
        files.put(p.getFileName().toString(), Files.readAllBytes(p));
      }
    }
    return files;
  }

  static void restore(Path dir, Map<String, byte[]> files) throws IOException {
    try (Stream<Path> list = Files.list(dir)) {
      for (Path p : list.toList()) {
        Files.delete(p);
      }
    }
    for (var e : files.entrySet()) {
      Files.write(dir.resolve(e.getKey()), e.getValue());
    }
  }
}
