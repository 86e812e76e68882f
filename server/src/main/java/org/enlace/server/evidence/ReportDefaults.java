package org.enlace.server.evidence;

import static org.enlace.server.evidence.EvidenceHtml.list;
import static org.enlace.server.evidence.EvidenceHtml.nz;
import static org.enlace.server.evidence.EvidenceHtml.opt;

import org.enlace.server.evidence.EvidenceReport.Availability;
import org.enlace.server.evidence.EvidenceReport.EstablishmentEvidence;
import org.enlace.server.evidence.EvidenceReport.LatencyStats;
import org.enlace.server.evidence.EvidenceReport.LinkEvidence;
import org.enlace.server.evidence.EvidenceReport.Meta;
import org.enlace.server.evidence.EvidenceReport.SpeedStats;
import org.enlace.server.evidence.EvidenceReport.Utilization;
import org.enlace.server.indicators.IndicatorReport;
import org.enlace.server.indicators.IndicatorReport.Baseline;
import org.enlace.server.indicators.IndicatorReport.SectorFigures;

/**
 * A report with every absent list, Optional and name made empty, where empty reads the same as
 * absent, so that the renderer checks for nothing twice. The report itself is left as it is: its
 * JSON, and so its hash, carries what the service put in it. Parts whose absence reads "no data" (a
 * period's counts, an establishment's availability, a link's speed tests) stay absent.
 *
 * <p>This is the renderer's edge: a report read back from JSON or built by an older service may
 * lack what the record types promise, and this class is where that is admitted and mended, so
 * NullAway is told to trust its null checks here and nowhere else.
 */
@SuppressWarnings("NullAway")
final class ReportDefaults {
  private ReportDefaults() {}

  static EvidenceReport fill(EvidenceReport r) {
    Meta m = r.meta();
    return new EvidenceReport(
        new Meta(
            nz(m.municipality()),
            m.period(),
            m.firstDay(),
            m.lastDay(),
            nz(m.scope()),
            nz(m.scopeId()),
            m.timeZone(),
            m.generatedAt(),
            nz(m.dataSha256()),
            list(m.sources())),
        r.method(),
        r.indicators() == null ? null : indicators(r.indicators()),
        list(r.establishments()).stream().map(ReportDefaults::establishment).toList(),
        r.coverage() == null ? null : coverage(r.coverage()),
        list(r.trend()).stream().map(ReportDefaults::period).toList());
  }

  private static EvidenceReport.Coverage coverage(EvidenceReport.Coverage c) {
    return new EvidenceReport.Coverage(
        c.complete(),
        c.asOf(),
        c.daysInPeriod(),
        c.daysElapsed(),
        c.daysCovered(),
        c.daysWithData(),
        opt(c.firstDayWithData()),
        opt(c.lastDayWithData()),
        list(c.daysWithoutData()),
        list(c.reasons()));
  }

  private static IndicatorReport indicators(IndicatorReport i) {
    return new IndicatorReport(
        i.from(),
        i.to(),
        i.granularity(),
        i.definition(),
        opt(i.baseline()).map(ReportDefaults::baseline),
        list(i.periods()).stream().map(ReportDefaults::period).toList());
  }

  private static IndicatorReport.Period period(IndicatorReport.Period p) {
    return new IndicatorReport.Period(
        p.period(),
        p.firstDay(),
        p.lastDay(),
        list(p.sectors()).stream().map(ReportDefaults::sector).toList());
  }

  private static Baseline baseline(Baseline b) {
    return new Baseline(
        b.id(),
        nz(b.reference()),
        b.administration(),
        b.citizens(),
        b.targetIncreasePct(),
        nz(b.note()),
        nz(b.setBy()),
        b.setAt());
  }

  private static SectorFigures sector(SectorFigures s) {
    return new SectorFigures(
        s.sector(),
        s.measured(),
        s.declared(),
        s.combined(),
        opt(s.baseline()),
        opt(s.computersChangePct()),
        opt(s.establishmentsChangePct()),
        opt(s.computersProgressPct()),
        opt(s.establishmentsProgressPct()),
        s.completeness());
  }

  private static EstablishmentEvidence establishment(EstablishmentEvidence e) {
    Availability a = e.availability();
    LatencyStats l = e.latency();
    return new EstablishmentEvidence(
        e.code(),
        nz(e.name()),
        e.kind(),
        e.sector(),
        a == null
            ? null
            : new Availability(
                a.openMinutes(),
                a.observedMinutes(),
                a.upMinutes(),
                a.outageMinutes(),
                opt(a.availabilityPct()),
                opt(a.completenessPct()),
                a.pcsOffMinutes(),
                a.linkDownMinutes(),
                a.noDataMinutes()),
        list(e.outages()),
        l == null ? null : new LatencyStats(l.samples(), opt(l.p50Ms()), opt(l.p90Ms())),
        e.computersEnrolled(),
        e.computersConnected(),
        list(e.links()).stream().map(ReportDefaults::link).toList(),
        list(e.outagesOutsideOpeningHours()),
        list(e.computers()));
  }

  private static LinkEvidence link(LinkEvidence l) {
    return new LinkEvidence(
        l.id(),
        nz(l.isp()),
        l.technology(),
        l.contractedDownMbps(),
        l.contractedUpMbps(),
        opt(l.monthlyCost()),
        l.currency(),
        speed(l.download()),
        speed(l.upload()),
        opt(l.costPerMeasuredMbps()),
        opt(l.utilization()).map(ReportDefaults::utilization));
  }

  private static SpeedStats speed(SpeedStats s) {
    return s == null
        ? null
        : new SpeedStats(
            s.tests(),
            opt(s.medianMbps()),
            opt(s.p10Mbps()),
            opt(s.p90Mbps()),
            opt(s.underContractSharePct()));
  }

  private static Utilization utilization(Utilization u) {
    return new Utilization(
        u.p95InPct(),
        u.p95OutPct(),
        u.p95InMbps(),
        u.p95OutMbps(),
        u.minutesAbove80Pct(),
        u.samples(),
        u.gapMinutes(),
        list(u.peakHours()));
  }
}
