package org.enlace.server.evidence;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import org.enlace.server.evidence.EvidenceReport.Availability;
import org.enlace.server.evidence.EvidenceReport.LatencyStats;
import org.enlace.server.evidence.EvidenceReport.LinkEvidence;
import org.enlace.server.evidence.EvidenceReport.Outage;
import org.jspecify.annotations.Nullable;

/**
 * The report an ISP reads: its links only, across establishments, and no plan figures (no
 * indicators, baseline or target: those are the municipality's business, not the provider's). Built
 * from the evidence report of the same scope (see {@link IspReports}), so every figure it shares
 * with the municipality's report is the same number. {@code dataSha256} is computed as for {@link
 * EvidenceReport}: the canonical JSON with {@code generatedAt} and {@code dataSha256} null.
 */
public record IspReport(
    Meta meta, Method method, Summary summary, List<ServedEstablishment> establishments) {

  /** scope is "isp" (scopeId: the ISP's name) or "link" (scopeId: the link id). */
  public record Meta(
      String municipality,
      String isp,
      String period,
      LocalDate firstDay,
      LocalDate lastDay,
      String scope,
      String scopeId,
      String timeZone,
      @Nullable Instant generatedAt,
      @Nullable String dataSha256,
      List<String> sources) {}

  /** The parameters behind the ISP's figures. */
  public record Method(
      int holdMinutes,
      int shortOutageMinutes,
      double underContractShare,
      String testServer,
      long speedTestsUsed) {}

  /**
   * The ISP's period in figures. speedTests: download tests, as the link tables sum them.
   * linksUnderContract: links whose median download was under the under-contract share of the
   * contracted rate. outages and outageOpenMinutes: outages inside opening hours (short
   * interruptions listed apart, not counted). availabilityPct: minutes connected / minutes
   * observed, inside opening hours, over every establishment served.
   */
  public record Summary(
      int links,
      int establishments,
      long speedTests,
      int linksWithTests,
      int linksUnderContract,
      long outages,
      long shortInterruptions,
      long outageOpenMinutes,
      Optional<Double> availabilityPct) {}

  /**
   * An establishment the ISP serves. linksAtEstablishment counts every link there, of any ISP: with
   * more than one, an outage seen by the computers cannot be put down to one provider. outages:
   * only those with minutes inside opening hours.
   */
  public record ServedEstablishment(
      String code,
      String name,
      String kind,
      String sector,
      int linksAtEstablishment,
      Availability availability,
      List<Outage> outages,
      LatencyStats latency,
      List<LinkEvidence> links) {}
}
