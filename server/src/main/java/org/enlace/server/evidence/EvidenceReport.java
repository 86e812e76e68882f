package org.enlace.server.evidence;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import org.enlace.server.indicators.IndicatorReport;
import org.jspecify.annotations.Nullable;

/**
 * Everything an evidence report states, as data. The renderers (HTML, PDF, CSV, JSON) only format
 * it; {@code dataSha256} is the SHA-256 of this record's JSON with {@code generatedAt} and {@code
 * dataSha256} left out, so two renderings of the same data carry the same hash.
 */
public record EvidenceReport(
    Meta meta,
    Method method,
    IndicatorReport indicators,
    List<EstablishmentEvidence> establishments,
    Coverage coverage,
    List<IndicatorReport.Period> trend) {

  /** scope is "municipality", "establishment" or "link"; scopeId the code or link id. */
  public record Meta(
      String municipality,
      String period,
      LocalDate firstDay,
      LocalDate lastDay,
      String scope,
      String scopeId,
      String timeZone,
      // Null only in the blanked copy whose hash becomes dataSha256 (EvidenceHash).
      @Nullable Instant generatedAt,
      @Nullable String dataSha256,
      List<String> sources) {}

  /** The parameters behind every figure, for the methodology section. */
  public record Method(
      int minOnlineDays,
      int holdMinutes,
      int shortOutageMinutes,
      double underContractShare,
      String testServer,
      long observationsUsed,
      long speedTestsUsed) {}

  public record EstablishmentEvidence(
      String code,
      String name,
      String kind,
      String sector,
      Availability availability,
      List<Outage> outages,
      LatencyStats latency,
      int computersEnrolled,
      int computersConnected,
      List<LinkEvidence> links,
      List<Outage> outagesOutsideOpeningHours,
      List<ComputerMinutes> computers) {}

  /**
   * One computer's whole minutes (all day, not only opening hours) in the period, from its
   * enrollment's minute (or the period's start) to the earlier of the period's end, the last whole
   * minute before the report and the start of its decommission date: expected = online + limited +
   * offline + noData, each minute once, with the hold applied as for the establishments.
   */
  public record ComputerMinutes(
      long computerId,
      String hostname,
      long expectedMinutes,
      long onlineMinutes,
      long limitedMinutes,
      long offlineMinutes,
      long noDataMinutes) {}

  /**
   * Minutes inside opening hours. availabilityPct = up / (up + outage); completenessPct = minutes
   * with data / open minutes. Both empty when there is nothing to divide by. The gaps are the open
   * minutes with no computer reporting, by what the router knew of them: pcsOffMinutes (link up:
   * the PCs were off), linkDownMinutes (link down), noDataMinutes (nothing at all).
   */
  public record Availability(
      long openMinutes,
      long observedMinutes,
      long upMinutes,
      long outageMinutes,
      Optional<Double> availabilityPct,
      Optional<Double> completenessPct,
      long pcsOffMinutes,
      long linkDownMinutes,
      long noDataMinutes) {}

  /**
   * An interval in which every computer reporting at the establishment saw offline or limited, or,
   * with no computer reporting, the router saw its links down. cause: link_down when the router saw
   * the link down at any minute of it (SNMP), otherwise agents. shortBlip: under the configured
   * threshold, listed but not counted as an outage in the totals. An outage with no minute inside
   * opening hours is listed apart (outagesOutsideOpeningHours), never among the outages that count.
   * provisional: a computer of the establishment that still reports has not yet sent data reaching
   * the outage's end (it was cut off too, or is still uploading), so the outage's start, end or
   * very existence may still change.
   */
  public record Outage(
      Instant start,
      Instant end,
      long durationMinutes,
      long openMinutes,
      int computers,
      boolean shortBlip,
      String cause,
      boolean provisional) {

    /** A final outage (not provisional). */
    public Outage(
        Instant start,
        Instant end,
        long durationMinutes,
        long openMinutes,
        int computers,
        boolean shortBlip,
        String cause) {
      this(start, end, durationMinutes, openMinutes, computers, shortBlip, cause, false);
    }
  }

  public record LatencyStats(long samples, Optional<Double> p50Ms, Optional<Double> p90Ms) {}

  public record LinkEvidence(
      long id,
      String isp,
      String technology,
      BigDecimal contractedDownMbps,
      BigDecimal contractedUpMbps,
      Optional<BigDecimal> monthlyCost,
      String currency,
      SpeedStats download,
      SpeedStats upload,
      Optional<BigDecimal> costPerMeasuredMbps,
      Optional<Utilization> utilization) {}

  /** Speed tests in the period: median, p10, p90 in Mbit/s and the share under 80 % of contract. */
  public record SpeedStats(
      long tests,
      Optional<Double> medianMbps,
      Optional<Double> p10Mbps,
      Optional<Double> p90Mbps,
      Optional<Double> underContractSharePct) {}

  /**
   * From SNMP, when the link's router is polled. The 95th percentile is taken over 5-minute
   * averages, as ISPs bill; in = download (vs contracted down), out = upload. minutesAbove80Pct:
   * minutes in which either direction was above 80 % of contract. gapMinutes: intervals the poller
   * could not trust (reboots, counter resets, missed polls). peakHours: the local hours of the day
   * with the highest mean use, busiest first.
   */
  public record Utilization(
      double p95InPct,
      double p95OutPct,
      double p95InMbps,
      double p95OutMbps,
      long minutesAbove80Pct,
      long samples,
      long gapMinutes,
      List<PeakHour> peakHours) {}

  public record PeakHour(int hour, double meanInPct, double meanOutPct) {}

  /**
   * How much of the period the data covers, so that a reader of any format sees a partial period as
   * partial. A day is covered when anything reported on it, or when nothing was expected (every
   * place closed) after the first day with data. Only days up to asOf (today, or the period's last
   * day once it is over) are judged; daysWithoutData lists the uncovered ones as ranges. reasons:
   * not_over, no_agents, no_data, enrolled_mid_period, gaps.
   */
  public record Coverage(
      boolean complete,
      LocalDate asOf,
      long daysInPeriod,
      long daysElapsed,
      long daysCovered,
      long daysWithData,
      Optional<LocalDate> firstDayWithData,
      Optional<LocalDate> lastDayWithData,
      List<DayRange> daysWithoutData,
      List<String> reasons) {

    /** True when the days first..last are not all covered (or not all over yet). */
    public boolean partialBetween(LocalDate first, LocalDate last) {
      if (complete) {
        return false;
      }
      if (asOf.isBefore(last)) {
        return true;
      }
      return daysWithoutData.stream()
          .anyMatch(r -> !r.first().isAfter(last) && !r.last().isBefore(first));
    }
  }

  public record DayRange(LocalDate first, LocalDate last) {}
}
