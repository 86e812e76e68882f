package org.enlace.server.evidence;

import static java.util.Objects.requireNonNull;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import org.enlace.server.auth.Role;
import org.enlace.server.web.ApiException;

/** A computer's minutes online, limited, offline and with no data in a period. */
@Path("/api/v1/computers/{id}/minutes")
@Produces(MediaType.APPLICATION_JSON)
public final class ComputerMinutesResource {
  /** Longest from/to range: a year, as the longest report period. */
  static final long MAX_DAYS = 366;

  private final EvidenceService evidence;
  private final ZoneId zone;

  public ComputerMinutesResource(EvidenceService evidence, ZoneId zone) {
    this.evidence = requireNonNull(evidence, "evidence is null");
    this.zone = requireNonNull(zone, "zone is null");
  }

  /** The answer: the period's days (municipality time) and the computer's minutes in them. */
  public record Minutes(
      long computerId,
      String hostname,
      String period,
      LocalDate firstDay,
      LocalDate lastDay,
      String timeZone,
      long expectedMinutes,
      long onlineMinutes,
      long limitedMinutes,
      long offlineMinutes,
      long noDataMinutes) {}

  @GET
  @RolesAllowed({Role.IT_NAME, Role.ADMINISTRATION_NAME})
  public Minutes get(
      @PathParam("id") long id,
      @QueryParam("period") String period,
      @QueryParam("from") String from,
      @QueryParam("to") String to) {
    ReportPeriod p = period(period, from, to);
    EvidenceReport.ComputerMinutes m = evidence.computerMinutes(id, p);
    return new Minutes(
        m.computerId(),
        m.hostname(),
        p.label(),
        p.firstDay(),
        p.lastDay(),
        zone.getId(),
        m.expectedMinutes(),
        m.onlineMinutes(),
        m.limitedMinutes(),
        m.offlineMinutes(),
        m.noDataMinutes());
  }

  static ReportPeriod period(String period, String from, String to) {
    if (period != null && (from != null || to != null)) {
      throw ApiException.badRequest("period", "give either period or from and to, not both");
    }
    if (period != null) {
      try {
        return ReportPeriod.parse(period);
      } catch (IllegalArgumentException e) {
        throw ApiException.badRequest("period", String.valueOf(e.getMessage()));
      }
    }
    if (from == null || to == null) {
      throw ApiException.badRequest(
          "period", "is required: YYYY-MM, YYYY-Qn or YYYY, or from and to (YYYY-MM-DD)");
    }
    LocalDate first = day("from", from);
    LocalDate last = day("to", to);
    if (last.isBefore(first)) {
      throw ApiException.badRequest("to", "must not be before from");
    }
    if (ChronoUnit.DAYS.between(first, last) >= MAX_DAYS) {
      throw ApiException.badRequest("to", "the range must be at most " + MAX_DAYS + " days");
    }
    return new ReportPeriod(first + "/" + last, first, last);
  }

  private static LocalDate day(String field, String value) {
    try {
      return LocalDate.parse(value);
    } catch (DateTimeParseException e) {
      throw ApiException.badRequest(field, "must be a date YYYY-MM-DD");
    }
  }
}
