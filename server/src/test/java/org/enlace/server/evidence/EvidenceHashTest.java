package org.enlace.server.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.enlace.server.evidence.EvidenceReport.Availability;
import org.enlace.server.evidence.EvidenceReport.EstablishmentEvidence;
import org.enlace.server.evidence.EvidenceReport.Meta;
import org.junit.jupiter.api.Test;

class EvidenceHashTest {
  static final ObjectMapper MAPPER = EvidenceRenderersTest.appMapper();

  static EvidenceReport generatedAt(EvidenceReport r, Instant at) {
    Meta m = r.meta();
    return new EvidenceReport(
        new Meta(
            m.municipality(),
            m.period(),
            m.firstDay(),
            m.lastDay(),
            m.scope(),
            m.scopeId(),
            m.timeZone(),
            at,
            m.dataSha256(),
            m.sources()),
        r.method(),
        r.indicators(),
        r.establishments(),
        r.coverage(),
        List.of());
  }

  @Test
  void sha256HexOfTheData() {
    String hash = EvidenceHash.of(EvidenceFixtures.sample(), MAPPER);
    assertThat(hash).matches("[0-9a-f]{64}");
  }

  @Test
  void stableWhenOnlyTheGenerationTimeOrTheHashChanges() {
    EvidenceReport a = EvidenceFixtures.sample();
    EvidenceReport b = generatedAt(a, Instant.parse("2027-01-01T00:00:00Z"));
    assertThat(EvidenceHash.of(b, MAPPER)).isEqualTo(EvidenceHash.of(a, MAPPER));
    EvidenceReport withHash = EvidenceHash.withHash(a, MAPPER);
    assertThat(withHash.meta().dataSha256()).isEqualTo(EvidenceHash.of(a, MAPPER));
    assertThat(EvidenceHash.of(withHash, MAPPER)).isEqualTo(EvidenceHash.of(a, MAPPER));
    assertThat(withHash.meta().generatedAt()).isEqualTo(a.meta().generatedAt());
    assertThat(EvidenceHash.verify(withHash, MAPPER)).isTrue();
  }

  @Test
  void changesWhenAFigureChanges() {
    EvidenceReport a = EvidenceFixtures.sample();
    EstablishmentEvidence e = a.establishments().get(0);
    Availability av = e.availability();
    EstablishmentEvidence changed =
        new EstablishmentEvidence(
            e.code(),
            e.name(),
            e.kind(),
            e.sector(),
            new Availability(
                av.openMinutes(),
                av.observedMinutes(),
                av.upMinutes() - 1,
                av.outageMinutes() + 1,
                Optional.of(97.846),
                av.completenessPct(),
                av.pcsOffMinutes(),
                av.linkDownMinutes(),
                av.noDataMinutes()),
            e.outages(),
            e.latency(),
            e.computersEnrolled(),
            e.computersConnected(),
            e.links(),
            List.of(),
            List.of());
    EvidenceReport b =
        new EvidenceReport(
            a.meta(),
            a.method(),
            a.indicators(),
            List.of(changed, a.establishments().get(1)),
            a.coverage(),
            List.of());
    assertThat(EvidenceHash.of(b, MAPPER)).isNotEqualTo(EvidenceHash.of(a, MAPPER));
    EvidenceReport tampered = EvidenceHash.withHash(a, MAPPER);
    tampered =
        new EvidenceReport(
            tampered.meta(),
            tampered.method(),
            tampered.indicators(),
            b.establishments(),
            tampered.coverage(),
            List.of());
    assertThat(EvidenceHash.verify(tampered, MAPPER)).isFalse();
  }

  /** The documented check: the JSON download, the two fields set to null, SHA-256 of the bytes. */
  @Test
  void verifiableFromTheJsonDownloadByTextReplacement() throws Exception {
    EvidenceReport r = EvidenceHash.withHash(EvidenceFixtures.sample(), MAPPER);
    String json = new String(EvidenceHash.canonicalJson(r, MAPPER), StandardCharsets.UTF_8);
    assertThat(json)
        .contains("\"dataSha256\":\"" + r.meta().dataSha256() + "\"")
        .contains("\"generatedAt\":\"2026-04-01T13:42:07Z\"");
    String blanked =
        json.replaceFirst("\"dataSha256\":\"[0-9a-f]{64}\"", "\"dataSha256\":null")
            .replaceFirst("\"generatedAt\":\"[^\"]*\"", "\"generatedAt\":null");
    String sha =
        HexFormat.of()
            .formatHex(
                MessageDigest.getInstance("SHA-256")
                    .digest(blanked.getBytes(StandardCharsets.UTF_8)));
    assertThat(sha).isEqualTo(r.meta().dataSha256());
  }

  @Test
  void theApplicationMapperIsNotChanged() {
    ObjectMapper m = EvidenceRenderersTest.appMapper();
    EvidenceHash.of(EvidenceFixtures.sample(), m);
    assertThat(
            m.isEnabled(
                com.fasterxml.jackson.databind.MapperFeature.SORT_PROPERTIES_ALPHABETICALLY))
        .isFalse();
  }
}
