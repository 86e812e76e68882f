package org.enlace.server.indicators;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;

/**
 * The plan's two indicators per period and sector: measured (agents), declared (surveys, places
 * without an agent) and their combined total, against the baseline and the target.
 */
public record IndicatorReport(
    String from,
    String to,
    Granularity granularity,
    Definition definition,
    Optional<Baseline> baseline,
    List<Period> periods) {

  /** How a computer and an establishment count as connected in a period. */
  public record Definition(int minOnlineDays, String timeZone) {}

  public record Period(
      String period, LocalDate firstDay, LocalDate lastDay, List<SectorFigures> sectors) {}

  /** sector is administration, citizens or total. */
  public record SectorFigures(
      String sector,
      Counts measured,
      Counts declared,
      Counts combined,
      Optional<Counts> baseline,
      Optional<Double> computersChangePct,
      Optional<Double> establishmentsChangePct,
      Optional<Double> computersProgressPct,
      Optional<Double> establishmentsProgressPct,
      Completeness completeness) {}

  public record Counts(long computers, long establishments) {
    public Counts plus(Counts o) {
      return new Counts(computers + o.computers, establishments + o.establishments);
    }
  }

  /** Enrolled computers and establishments with any agent, so a count can be read as a share. */
  public record Completeness(
      long computersEnrolled, long computersReporting, long establishmentsWithAgents) {}

  /** The baseline in force: counts per sector, the target, who set it and when. */
  public record Baseline(
      long id,
      String reference,
      Counts administration,
      Counts citizens,
      double targetIncreasePct,
      String note,
      String setBy,
      Instant setAt) {
    public Counts total() {
      return administration.plus(citizens);
    }

    public Counts of(String sector) {
      return switch (sector) {
        case "administration" -> administration;
        case "citizens" -> citizens;
        default -> total();
      };
    }
  }
}
