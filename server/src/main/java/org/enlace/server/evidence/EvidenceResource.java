package org.enlace.server.evidence;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.auth.Auth;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import org.enlace.server.auth.EnlaceUser;
import org.enlace.server.auth.Role;
import org.enlace.server.web.ApiException;
import org.enlace.server.web.SecurityHeadersFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /api/v1/evidence?period=2026-03|2026-Q1|2026[&establishment=CODE|&link=ID]
 * &format=html|pdf|csv|json[&lang=es|en][&paper=a4|letter][&preparedBy=&preparedRole=
 * &reviewedBy=&reviewedRole=]}: an evidence report for a month, a quarter or a year, for the whole
 * municipality, one establishment or one ISP link. The names and roles only fill the signature
 * block of the HTML and PDF; they are not data and leave the hash alone.
 */
@Path("/api/v1/evidence")
public final class EvidenceResource {
  private static final Logger LOG = LoggerFactory.getLogger(EvidenceResource.class);

  /** The formats, their media types and whether the browser should save them as a file. */
  public enum Format {
    HTML("text/html; charset=UTF-8", "html", false),
    PDF("application/pdf", "pdf", true),
    CSV("text/csv; charset=UTF-8", "csv", true),
    JSON("application/json; charset=UTF-8", "json", false);

    private final String mediaType;
    private final String extension;
    private final boolean attachment;

    Format(String mediaType, String extension, boolean attachment) {
      this.mediaType = mediaType;
      this.extension = extension;
      this.attachment = attachment;
    }

    public String mediaType() {
      return mediaType;
    }

    public String extension() {
      return extension;
    }

    public boolean attachment() {
      return attachment;
    }

    /** html (the default when absent), pdf, csv or json. */
    public static Format parse(String s) {
      if (s == null || s.isBlank()) {
        return HTML;
      }
      return switch (s.trim().toLowerCase(Locale.ROOT)) {
        case "html" -> HTML;
        case "pdf" -> PDF;
        case "csv" -> CSV;
        case "json" -> JSON;
        default -> throw new IllegalArgumentException("must be html, pdf, csv or json");
      };
    }
  }

  private final Function<EvidenceQuery, EvidenceReport> reports;
  private final ObjectMapper mapper;

  public EvidenceResource(EvidenceService service, ObjectMapper mapper) {
    this(requireNonNull(service, "service is null")::report, mapper);
  }

  /** With any source of reports (tests). */
  public EvidenceResource(Function<EvidenceQuery, EvidenceReport> reports, ObjectMapper mapper) {
    this.reports = requireNonNull(reports, "reports is null");
    this.mapper = requireNonNull(mapper, "mapper is null");
  }

  @GET
  @RolesAllowed({Role.IT_NAME, Role.ADMINISTRATION_NAME})
  public Response get(
      @Auth EnlaceUser user,
      @QueryParam("period") String period,
      @QueryParam("establishment") String establishment,
      @QueryParam("link") String link,
      @QueryParam("format") String format,
      @QueryParam("lang") String lang,
      @QueryParam("paper") String paper,
      @QueryParam("preparedBy") String preparedBy,
      @QueryParam("preparedRole") String preparedRole,
      @QueryParam("reviewedBy") String reviewedBy,
      @QueryParam("reviewedRole") String reviewedRole) {
    EvidenceQuery query = query(period, establishment, link);
    Signatures signatures =
        new Signatures(
            parse("preparedBy", preparedBy, Signatures::clean),
            parse("preparedRole", preparedRole, Signatures::clean),
            parse("reviewedBy", reviewedBy, Signatures::clean),
            parse("reviewedRole", reviewedRole, Signatures::clean));
    Format f = parse("format", format, Format::parse);
    EvidenceText.Lang l = parse("lang", lang, EvidenceText.Lang::parse);
    Paper p = parse("paper", paper, Paper::parse);

    long started = System.nanoTime();
    EvidenceReport report = reports.apply(query);
    String sha = report.meta().dataSha256();
    if (sha == null || EvidenceHtml.blank(sha)) {
      report = EvidenceHash.withHash(report, mapper);
    }
    byte[] body =
        switch (f) {
          case HTML ->
              EvidenceHtml.render(report, l, p, signatures).getBytes(StandardCharsets.UTF_8);
          case PDF -> EvidencePdf.render(report, l, p, signatures);
          case CSV -> EvidenceCsv.render(report, l);
          case JSON -> EvidenceHash.canonicalJson(report, mapper);
        };
    LOG.info(
        "event=evidence_report period={} scope={} format={} lang={} bytes={} ms={} by={}",
        query.period().label(),
        scopeLabel(query),
        f.extension(),
        l.code(),
        body.length,
        (System.nanoTime() - started) / 1_000_000,
        user == null ? "" : user.username());
    String filename = filename(query, f);
    Response.ResponseBuilder ok = Response.ok(body, f.mediaType());
    if (f == Format.HTML) {
      // The report's inline style, allowed by its hash; nothing else may load or run.
      ok.header(
          SecurityHeadersFilter.CSP,
          SecurityHeadersFilter.policyFor(new String(body, StandardCharsets.UTF_8)));
    }
    return ok.header(
            "Content-Disposition",
            (f.attachment() ? "attachment" : "inline") + "; filename=\"" + filename + "\"")
        .header("Cache-Control", "private, no-store")
        .header("X-Content-Type-Options", "nosniff")
        .header("X-Enlace-Data-Sha256", report.meta().dataSha256())
        .build();
  }

  /** The query from the parameters, or a 400 that names the parameter at fault. */
  static EvidenceQuery query(String period, String establishment, String link) {
    ReportPeriod reportPeriod;
    if (period == null || period.isBlank()) {
      throw ApiException.badRequest(
          "period", "required: YYYY-MM (a month), YYYY-Qn (a quarter) or YYYY (a year)");
    }
    try {
      reportPeriod = ReportPeriod.parse(period.trim());
    } catch (IllegalArgumentException | DateTimeException e) {
      throw ApiException.badRequest(
          "period",
          "'" + period + "' is not YYYY-MM (a month), YYYY-Qn (a quarter) or YYYY (a year)");
    }
    Optional<String> code =
        Optional.ofNullable(establishment).map(String::trim).filter(s -> !s.isEmpty());
    Optional<Long> linkId =
        Optional.ofNullable(link)
            .map(String::trim)
            .filter(s -> !s.isEmpty())
            .map(
                s -> {
                  try {
                    return Long.parseLong(s);
                  } catch (NumberFormatException e) {
                    throw ApiException.badRequest(
                        "link", "'" + s + "' is not a link id (a number)");
                  }
                });
    if (code.isPresent() && linkId.isPresent()) {
      throw ApiException.badRequest("link", "give establishment or link, not both");
    }
    return new EvidenceQuery(reportPeriod, code, linkId);
  }

  private static <T> T parse(String name, String value, Function<String, T> parser) {
    try {
      return parser.apply(value);
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(name, String.valueOf(e.getMessage()));
    }
  }

  private static String scopeLabel(EvidenceQuery q) {
    return q.establishment()
        .map(c -> "establishment:" + c)
        .or(() -> q.link().map(id -> "link:" + id))
        .orElse("municipality");
  }

  /** enlace-evidencia-2026-03.pdf, enlace-evidencia-2026-Q1-alcaldia.csv, ...-enlace-7.pdf. */
  static String filename(EvidenceQuery q, Format f) {
    String suffix =
        q.establishment()
            .map(c -> "-" + c)
            .or(() -> q.link().map(id -> "-enlace-" + id))
            .orElse("");
    return ("enlace-evidencia-" + q.period().label() + suffix).replaceAll("[^A-Za-z0-9._-]", "_")
        + "."
        + f.extension();
  }
}
