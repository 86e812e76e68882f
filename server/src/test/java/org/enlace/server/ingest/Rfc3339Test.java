package org.enlace.server.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Rfc3339Test {
  /** What the server accepted before the hand-written reader: the reader must agree with it. */
  private static Optional<Instant> javaTime(String s) {
    try {
      return Optional.of(
          s.endsWith("Z") || s.endsWith("z")
              ? Instant.parse(s)
              : OffsetDateTime.parse(s).toInstant());
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  @Test
  void agreesWithJavaTimeOnValidAndInvalidText() {
    String[] samples = {
      "2026-11-26T06:30:00Z",
      "2026-11-26T06:30:00.1Z",
      "2026-11-26T06:30:00.123Z",
      "2026-11-26T06:30:00.123456789Z",
      "2026-11-26T01:30:00-05:00",
      "2026-11-26T01:30:00.5+05:30",
      "2026-11-26T01:30:00+18:00",
      "2026-11-26T01:30:00-18:00",
      "1970-01-01T00:00:00Z",
      "1969-12-31T23:59:59.999Z",
      "2024-02-29T12:00:00Z",
      "2026-12-31T23:59:60Z",
      "2026-11-26t06:30:00z",
      "+12026-11-26T06:30:00Z",
      // invalid
      "2025-02-29T12:00:00Z",
      "2026-13-01T00:00:00Z",
      "2026-11-31T00:00:00Z",
      "2026-11-26T24:00:00Z",
      "2026-11-26T23:60:00Z",
      "2026-11-26T06:30:00.Z",
      "2026-11-26T06:30:00.1234567890Z",
      "2026-11-26T06:30:00",
      "2026-11-26T06:30:00+1800",
      "2026-11-26T06:30:00+18:30",
      "2026-11-26T06:30:00+05:60",
      "2026-11-26 06:30:00Z",
      "2026-1-26T06:30:00Z",
      "2026-11-26T06:30:00ZZ",
      "2026-11-26T06:30:00+05:00:00",
      "",
      "now",
      "2026-11-26T06:3a:00Z",
      "2026-11-26T06:30:00-0a:00"
    };
    for (String s : samples) {
      assertThat(Rfc3339.parse(s)).as(s).isEqualTo(javaTime(s));
    }
  }

  @Test
  void agreesWithJavaTimeOnRandomInstantsAndOffsets() {
    Random r = new Random(42);
    DateTimeFormatter[] layouts = {
      DateTimeFormatter.ISO_OFFSET_DATE_TIME,
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSXXX"),
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ssXXX")
    };
    for (int i = 0; i < 20_000; i++) {
      Instant t = Instant.ofEpochSecond(r.nextLong() % 4_000_000_000L, r.nextInt(1_000_000_000));
      ZoneOffset offset = ZoneOffset.ofTotalSeconds((r.nextInt(73) - 36) * 15 * 60);
      String s = t.atOffset(offset).format(layouts[r.nextInt(layouts.length)]);
      assertThat(Rfc3339.parse(s)).as(s).isEqualTo(javaTime(s));
    }
  }
}
