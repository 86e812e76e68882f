package org.enlace.server.evidence;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import org.enlace.server.evidence.EvidenceReport.Availability;
import org.enlace.server.evidence.EvidenceReport.EstablishmentEvidence;
import org.enlace.server.evidence.EvidenceReport.LatencyStats;
import org.enlace.server.evidence.EvidenceReport.LinkEvidence;
import org.enlace.server.evidence.EvidenceReport.Meta;
import org.enlace.server.evidence.EvidenceReport.Method;
import org.enlace.server.evidence.EvidenceReport.Outage;
import org.enlace.server.evidence.EvidenceReport.SpeedStats;
import org.enlace.server.evidence.EvidenceReport.Utilization;
import org.enlace.server.indicators.Granularity;
import org.enlace.server.indicators.IndicatorReport;
import org.enlace.server.indicators.IndicatorReport.Baseline;
import org.enlace.server.indicators.IndicatorReport.Completeness;
import org.enlace.server.indicators.IndicatorReport.Counts;
import org.enlace.server.indicators.IndicatorReport.Definition;
import org.enlace.server.indicators.IndicatorReport.SectorFigures;

/** Hand-built evidence reports with known figures, for the renderer tests. */
final class EvidenceFixtures {
  static final String MUNICIPALITY = "Municipio de El Contadero, Nariño";
  static final String TRICKY_NAME = "Escuela <Niño> & \"Señora\" 'Peña'";

  /** 2026-03-04 10:15 in Bogotá (UTC-5). */
  static final Instant OUTAGE_START = Instant.parse("2026-03-04T15:15:00Z");

  static final Instant GENERATED = Instant.parse("2026-04-01T13:42:07Z");

  private EvidenceFixtures() {}

  /** March 2026, two establishments, one link with figures, one link with no data at all. */
  static EvidenceReport sample() {
    Meta meta =
        new Meta(
            MUNICIPALITY,
            "2026-03",
            LocalDate.of(2026, 3, 1),
            LocalDate.of(2026, 3, 31),
            "municipality",
            "",
            "America/Bogota",
            GENERATED,
            null,
            List.of(
                "Agentes Enlace en 12 computadores", "Inventario de Enlace (establecimientos)"));
    Method method = new Method(1, 10, 5, 0.8, "speed.enlace.example (Pasto)", 123456, 1234);

    Counts admin = new Counts(1234, 3);
    Counts citizens = new Counts(20, 2);
    Baseline baseline =
        new Baseline(
            1,
            "Plan 2024-2027",
            new Counts(600, 2),
            new Counts(10, 1),
            100.0,
            "Inventario inicial",
            "carlos.rosero",
            Instant.parse("2026-01-15T15:00:00Z"));
    List<SectorFigures> sectors =
        List.of(
            new SectorFigures(
                "administration",
                admin,
                new Counts(0, 0),
                admin,
                Optional.of(new Counts(600, 2)),
                Optional.of(105.666),
                Optional.of(50.0),
                Optional.of(105.666),
                Optional.of(50.0),
                new Completeness(1300, 1250, 3)),
            new SectorFigures(
                "citizens",
                citizens,
                new Counts(5, 1),
                citizens.plus(new Counts(5, 1)),
                Optional.of(new Counts(10, 1)),
                Optional.of(150.0),
                Optional.of(200.0),
                Optional.of(150.0),
                Optional.of(200.0),
                new Completeness(22, 20, 2)),
            new SectorFigures(
                "total",
                admin.plus(citizens),
                new Counts(5, 1),
                admin.plus(citizens).plus(new Counts(5, 1)),
                Optional.of(new Counts(610, 3)),
                Optional.empty(),
                Optional.of(100.0),
                Optional.empty(),
                Optional.of(100.0),
                new Completeness(1322, 1270, 5)));
    IndicatorReport indicators =
        new IndicatorReport(
            "2026-03",
            "2026-03",
            Granularity.MONTH,
            new Definition(1, "America/Bogota"),
            Optional.of(baseline),
            List.of(
                new IndicatorReport.Period(
                    "2026-03", LocalDate.of(2026, 3, 1), LocalDate.of(2026, 3, 31), sectors)));

    LinkEvidence fibra =
        new LinkEvidence(
            7,
            "Proveedor Regional de Internet S.A.S.",
            "fibra óptica",
            new BigDecimal("100.000"),
            new BigDecimal("50"),
            Optional.of(new BigDecimal("1450000.00")),
            "COP",
            new SpeedStats(
                240, Optional.of(87.25), Optional.of(61.5), Optional.of(97.0), Optional.of(12.5)),
            new SpeedStats(
                240, Optional.of(45.0), Optional.of(30.0), Optional.of(49.9), Optional.of(8.75)),
            Optional.of(new BigDecimal("16618.91")),
            Optional.of(
                new Utilization(
                    62.5,
                    18.25,
                    31.25,
                    1.83,
                    95,
                    8928,
                    12,
                    List.of(new EvidenceReport.PeakHour(10, 71.5, 20.25)))));
    EstablishmentEvidence alcaldia =
        new EstablishmentEvidence(
            "alcaldia",
            "Alcaldía Municipal de El Contadero",
            "town_hall",
            "administration",
            new Availability(
                9600, 8400, 8220, 180, Optional.of(97.857), Optional.of(87.5), 120, 30, 1200),
            List.of(
                new Outage(
                    OUTAGE_START, OUTAGE_START.plusSeconds(3 * 3600), 180, 180, 4, false, "agents"),
                new Outage(
                    Instant.parse("2026-03-10T14:00:00Z"),
                    Instant.parse("2026-03-10T14:03:00Z"),
                    3,
                    3,
                    2,
                    true,
                    "agents")),
            new LatencyStats(8000, Optional.of(35.25), Optional.of(120.0)),
            12,
            11,
            List.of(fibra),
            List.of(),
            List.of());

    LinkEvidence satelital =
        new LinkEvidence(
            9,
            "Satélite & Cía",
            "",
            new BigDecimal("10"),
            new BigDecimal("2"),
            Optional.empty(),
            "COP",
            new SpeedStats(
                0, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty()),
            new SpeedStats(
                0, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty()),
            Optional.empty(),
            Optional.empty());
    EstablishmentEvidence escuela =
        new EstablishmentEvidence(
            "ie-pena",
            TRICKY_NAME,
            "school",
            "citizens",
            new Availability(0, 0, 0, 0, Optional.empty(), Optional.empty(), 0, 0, 0),
            List.of(),
            new LatencyStats(0, Optional.empty(), Optional.empty()),
            3,
            0,
            List.of(satelital),
            List.of(),
            List.of());

    return new EvidenceReport(
        meta, method, indicators, List.of(alcaldia, escuela), completeMarch(), List.of());
  }

  /** 2026-03-05 02:00 in Bogotá: the town hall is closed. */
  static final Instant NIGHT_OUTAGE_START = Instant.parse("2026-03-05T07:00:00Z");

  /**
   * The sample with what only the newer reports carry, at the town hall: its 3-hour outage still
   * provisional, a 40-minute outage at night (outside opening hours) and two computers' minutes,
   * the second enrolled mid-month.
   */
  static EvidenceReport sampleWithComputers() {
    EvidenceReport r = sample();
    EstablishmentEvidence a = r.establishments().get(0);
    Outage cut = a.outages().get(0);
    List<Outage> outages =
        List.of(
            new Outage(
                cut.start(),
                cut.end(),
                cut.durationMinutes(),
                cut.openMinutes(),
                cut.computers(),
                cut.shortBlip(),
                cut.cause(),
                true),
            a.outages().get(1));
    EstablishmentEvidence alcaldia =
        new EstablishmentEvidence(
            a.code(),
            a.name(),
            a.kind(),
            a.sector(),
            a.availability(),
            outages,
            a.latency(),
            a.computersEnrolled(),
            a.computersConnected(),
            a.links(),
            List.of(
                new Outage(
                    NIGHT_OUTAGE_START,
                    NIGHT_OUTAGE_START.plusSeconds(40 * 60),
                    40,
                    0,
                    3,
                    false,
                    "link_down")),
            List.of(
                new EvidenceReport.ComputerMinutes(101, "ALC-PC01", 44640, 20000, 100, 540, 24000),
                new EvidenceReport.ComputerMinutes(102, "ALC-PC02", 30000, 12000, 0, 60, 17940)));
    return new EvidenceReport(
        r.meta(),
        r.method(),
        r.indicators(),
        List.of(alcaldia, r.establishments().get(1)),
        r.coverage(),
        r.trend());
  }

  /** What the service answers for a municipality with no establishments and no data yet. */
  static EvidenceReport empty(EvidenceQuery q, Instant now) {
    String scope =
        q.establishment().isPresent()
            ? "establishment"
            : q.link().isPresent() ? "link" : "municipality";
    String scopeId = q.establishment().orElse(q.link().map(String::valueOf).orElse(""));
    Meta meta =
        new Meta(
            MUNICIPALITY,
            q.period().label(),
            q.period().firstDay(),
            q.period().lastDay(),
            scope,
            scopeId,
            "America/Bogota",
            now,
            null,
            List.of());
    Method method = new Method(1, 10, 5, 0.8, "", 0, 0);
    IndicatorReport indicators =
        new IndicatorReport(
            q.period().label(),
            q.period().label(),
            Granularity.MONTH,
            new Definition(1, "America/Bogota"),
            Optional.empty(),
            List.of());
    return new EvidenceReport(
        meta,
        method,
        indicators,
        List.of(),
        PeriodCoverage.of(
            q.period(),
            now.atZone(java.time.ZoneId.of("America/Bogota")).toLocalDate(),
            List.of(),
            d -> true,
            List.of()),
        List.of());
  }

  /** March 2026, over, with data on every day. */
  static EvidenceReport.Coverage completeMarch() {
    return new EvidenceReport.Coverage(
        true,
        LocalDate.of(2026, 3, 31),
        31,
        31,
        31,
        31,
        Optional.of(LocalDate.of(2026, 3, 1)),
        Optional.of(LocalDate.of(2026, 3, 31)),
        List.of(),
        List.of());
  }
}
