package org.enlace.server.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.enlace.server.web.ApiException;
import org.junit.jupiter.api.Test;

class ReportParserTest {
  private final ReportParser parser = new ReportParser(new ObjectMapper(), new IngestConfig());
  private final Instant now = Instant.parse("2026-11-26T12:00:00Z");

  private ParsedReport parse(String body) {
    return parser.parse(body.getBytes(StandardCharsets.UTF_8), now, now.minusSeconds(86_400));
  }

  @Test
  void storesTheChecksTextAsTheAgentSentIt() {
    String checks =
        "{ \"dns\" : [ {\"name\":\"caf\\u00e9.gov.co\", \"ok\":true, \"ms\":1.50} ],"
            + "\n  \"loss\": 0.0, \"note\": \"año\" }";
    ParsedReport r =
        parse(
            "{\"observations\": [{\"seq\": 1, \"observedAt\":"
                + " \"2026-11-26T11:59:00Z\", \"status\": \"online\", \"checks\": "
                + checks
                + "},"
                + " {\"seq\": 2, \"checks\": {\"loss\": 0}, \"observedAt\": \"2026-11-26T11:59:30Z\","
                + " \"status\": \"online\", \"checks\": {\"loss\": 0.25}}], \"sentAt\": null}");
    assertThat(r.rejections()).isEmpty();
    assertThat(r.observations())
        .extracting(Observation::checksJson)
        .containsExactly(checks, "{\"loss\": 0.25}");
  }

  @Test
  void aMalformedBodyIsStillRefusedWithItsPlace() {
    assertThatThrownBy(() -> parse("{\"observations\": [{\"seq\": 1, \"checks\": {\"loss\": }}]}"))
        .isInstanceOf(ApiException.class)
        .hasMessageContaining("line 1, column");
    for (String cut :
        new String[] {
          "{\"observations\": [",
          "{\"observations\": [{\"seq\": 1",
          "{\"observations\": [{\"checks\": {\"loss\": 0",
          "{\"observations\": [1, ",
          "{\"sentAt\": "
        }) {
      assertThatThrownBy(() -> parse(cut))
          .as(cut)
          .isInstanceOf(ApiException.class)
          .hasMessageContaining("not valid JSON");
    }
    assertThatThrownBy(() -> parse("[1, 2]"))
        .isInstanceOf(ApiException.class)
        .hasMessageContaining("must be a JSON object");
    assertThatThrownBy(() -> parse(""))
        .isInstanceOf(ApiException.class)
        .hasMessageContaining("must be a JSON object");
  }

  @Test
  void checksThatAreNotAnObjectRejectOnlyTheirObservation() {
    ParsedReport r =
        parse(
            "{\"observations\": [{\"seq\": 1, \"observedAt\":"
                + " \"2026-11-26T11:59:00Z\", \"status\": \"online\", \"checks\": [1]},"
                + " {\"seq\": 2, \"observedAt\": \"2026-11-26T11:59:30Z\", \"status\": \"online\","
                + " \"checks\": {}}]}");
    assertThat(r.rejections())
        .extracting(Rejection::field)
        .containsExactly("observations[0].checks");
    assertThat(r.observations()).extracting(Observation::checksJson).containsExactly("{}");
  }
}
