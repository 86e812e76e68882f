package org.enlace.server.evidence;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.enlace.server.evidence.EvidenceReport.Availability;
import org.enlace.server.evidence.EvidenceReport.EstablishmentEvidence;
import org.enlace.server.evidence.EvidenceReport.LatencyStats;
import org.enlace.server.evidence.EvidenceReport.LinkEvidence;
import org.enlace.server.evidence.EvidenceReport.Outage;
import org.enlace.server.evidence.EvidenceReport.SpeedStats;
import org.enlace.server.indicators.IndicatorReport;
import org.enlace.server.indicators.IndicatorReport.Completeness;
import org.enlace.server.indicators.IndicatorReport.Counts;
import org.enlace.server.indicators.IndicatorReport.SectorFigures;

/**
 * A municipality's report with something in every chart: the sample report of {@link
 * EvidenceFixtures} plus twelve months of plan figures (one month without data), six more
 * establishments with links and outages on several days, one of them with a name that needs
 * escaping.
 */
final class ChartFixtures {
  private ChartFixtures() {}

  static EvidenceReport charted() {
    EvidenceReport base = EvidenceFixtures.sample();
    List<EstablishmentEvidence> places = new ArrayList<>(base.establishments());
    String[] names = {
      "Puesto de Salud La Victoria",
      "Biblioteca Pública Municipal «Rafael Pombo»",
      "Institución Educativa Técnica Agropecuaria San José de Quisnamuez",
      "Punto Vive Digital Centro",
      "Escuela Rural Mixta El Manzano",
      "Casa de la Cultura"
    };
    double[] availability = {99.2, 91.4, 72.35, 99.95, 84.0, 96.5};
    double[][] speeds = {{8.1, 6.2, 9.6}, {18.5, 11.0, 21.0}, {3.2, 1.1, 5.8}, {48.0, 40.1, 51.0}};
    double[] contracted = {10, 20, 10, 50};
    for (int i = 0; i < names.length; i++) {
      List<LinkEvidence> links = new ArrayList<>();
      if (i < speeds.length) {
        links.add(
            new LinkEvidence(
                20 + i,
                i % 2 == 0 ? "Conexiones del Sur S.A.S." : "TeleNariño",
                "radio",
                BigDecimal.valueOf(contracted[i]),
                BigDecimal.valueOf(contracted[i] / 2),
                Optional.of(new BigDecimal("350000")),
                "COP",
                new SpeedStats(
                    120,
                    Optional.of(speeds[i][0]),
                    Optional.of(speeds[i][1]),
                    Optional.of(speeds[i][2]),
                    Optional.of(20.0)),
                new SpeedStats(
                    0, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty()),
                Optional.empty(),
                Optional.empty()));
      }
      List<Outage> outages = new ArrayList<>();
      for (int d = 0; d <= i; d++) {
        Instant start = Instant.parse("2026-03-02T13:00:00Z").plusSeconds(86_400L * (3 * d + i));
        long minutes = 30L + 70L * d * (i + 1);
        outages.add(
            new Outage(
                start, start.plusSeconds(60 * minutes), minutes, minutes, 3, false, "agents"));
      }
      places.add(
          new EstablishmentEvidence(
              "est-" + i,
              names[i],
              i % 2 == 0 ? "school" : "library",
              "citizens",
              new Availability(
                  9000,
                  8000,
                  Math.round(8000 * availability[i] / 100),
                  8000 - Math.round(8000 * availability[i] / 100),
                  Optional.of(availability[i]),
                  Optional.of(88.9),
                  0,
                  0,
                  1000),
              outages,
              new LatencyStats(100, Optional.of(40.0), Optional.of(90.0)),
              10,
              9,
              links,
              List.of(),
              List.of()));
    }
    return new EvidenceReport(
        base.meta(), base.method(), base.indicators(), places, base.coverage(), trend());
  }

  /** April 2025 to March 2026, rising towards the target; June 2025 without any data. */
  static List<IndicatorReport.Period> trend() {
    List<IndicatorReport.Period> out = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      YearMonth m = YearMonth.of(2025, 4).plusMonths(i);
      List<SectorFigures> sectors = new ArrayList<>();
      long adminPcs = 560 + 60L * i;
      long citizenPcs = 8L + i;
      sectors.add(figures("administration", new Counts(adminPcs, 2 + i / 6)));
      sectors.add(figures("citizens", new Counts(citizenPcs, 1 + i / 4)));
      sectors.add(figures("total", new Counts(adminPcs + citizenPcs, 3 + i / 6 + i / 4)));
      out.add(
          new IndicatorReport.Period(
              m.toString(), m.atDay(1), m.atEndOfMonth(), i == 2 ? List.of() : sectors));
    }
    return out;
  }

  private static SectorFigures figures(String sector, Counts combined) {
    return new SectorFigures(
        sector,
        combined,
        new Counts(0, 0),
        combined,
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        new Completeness(combined.computers(), combined.computers(), combined.establishments()));
  }

  static LocalDate firstDay() {
    return LocalDate.of(2026, 3, 1);
  }
}
