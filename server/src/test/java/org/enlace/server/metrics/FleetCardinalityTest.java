package org.enlace.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.enlace.server.testing.TestJdbi;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/**
 * Prometheus cardinality at national scale: the fleet's series grow with the inventory
 * (establishments, links), never with the computers or agents in them.
 */
class FleetCardinalityTest {
  static final Instant NOW = Instant.parse("2026-11-18T15:00:00Z");
  static final Set<String> ALLOWED_LABELS =
      Set.of("establishment", "sector", "kind", "link", "direction", "version", "lifecycle");

  /** Most series one establishment with one ISP link can have (see docs/metrics.md). */
  static final int PER_ESTABLISHMENT = 21;

  static final int PER_LINK = 7;

  record Scrape(int series, Set<String> labels, long refreshMillis) {}

  /**
   * A fresh database with {@code establishments}, each with one ISP link, two speed tests and
   * {@code computersEach} computers in every state: online, limited, offline, not reporting, at
   * risk, dropped, each with its own agent version and clock offset.
   */
  static Scrape scrape(int establishments, int computersEach) {
    Jdbi jdbi = TestJdbi.migrated();
    jdbi.useHandle(
        h -> {
          h.createUpdate(
                  """
                  INSERT INTO establishments (code, name, kind, sector, latitude, longitude,
                  opening_hours) SELECT 'e' || i, 'E ' || i,
                  (ARRAY['town_hall', 'school', 'library'])[1 + i % 3],
                  (ARRAY['administration', 'citizens'])[1 + i % 2], 1.0 + i / 1000.0, -77.5,
                  CAST(:hours AS jsonb) FROM generate_series(1, :n) i
                  """)
              .bind("n", establishments)
              .bind("hours", "{\"wednesday\": [{\"open\": \"08:00\", \"close\": \"18:00\"}]}")
              .execute();
          h.execute(
              """
              INSERT INTO isp_links (establishment_id, isp_name, contracted_down_mbps,
              contracted_up_mbps) SELECT id, 'ISP', 20, 5 FROM establishments
              """);
          h.createUpdate(
                  """
                  INSERT INTO computers (establishment_id, machine_id, machine_id_trusted,
                  hostname, agent_version, role, enrolled_at, last_seen_at, last_observed_at,
                  last_status, clock_offset_ms, queue_dropped_total)
                  SELECT e.id, e.id || '-' || g, true, 'pc-' || g, '0.' || e.id || '.' || g,
                  'office', CAST(:now AS timestamptz) - interval '60 days',
                  CAST(:now AS timestamptz) - (ARRAY[interval '1 minute', interval '1 hour',
                    interval '22 days', interval '30 days'])[1 + g % 4],
                  CAST(:now AS timestamptz) - (ARRAY[interval '2 minutes', interval '1 hour',
                    interval '22 days', interval '30 days'])[1 + g % 4],
                  (ARRAY['online', 'limited', 'offline'])[1 + g % 3], g * 10, g % 5
                  FROM establishments e, generate_series(1, :n) g
                  """)
              .bind("n", computersEach)
              .bind("now", NOW)
              .execute();
          h.createUpdate(
                  """
                  INSERT INTO computer_months (establishment_id, computer_id, month,
                  online_days, observed_days) SELECT establishment_id, id, DATE '2026-11-01',
                  id % 3, 2 FROM computers
                  """)
              .execute();
          h.createUpdate(
                  """
                  INSERT INTO speed_tests (establishment_id, computer_id, agent_id, seq,
                  link_id, measured_at, method, down_mbps, up_mbps) SELECT l.establishment_id,
                  1, l.id, s, l.id, CAST(:now AS timestamptz) - s * interval '1 hour', 'ndt7',
                  10 + s, 4
                  FROM isp_links l, generate_series(1, 2) s
                  """)
              .bind("now", NOW)
              .execute();
        });
    PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    FleetMetrics fleet =
        new FleetMetrics(
            jdbi,
            meters,
            Clock.fixed(NOW, ZoneOffset.UTC),
            ZoneId.of("America/Bogota"),
            1,
            new FleetMetricsConfig());
    long start = System.nanoTime();
    assertThat(fleet.refresh()).isTrue();
    long millis = (System.nanoTime() - start) / 1_000_000;
    int series = 0;
    Set<String> labels = new TreeSet<>();
    Pattern label = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"");
    for (String line : meters.scrape().split("\n", 0)) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      // Only the fleet's own series: the refresh timer and database gauges are fixed.
      if (line.startsWith("enlace_establishment_")
          || line.startsWith("enlace_link_")
          || line.startsWith("enlace_agent_")
          || line.startsWith("enlace_indicator_")) {
        series++;
        int brace = line.indexOf('{');
        if (brace >= 0) {
          Matcher m = label.matcher(line.substring(brace, line.lastIndexOf('}')));
          while (m.find()) {
            labels.add(m.group(1));
          }
        }
      }
    }
    assertThat(series).isEqualTo(fleet.seriesCount());
    return new Scrape(series, labels, millis);
  }

  @Test
  void seriesGrowWithEstablishmentsNotWithComputers() {
    Scrape small = scrape(10, 10);
    Scrape national = scrape(10, 10_000);
    Scrape more = scrape(20, 10);
    System.out.printf(
        "fleet series: 10 establishments x 10 computers = %d (refresh %d ms);"
            + " 10 x 10,000 = %d (refresh %d ms); 20 x 10 = %d%n",
        small.series(),
        small.refreshMillis(),
        national.series(),
        national.refreshMillis(),
        more.series());

    assertThat(national.series())
        .as("100,000 computers give the series of 100")
        .isEqualTo(small.series());
    int perEstablishment = (more.series() - small.series()) / 10;
    assertThat(more.series() - small.series()).isEqualTo(perEstablishment * 10);
    assertThat(perEstablishment).isPositive().isLessThanOrEqualTo(PER_ESTABLISHMENT + PER_LINK);
    assertThat(national.labels()).isSubsetOf(ALLOWED_LABELS);
    assertThat(small.series())
        .as("fixed part: agent versions capped at 20, indicators")
        .isLessThanOrEqualTo(10 * (PER_ESTABLISHMENT + PER_LINK) + 20 + 4);
  }
}
