package org.enlace.server.evidence;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.auth.Auth;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.enlace.server.auth.EnlaceUser;
import org.enlace.server.auth.Role;
import org.enlace.server.web.ApiException;
import org.enlace.server.web.SecurityHeadersFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /api/v1/evidence?period=2026-03|2026-Q1|2026[&establishment=CODE|&link=ID
 * |&scope=isp&isp=NAME]&format=html|pdf|csv|json|zip[&lang=es|en][&paper=a4|letter]}: an evidence
 * report for a month, a quarter or a year, for the whole municipality, one establishment, one ISP
 * link or every link of one ISP. A link or an ISP gets the ISP's report ({@link IspReport}: no plan
 * figures); format=zip gives the data as tidy tables ({@link TablesZip}). {@code GET
 * /api/v1/evidence/isps}: the ISPs of the inventory. The names and roles of {@code preparedBy,
 * preparedRole, reviewedBy, reviewedRole} only fill the signature block of the HTML and PDF; they
 * are not data and leave the hash alone.
 */
@Path("/api/v1/evidence")
public final class EvidenceResource {
  private static final Logger LOG = LoggerFactory.getLogger(EvidenceResource.class);

  /** The formats, their media types and whether the browser should save them as a file. */
  public enum Format {
    HTML("text/html; charset=UTF-8", "html", false),
    PDF("application/pdf", "pdf", true),
    CSV("text/csv; charset=UTF-8", "csv", true),
    JSON("application/json; charset=UTF-8", "json", false),
    ZIP("application/zip", "zip", true);

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

    /** html (the default when absent), pdf, csv, json or zip. */
    public static Format parse(String s) {
      if (s == null || s.isBlank()) {
        return HTML;
      }
      return switch (s.trim().toLowerCase(Locale.ROOT)) {
        case "html" -> HTML;
        case "pdf" -> PDF;
        case "csv" -> CSV;
        case "json" -> JSON;
        case "zip" -> ZIP;
        default -> throw new IllegalArgumentException("must be html, pdf, csv, json or zip");
      };
    }
  }

  private final Function<EvidenceQuery, EvidenceReport> reports;
  private final ObjectMapper mapper;
  private final Optional<EvidenceTables> tables;

  public EvidenceResource(EvidenceService service, ObjectMapper mapper) {
    this(requireNonNull(service, "service is null")::report, mapper);
  }

  /** With the data tables and the ISP list, which read the database beyond the reports. */
  public EvidenceResource(EvidenceService service, EvidenceTables tables, ObjectMapper mapper) {
    this.reports = requireNonNull(service, "service is null")::report;
    this.mapper = requireNonNull(mapper, "mapper is null");
    this.tables = Optional.of(requireNonNull(tables, "tables is null"));
  }

  /** With any source of reports (tests). */
  public EvidenceResource(Function<EvidenceQuery, EvidenceReport> reports, ObjectMapper mapper) {
    this.reports = requireNonNull(reports, "reports is null");
    this.mapper = requireNonNull(mapper, "mapper is null");
    this.tables = Optional.empty();
  }

  /** The ISPs the inventory names, with how many links and establishments each serves. */
  @GET
  @Path("/isps")
  @Produces(MediaType.APPLICATION_JSON)
  @RolesAllowed({Role.IT_NAME, Role.ADMINISTRATION_NAME})
  public List<ReaderDao.Isp> isps() {
    return tables.map(EvidenceTables::isps).orElse(List.of());
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
      @QueryParam("scope") String scope,
      @QueryParam("isp") String isp,
      @QueryParam("preparedBy") String preparedBy,
      @QueryParam("preparedRole") String preparedRole,
      @QueryParam("reviewedBy") String reviewedBy,
      @QueryParam("reviewedRole") String reviewedRole) {
    EvidenceQuery query = query(period, establishment, link, scope, isp);
    Signatures signatures =
        new Signatures(
            parse("preparedBy", preparedBy, Signatures::clean),
            parse("preparedRole", preparedRole, Signatures::clean),
            parse("reviewedBy", reviewedBy, Signatures::clean),
            parse("reviewedRole", reviewedRole, Signatures::clean));
    Format f = parse("format", format, Format::parse);
    EvidenceText.Lang l = parse("lang", lang, EvidenceText.Lang::parse);
    Paper p = parse("paper", paper, Paper::parse);
    if (f == Format.ZIP && tables.isEmpty()) {
      throw ApiException.badRequest("format", "zip is not available here");
    }

    long started = System.nanoTime();
    EvidenceReport report = reports.apply(query);
    String sha = report.meta().dataSha256();
    if (sha == null || EvidenceHtml.blank(sha)) {
      report = EvidenceHash.withHash(report, mapper);
    }
    EvidenceReport full = report;
    Optional<IspReport> ispReport =
        query.forIsp()
            ? Optional.of(
                IspReports.withHash(
                    IspReports.from(report, tables.map(t -> t.linksAt(full)).orElse(Map.of())),
                    mapper))
            : Optional.empty();
    String dataSha =
        java.util.Objects.requireNonNullElse(
            ispReport.map(r -> r.meta().dataSha256()).orElse(report.meta().dataSha256()), "");
    if (f == Format.ZIP) {
      return zip(user, query, report, dataSha, l, started);
    }
    byte[] body =
        ispReport.isPresent()
            ? ispBody(ispReport.get(), f, l, p)
            : switch (f) {
              case HTML ->
                  EvidenceHtml.render(report, l, p, signatures).getBytes(StandardCharsets.UTF_8);
              case PDF -> EvidencePdf.render(report, l, p, signatures);
              case CSV -> EvidenceCsv.render(report, l);
              case JSON, ZIP -> EvidenceHash.canonicalJson(report, mapper);
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
        .header("X-Enlace-Data-Sha256", dataSha)
        .build();
  }

  /** The ISP's report: a link's or an ISP's, in the same formats as the municipality's. */
  private byte[] ispBody(IspReport r, Format f, EvidenceText.Lang l, Paper p) {
    return switch (f) {
      case HTML -> IspReportHtml.render(r, l, p).getBytes(StandardCharsets.UTF_8);
      case PDF -> IspReportHtml.pdf(r, l, p);
      case CSV -> IspReportCsv.render(r, l);
      case JSON, ZIP -> IspReports.canonicalJson(r, mapper);
    };
  }

  /** The tidy tables, streamed: a year of computer-days is not held in memory. */
  private Response zip(
      EnlaceUser user,
      EvidenceQuery query,
      EvidenceReport report,
      String dataSha,
      EvidenceText.Lang l,
      long started) {
    EvidenceTables t = tables.orElseThrow();
    List<EvidenceTables.Table> data = t.tables(report, query.period());
    List<String> readme = readme(report, dataSha, l);
    java.time.ZoneId zone = EvidenceHtml.zone(report.meta());
    StreamingOutput body =
        out -> {
          CountingOutputStream counted = new CountingOutputStream(out);
          TablesZip.write(data, readme, l, zone, counted);
          LOG.info(
              "event=evidence_report period={} scope={} format=zip lang={} bytes={} ms={} by={}",
              query.period().label(),
              scopeLabel(query),
              l.code(),
              counted.count,
              (System.nanoTime() - started) / 1_000_000,
              user == null ? "" : user.username());
        };
    return Response.ok(body, Format.ZIP.mediaType())
        .header(
            "Content-Disposition", "attachment; filename=\"" + filename(query, Format.ZIP) + "\"")
        .header("Cache-Control", "private, no-store")
        .header("X-Content-Type-Options", "nosniff")
        .header("X-Enlace-Data-Sha256", dataSha)
        .build();
  }

  /** The read-me's first lines: what the tables cover, and the hash of the JSON report. */
  private static List<String> readme(EvidenceReport r, String dataSha, EvidenceText.Lang l) {
    ReaderText rt = ReaderText.of(l);
    EvidenceText tx = rt.tx();
    EvidenceReport.Meta m = r.meta();
    String scope =
        switch (m.scope()) {
          case "establishment" -> tx.t("scope.establishment", m.scopeId());
          case "link" -> tx.t("scope.link", m.scopeId());
          case "isp" -> rt.t("isp.scope.isp", m.scopeId());
          default -> tx.t("scope.municipality");
        };
    return List.of(
        rt.t("zip.readme.title"),
        m.municipality(),
        tx.t("csv.comment.period", m.period(), tx.range(m.firstDay(), m.lastDay())),
        tx.t("csv.comment.scope", scope),
        rt.t("zip.readme.zone", tx.zone(EvidenceHtml.zone(m))),
        rt.t("zip.readme.sha", dataSha));
  }

  /** Counts the bytes written, for the log line. */
  private static final class CountingOutputStream extends java.io.FilterOutputStream {
    long count;

    CountingOutputStream(java.io.OutputStream out) {
      super(out);
    }

    @Override
    public void write(int b) throws java.io.IOException {
      out.write(b);
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws java.io.IOException {
      out.write(b, off, len);
      count += len;
    }
  }

  /**
   * The query with a scope: municipality (the default), establishment, link or isp, each with its
   * parameter; an isp parameter alone means scope=isp.
   */
  static EvidenceQuery query(
      String period, String establishment, String link, String scope, String isp) {
    Optional<String> name = Optional.ofNullable(isp).map(String::strip).filter(s -> !s.isEmpty());
    String sc =
        Optional.ofNullable(scope)
            .map(s -> s.strip().toLowerCase(Locale.ROOT))
            .filter(s -> !s.isEmpty())
            .orElse(name.isPresent() ? "isp" : "");
    boolean hasEstablishment = establishment != null && !establishment.isBlank();
    boolean hasLink = link != null && !link.isBlank();
    switch (sc) {
      case "" -> {}
      case "municipality" -> {
        if (hasEstablishment || hasLink) {
          throw ApiException.badRequest("scope", "municipality takes no establishment or link");
        }
      }
      case "establishment" -> {
        if (!hasEstablishment) {
          throw ApiException.badRequest("establishment", "required with scope=establishment");
        }
      }
      case "link" -> {
        if (!hasLink) {
          throw ApiException.badRequest("link", "required with scope=link");
        }
      }
      case "isp" -> {
        if (name.isEmpty()) {
          throw ApiException.badRequest("isp", "required with scope=isp: the ISP's name");
        }
        if (hasEstablishment || hasLink) {
          throw ApiException.badRequest("isp", "give isp alone, without establishment or link");
        }
      }
      default ->
          throw ApiException.badRequest(
              "scope", "must be municipality, establishment, link or isp");
    }
    if (name.isPresent() && !sc.equals("isp")) {
      throw ApiException.badRequest("isp", "only with scope=isp");
    }
    EvidenceQuery q = query(period, establishment, link);
    return new EvidenceQuery(q.period(), q.establishment(), q.link(), name);
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
        .or(() -> q.isp().map(n -> "isp:" + n.replaceAll("\\s+", "_")))
        .orElse("municipality");
  }

  /**
   * enlace-evidencia-2026-03.pdf, enlace-evidencia-2026-Q1-alcaldia.csv, ...-enlace-7.pdf,
   * ...-proveedor-Claro.pdf.
   */
  static String filename(EvidenceQuery q, Format f) {
    String suffix =
        q.establishment()
            .map(c -> "-" + c)
            .or(() -> q.link().map(id -> "-enlace-" + id))
            .or(() -> q.isp().map(n -> "-proveedor-" + n))
            .orElse("");
    return ("enlace-evidencia-" + q.period().label() + suffix).replaceAll("[^A-Za-z0-9._-]", "_")
        + "."
        + f.extension();
  }
}
