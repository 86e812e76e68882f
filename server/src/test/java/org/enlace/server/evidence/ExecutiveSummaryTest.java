package org.enlace.server.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import org.enlace.server.evidence.EvidenceReport.Coverage;
import org.enlace.server.evidence.EvidenceText.Lang;
import org.enlace.server.indicators.Granularity;
import org.enlace.server.indicators.IndicatorReport;
import org.enlace.server.indicators.IndicatorReport.Baseline;
import org.enlace.server.indicators.IndicatorReport.Completeness;
import org.enlace.server.indicators.IndicatorReport.Counts;
import org.enlace.server.indicators.IndicatorReport.Definition;
import org.enlace.server.indicators.IndicatorReport.SectorFigures;
import org.junit.jupiter.api.Test;

/** The executive summary's paragraph for the shapes a month's data can take. */
class ExecutiveSummaryTest {
  static final ZoneId BOGOTA = ZoneId.of("America/Bogota");
  static final LocalDate FIRST = LocalDate.of(2026, 11, 1);
  static final LocalDate LAST = LocalDate.of(2026, 11, 30);

  /** A sector: connected computers and establishments, enrolled and reporting computers. */
  record Sector(long computers, long establishments, long enrolled, long reporting) {}

  static SectorFigures figures(
      String name, Sector s, Counts declared, Optional<Counts> base, double targetPct) {
    Counts measured = new Counts(s.computers(), s.establishments());
    Counts combined = measured.plus(declared);
    Optional<Double> cChange =
        base.filter(b -> b.computers() > 0)
            .map(b -> (combined.computers() - b.computers()) * 100.0 / b.computers());
    Optional<Double> eChange =
        base.filter(b -> b.establishments() > 0)
            .map(
                b -> (combined.establishments() - b.establishments()) * 100.0 / b.establishments());
    return new SectorFigures(
        name,
        measured,
        declared,
        combined,
        base,
        cChange,
        eChange,
        cChange.map(c -> c * 100 / targetPct),
        eChange.map(c -> c * 100 / targetPct),
        new Completeness(s.enrolled(), s.reporting(), s.enrolled() > 0 ? s.establishments() : 0));
  }

  static EvidenceReport report(
      Sector adm, Sector cit, Optional<Baseline> baseline, Coverage coverage) {
    double target = baseline.map(Baseline::targetIncreasePct).orElse(100.0);
    Counts none = new Counts(0, 0);
    Sector total =
        new Sector(
            adm.computers() + cit.computers(),
            adm.establishments() + cit.establishments(),
            adm.enrolled() + cit.enrolled(),
            adm.reporting() + cit.reporting());
    List<SectorFigures> sectors =
        List.of(
            figures("administration", adm, none, baseline.map(Baseline::administration), target),
            figures("citizens", cit, none, baseline.map(Baseline::citizens), target),
            figures("total", total, none, baseline.map(Baseline::total), target));
    EvidenceReport sample = EvidenceFixtures.sample();
    EvidenceReport.Meta m = sample.meta();
    return new EvidenceReport(
        new EvidenceReport.Meta(
            m.municipality(),
            "2026-11",
            FIRST,
            LAST,
            m.scope(),
            m.scopeId(),
            m.timeZone(),
            m.generatedAt(),
            m.dataSha256(),
            m.sources()),
        sample.method(),
        new IndicatorReport(
            "2026-11",
            "2026-11",
            Granularity.MONTH,
            new Definition(1, "America/Bogota"),
            baseline,
            List.of(new IndicatorReport.Period("2026-11", FIRST, LAST, sectors))),
        List.of(),
        coverage,
        List.of());
  }

  static Optional<Baseline> baseline(long admComputers, long citComputers) {
    return Optional.of(
        new Baseline(
            1,
            "Plan 2024-2027",
            new Counts(admComputers, 2),
            new Counts(citComputers, 3),
            100.0,
            "",
            "planeacion",
            java.time.Instant.parse("2026-01-15T15:00:00Z")));
  }

  static Coverage complete() {
    return PeriodCoverage.of(
        new ReportPeriod("2026-11", FIRST, LAST),
        LocalDate.of(2026, 12, 7),
        FIRST.datesUntil(LAST.plusDays(1)).toList(),
        d -> true,
        List.of(LocalDate.of(2025, 12, 1)));
  }

  static String paragraph(EvidenceReport r, Lang lang) {
    EvidenceReport filled = ReportDefaults.fill(r);
    return new FrontMatter(filled, EvidenceText.of(lang), BOGOTA)
        .paragraph()
        .replace('\u00a0', ' ');
  }

  @Test
  void progressTowardTheTargetComesFirst() {
    EvidenceReport r =
        report(new Sector(20, 4, 24, 22), new Sector(14, 5, 16, 15), baseline(12, 8), complete());
    assertThat(paragraph(r, Lang.ES))
        .startsWith(
            "En noviembre de 2026, se conectaron a internet 34 de 40 computadores con agente de"
                + " Enlace, en 9 establecimientos. Frente a la línea base (20 computadores), el"
                + " cambio es de +70,0 %: un avance del 70,0 % hacia la meta de +100 %.")
        .contains("En establecimientos: 9 establecimientos con conexión frente a 5")
        .contains(
            "Por sector: administración, 20 computadores (avance del 66,7 %); ciudadanía,"
                + " 14 computadores (avance del 75,0 %).")
        .contains("No hay datos de disponibilidad en horario de atención.")
        .doesNotContain("datos incompletos");
    assertThat(paragraph(r, Lang.EN))
        .startsWith(
            "In November 2026, 34 of 40 computers with an Enlace agent connected to the internet,"
                + " in 9 establishments. Against the baseline (20 computers), the change is"
                + " +70.0 %: 70.0 % of the way to the target of +100 %.");
  }

  @Test
  void noBaseline() {
    EvidenceReport r =
        report(new Sector(1, 1, 1, 1), new Sector(0, 0, 0, 0), Optional.empty(), complete());
    assertThat(paragraph(r, Lang.ES))
        .startsWith("En noviembre de 2026, se conectaron a internet 1 de 1 computador con agente")
        .contains("en 1 establecimiento.")
        .contains("No hay línea base registrada, así que no se puede calcular el avance")
        .doesNotContain("avance del");
  }

  @Test
  void targetReached() {
    EvidenceReport r =
        report(new Sector(30, 4, 30, 30), new Sector(12, 5, 12, 12), baseline(12, 8), complete());
    assertThat(paragraph(r, Lang.ES))
        .contains("el cambio es de +110,0 %: la meta de +100 % se alcanzó (avance del 110,0 %).");
    assertThat(paragraph(r, Lang.EN))
        .contains("the target of +100 % is reached (progress 110.0 %)");
  }

  @Test
  void decline() {
    EvidenceReport r =
        report(new Sector(9, 2, 12, 12), new Sector(6, 3, 8, 8), baseline(12, 8), complete());
    assertThat(paragraph(r, Lang.ES))
        .contains(
            "el cambio es de -25,0 %: hay menos computadores conectados que en la línea base, y el"
                + " avance hacia la meta de +100 % es del -25,0 %.");
  }

  @Test
  void incompleteDataIsMarked() {
    Coverage half =
        PeriodCoverage.of(
            new ReportPeriod("2026-11", FIRST, LAST),
            LocalDate.of(2026, 12, 7),
            LocalDate.of(2026, 11, 16).datesUntil(LAST.plusDays(1)).toList(),
            d -> true,
            List.of(LocalDate.of(2026, 11, 16)));
    assertThat(half.reasons()).containsExactly("enrolled_mid_period");
    EvidenceReport r =
        report(new Sector(9, 2, 12, 12), new Sector(6, 3, 8, 8), baseline(12, 8), half);
    String es = paragraph(r, Lang.ES);
    assertThat(es)
        .contains("el cambio es de -25,0 % (datos incompletos):")
        .endsWith(
            "Las cifras son parciales: el recuadro de arriba dice qué días cubren los datos.");
    String box = box(r, Lang.ES);
    assertThat(box)
        .contains("Atención: los datos no cubren todo el periodo")
        .contains(
            "Los datos cubren del 16 de noviembre de 2026 al 30 de noviembre de 2026: 15 de los 30"
                + " días del periodo.")
        .contains("Los primeros agentes se instalaron durante el periodo");
    assertThat(
            box(
                report(
                    new Sector(9, 2, 12, 12), new Sector(6, 3, 8, 8), baseline(12, 8), complete()),
                Lang.ES))
        .isEmpty();
  }

  @Test
  void noAgentsIsNotAMinusHundredPercent() {
    Coverage none =
        PeriodCoverage.of(
            new ReportPeriod("2026-11", FIRST, LAST),
            LocalDate.of(2026, 12, 7),
            List.of(),
            d -> true,
            List.of(LocalDate.of(2026, 12, 3)));
    assertThat(none.reasons()).containsExactly("no_agents");
    EvidenceReport r =
        report(new Sector(0, 0, 0, 0), new Sector(0, 0, 0, 0), baseline(12, 8), none);
    String es = paragraph(r, Lang.ES);
    assertThat(es)
        .startsWith("En noviembre de 2026 no había computadores con agente de Enlace")
        .contains(
            "El cambio frente a la línea base (20 computadores) no se puede calcular: sin agentes"
                + " ni conteos declarados en el periodo.")
        .doesNotContain("-100");
    String html = EvidenceHtml.render(r, Lang.ES, Paper.A4);
    assertThat(html)
        .contains("no calculable: sin agentes ni conteos declarados en el periodo")
        .doesNotContain("-100,0");
    assertThat(box(r, Lang.ES))
        .contains("No hay datos medidos en ninguno de los 30 días del periodo.")
        .contains("No había computadores con agente de Enlace en el periodo");
  }

  @Test
  void availabilityAndTheLongestOutage() {
    EvidenceReport sample = EvidenceFixtures.sample();
    assertThat(
            new FrontMatter(ReportDefaults.fill(sample), EvidenceText.of(Lang.ES), BOGOTA)
                .availabilitySentence()
                .replace('\u00a0', ' '))
        .isEqualTo(
            "La conexión estuvo disponible el 97,9 % del tiempo observado en horario de atención;"
                + " hubo un corte, de 3 h 00 min, en Alcaldía Municipal de El Contadero el 4 de"
                + " marzo de 2026.");
  }

  static String box(EvidenceReport r, Lang lang) {
    StringBuilder out = new StringBuilder();
    new FrontMatter(ReportDefaults.fill(r), EvidenceText.of(lang), BOGOTA).coverageBox(out);
    return out.toString().replace('\u00a0', ' ');
  }
}
