package org.enlace.server.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.enlace.server.app.EnlaceApplication;
import org.enlace.server.testing.Api;
import org.enlace.server.testing.SyntheticMonth;
import org.enlace.server.testing.TestApp;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Evidence figures from the scripted month, through the real endpoint, against its truth. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EvidenceFromDataTest {
  static final TestApp APP = TestApp.create();

  @RegisterExtension
  static final io.dropwizard.testing.junit5.DropwizardAppExtension<?> EXT = APP.extension();

  SyntheticMonth month;

  @BeforeAll
  void load() {
    month = new SyntheticMonth(APP, "E").load();
    ((EnlaceApplication) EXT.getApplication()).rollups().drain();
  }

  private JsonNode establishment(JsonNode report, String code) {
    for (JsonNode e : report.path("establishments")) {
      if (e.path("code").asText().equals(code)) {
        return e;
      }
    }
    throw new AssertionError("no " + code + " in " + report);
  }

  @Test
  void monthlyEvidenceStatesTheScriptedTruth() {
    Api.Response r = APP.it().get("/api/v1/evidence?period=2026-10&format=json");
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    JsonNode meta = r.body().path("meta");
    assertThat(meta.path("period").asText()).isEqualTo("2026-10");
    assertThat(meta.path("dataSha256").asText()).hasSize(64);

    JsonNode alc = establishment(r.body(), month.alc);
    // 22 weekdays x 8 opening hours; the 3-hour outage lies inside them.
    assertThat(alc.path("availability").path("openMinutes").asLong()).isEqualTo(10_560);
    assertThat(alc.path("availability").path("observedMinutes").asLong()).isEqualTo(10_560);
    assertThat(alc.path("availability").path("outageMinutes").asLong()).isEqualTo(180);
    assertThat(alc.path("availability").path("availabilityPct").asDouble()).isEqualTo(98.3);
    assertThat(alc.path("availability").path("completenessPct").asDouble()).isEqualTo(100.0);
    assertThat(alc.path("outages")).hasSize(1);
    assertThat(alc.path("outages").get(0).path("start").asText()).isEqualTo("2026-10-14T14:00:00Z");
    assertThat(alc.path("outages").get(0).path("durationMinutes").asLong()).isEqualTo(180);
    assertThat(alc.path("computersEnrolled").asInt()).isEqualTo(2);
    assertThat(alc.path("computersConnected").asInt()).isEqualTo(2);
    assertThat(alc.path("latency").path("samples").asLong()).isZero();
    assertThat(alc.path("latency").path("p50Ms").isNull()).isTrue(); // no data, never 0

    JsonNode kio = establishment(r.body(), month.kio);
    assertThat(kio.path("availability").path("openMinutes").asLong()).isEqualTo(44_640);
    assertThat(kio.path("availability").path("outageMinutes").asLong()).isEqualTo(153);
    assertThat(kio.path("availability").path("availabilityPct").asDouble()).isEqualTo(99.66);
    assertThat(kio.path("outages")).hasSize(2);
    assertThat(kio.path("outages").get(0).path("shortBlip").asBoolean()).isTrue();
    assertThat(kio.path("outages").get(1).path("durationMinutes").asLong()).isEqualTo(150);
    assertThat(kio.path("latency").path("samples").asLong()).isEqualTo(44_640);
    assertThat(kio.path("latency").path("p50Ms").asDouble()).isBetween(44.0, 56.0);

    // Speed tests as scripted: on day d at 00:00, 06:00, 12:00, 18:00: d/4 + 0..3 Mbit/s.
    List<Double> down = new ArrayList<>();
    for (int d = 1; d <= 31; d++) {
      for (int k = 0; k < 4; k++) {
        down.add(d / 4.0 + k);
      }
    }
    down.sort(null);
    JsonNode link = kio.path("links").get(0);
    JsonNode dl = link.path("download");
    assertThat(dl.path("tests").asLong()).isEqualTo(124);
    assertThat(dl.path("medianMbps").asDouble()).isEqualTo(down.get(61)); // nearest rank 62
    assertThat(dl.path("p10Mbps").asDouble()).isEqualTo(down.get(12)); // rank 13
    assertThat(dl.path("p90Mbps").asDouble()).isEqualTo(down.get(111)); // rank 112
    long under = down.stream().filter(v -> v < 8.0).count();
    assertThat(dl.path("underContractSharePct").asDouble())
        .isEqualTo(Math.round(under * 10000.0 / 124) / 100.0);
    assertThat(link.path("costPerMeasuredMbps").asDouble())
        .isEqualTo(Math.round(500000 / down.get(61) * 100) / 100.0);
    assertThat(link.path("upload").path("medianMbps").asDouble()).isEqualTo(1.5);
    assertThat(link.path("utilization").isNull()).isTrue();
  }

  @Test
  void scopesAndErrors() {
    Api.Response one =
        APP.it().get("/api/v1/evidence?period=2026-10&format=json&establishment=" + month.kio);
    assertThat(one.status()).as(one.toString()).isEqualTo(200);
    assertThat(one.body().path("establishments")).hasSize(1);
    assertThat(
            APP.it().get("/api/v1/evidence?period=2026-10&format=json&establishment=NOPE").status())
        .isEqualTo(404);
    assertThat(APP.it().get("/api/v1/evidence?period=2026-13&format=json").status()).isEqualTo(400);
    Api.Response pdf = APP.it().get("/api/v1/evidence?period=2026-Q4&format=pdf");
    assertThat(pdf.status()).isEqualTo(200);
    assertThat(new String(pdf.raw().body(), 0, 4, StandardCharsets.US_ASCII)).isEqualTo("%PDF");
    Api.Response quarter = APP.it().get("/api/v1/evidence?period=2026-Q4&format=json");
    JsonNode periods = quarter.body().path("indicators").path("periods");
    assertThat(periods).hasSize(4); // the quarter, then its months: the trend
    assertThat(periods.get(0).path("period").asText()).isEqualTo("2026-Q4");
    assertThat(periods.get(1).path("period").asText()).isEqualTo("2026-10");
    assertThat(periods.get(1).path("sectors").get(2).path("measured").path("computers").asLong())
        .isEqualTo(4);
    assertThat(periods.get(2).path("sectors").get(2).path("measured").path("computers").asLong())
        .isEqualTo(1); // November: only K1's first ten minutes
    assertThat(periods.get(3).path("period").asText()).isEqualTo("2026-12");
    Api.Response csv = APP.it().get("/api/v1/evidence?period=2026&format=csv");
    assertThat(csv.status()).isEqualTo(200);
    // The same data gives the same hash, whatever the generation time.
    String h1 =
        APP.it()
            .get("/api/v1/evidence?period=2026-10&format=json")
            .body()
            .path("meta")
            .path("dataSha256")
            .asText();
    String h2 =
        APP.it()
            .get("/api/v1/evidence?period=2026-10&format=json")
            .body()
            .path("meta")
            .path("dataSha256")
            .asText();
    assertThat(h1).isEqualTo(h2);
  }
}
