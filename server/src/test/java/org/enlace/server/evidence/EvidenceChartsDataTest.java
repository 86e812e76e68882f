package org.enlace.server.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.enlace.server.app.EnlaceApplication;
import org.enlace.server.evidence.chart.ChartSvg;
import org.enlace.server.testing.Api;
import org.enlace.server.testing.SyntheticMonth;
import org.enlace.server.testing.TestApp;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The charts from real data: the scripted month through the real server, its monthly trend in the
 * report's JSON (so in its hash), and every report's PDF rendered to pixels with its charts drawn.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EvidenceChartsDataTest {
  static final TestApp APP = TestApp.create();

  @RegisterExtension
  static final io.dropwizard.testing.junit5.DropwizardAppExtension<?> EXT = APP.extension();

  SyntheticMonth month;

  @BeforeAll
  void load() {
    month = new SyntheticMonth(APP, "G").load();
    ((EnlaceApplication) EXT.getApplication()).rollups().drain();
  }

  @Test
  void theTrendEndsWithTheReportsMonthAndSkipsTheMonthsBeforeAnyData() {
    JsonNode trend =
        APP.it().get("/api/v1/evidence?period=2026-11&format=json").body().path("trend");
    assertThat(trend.size()).isBetween(2, 12);
    assertThat(trend.get(trend.size() - 1).path("period").asText()).isEqualTo("2026-11");
    assertThat(trend.get(trend.size() - 2).path("period").asText()).isEqualTo("2026-10");
    JsonNode first = trend.get(0).path("sectors").get(2);
    assertThat(
            first.path("combined").path("computers").asLong()
                + first.path("completeness").path("computersEnrolled").asLong())
        .isPositive();
    JsonNode october = trend.get(trend.size() - 2).path("sectors").get(2);
    assertThat(october.path("measured").path("computers").asLong()).isEqualTo(4);
    // Plan figures belong to the municipality's report only.
    assertThat(
            APP.it()
                .get("/api/v1/evidence?period=2026-10&format=json&establishment=" + month.alc)
                .body()
                .path("trend"))
        .isEmpty();
  }

  @Test
  void theTrendsMonthsAreTheIndicatorsOfEachMonth() {
    // The trend fetches its months in one query per figure; the indicators API, month by month.
    JsonNode trend =
        APP.it().get("/api/v1/evidence?period=2026-11&format=json").body().path("trend");
    String first = trend.get(0).path("period").asText();
    JsonNode periods =
        APP.it()
            .get("/api/v1/indicators?from=" + first + "&to=2026-11&granularity=month")
            .body()
            .path("periods");
    assertThat(trend.size()).isEqualTo(periods.size());
    for (int k = 0; k < trend.size(); k++) {
      assertThat(trend.get(k)).isEqualTo(periods.get(k));
    }
  }

  @Test
  void everyReportsPdfDrawsItsCharts() throws Exception {
    Api.Response json = APP.it().get("/api/v1/evidence?period=2026-10&format=json");
    long link = -1;
    for (JsonNode e : json.body().path("establishments")) {
      for (JsonNode l : e.path("links")) {
        link = l.path("id").asLong();
      }
    }
    assertThat(link).isPositive();
    List<String> colours =
        List.of(
            ChartSvg.SERIES,
            ChartSvg.BAR,
            ChartSvg.SPREAD,
            ChartSvg.MEDIAN,
            ChartSvg.OUTAGE.get(2));
    Map<String, PdfPixels.Found> municipality =
        PdfPixels.find(pdf("/api/v1/evidence?period=2026-10&format=pdf"), colours);
    EvidenceChartsRenderTest.assertDrawn(municipality, colours, 20);

    Map<String, PdfPixels.Found> establishment =
        PdfPixels.find(
            pdf("/api/v1/evidence?period=2026-10&format=pdf&establishment=" + month.alc), colours);
    // The town hall: its 3-hour outage, its availability; no link, no plan figures.
    EvidenceChartsRenderTest.assertDrawn(
        establishment, List.of(ChartSvg.BAR, ChartSvg.OUTAGE.get(2)), 20);
    // A few anti-aliased edges of other blues may come close; a line would be hundreds.
    assertThat(establishment.get(ChartSvg.SERIES).pixels()).isLessThan(10);

    Map<String, PdfPixels.Found> isp =
        PdfPixels.find(pdf("/api/v1/evidence?period=2026-10&format=pdf&link=" + link), colours);
    EvidenceChartsRenderTest.assertDrawn(isp, List.of(ChartSvg.SPREAD, ChartSvg.MEDIAN), 20);
    // A few anti-aliased edges of other blues may come close; a line would be hundreds.
    assertThat(isp.get(ChartSvg.SERIES).pixels()).isLessThan(10);

    String html =
        new String(
            APP.it().get("/api/v1/evidence?period=2026-10&format=html").raw().body(),
            java.nio.charset.StandardCharsets.UTF_8);
    assertThat(html.split("<svg ", -1)).hasSize(10);
  }

  private static byte[] pdf(String path) {
    Api.Response r = APP.it().get(path);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    return r.raw().body();
  }
}
