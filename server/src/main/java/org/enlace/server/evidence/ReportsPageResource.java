package org.enlace.server.evidence;

import static java.util.Objects.requireNonNull;
import static org.enlace.server.evidence.EvidenceHtml.esc;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.Optional;
import java.util.function.Supplier;
import org.enlace.server.auth.Role;
import org.enlace.server.web.SecurityHeadersFilter;

/**
 * {@code GET /reports[?lang=en]}: the page where a person of the administration picks a period and,
 * if needed, an establishment or an ISP link, and downloads the evidence report as PDF or CSV.
 * Plain HTML and a form that GETs {@code /api/v1/evidence}, so the browser's HTTP Basic sign-in
 * applies; a small script (reports.js beside this class) fills the establishment and link lists
 * from the inventory API and switches between month, quarter and year. Without the script a month
 * report of the whole municipality can still be downloaded.
 */
@Path("/reports")
public final class ReportsPageResource {
  static final int MONTHS = 36;
  static final int QUARTERS = 12;
  static final int YEARS = 6;

  private final ZoneId zone;
  private final Clock clock;
  private final String script;
  private final Supplier<Optional<LocalDate>> newestDayWithData;

  public ReportsPageResource(ZoneId zone, Clock clock) {
    this(zone, clock, Optional::empty);
  }

  /** newestDayWithData: the newest local day on which anything reported, if any. */
  public ReportsPageResource(
      ZoneId zone, Clock clock, Supplier<Optional<LocalDate>> newestDayWithData) {
    this.zone = requireNonNull(zone, "zone is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.newestDayWithData = requireNonNull(newestDayWithData, "newestDayWithData is null");
    this.script = resource("reports.js");
  }

  /**
   * The month the page proposes: the current one, to date, unless nothing reported in it yet and an
   * earlier month has data. Never a past month merely because it is complete: on a new installation
   * that month has no agents, and its report would read as a collapse.
   */
  static YearMonth proposedMonth(YearMonth now, Optional<LocalDate> newestDayWithData) {
    return newestDayWithData
        .map(YearMonth::from)
        .filter(m -> m.isBefore(now) && !m.isBefore(now.minusMonths(MONTHS - 1)))
        .orElse(now);
  }

  @GET
  @RolesAllowed({Role.IT_NAME, Role.ADMINISTRATION_NAME})
  public Response page(@QueryParam("lang") String lang) {
    EvidenceText.Lang l;
    try {
      l = EvidenceText.Lang.parse(lang);
    } catch (IllegalArgumentException e) {
      l = EvidenceText.Lang.ES;
    }
    String html = html(EvidenceText.of(l));
    return Response.ok(html.getBytes(StandardCharsets.UTF_8), "text/html; charset=UTF-8")
        .header(SecurityHeadersFilter.CSP, SecurityHeadersFilter.policyFor(html))
        .header("Cache-Control", "private, no-cache")
        .header("X-Content-Type-Options", "nosniff")
        .header("Content-Language", l == EvidenceText.Lang.ES ? "es-CO" : "en")
        .build();
  }

  String html(EvidenceText tx) {
    YearMonth now = YearMonth.now(clock.withZone(zone));
    YearMonth proposed = proposedMonth(now, newestDayWithData.get());
    StringBuilder b = new StringBuilder(16 * 1024);
    String other = tx.t("page.otherlang.code");
    b.append("<!DOCTYPE html>\n<html lang=\"")
        .append(tx.t("lang"))
        .append("\">\n<head>\n")
        .append("<meta charset=\"UTF-8\"/>\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n")
        .append("<title>")
        .append(esc(tx.t("page.title")))
        .append("</title>\n")
        .append("<style>\n")
        .append(CSS)
        .append("</style>\n</head>\n<body>\n")
        .append("<header><p class=\"lang\"><a id=\"other-lang\" href=\"reports?lang=")
        .append(other)
        .append("\" hreflang=\"")
        .append(other)
        .append("\" lang=\"")
        .append(other)
        .append("\">")
        .append(esc(tx.t("page.otherlang")))
        .append("</a></p>\n")
        .append("<h1>")
        .append(esc(tx.t("page.heading")))
        .append("</h1>\n<p>")
        .append(esc(tx.t("page.intro")))
        .append("</p></header>\n<main>\n")
        .append("<form id=\"evidence-form\" method=\"get\" action=\"api/v1/evidence\"")
        .append(" data-loading=\"")
        .append(esc(tx.t("page.loading")))
        .append("\" data-loaderror=\"")
        .append(esc(tx.t("page.loaderror")))
        .append("\" data-linkoption=\"")
        .append(esc(tx.t("page.link.option")))
        .append("\">\n");

    // Period: month by default; quarter and year when the script runs.
    b.append("<fieldset>\n<legend>")
        .append(esc(tx.t("page.period")))
        .append("</legend>\n")
        .append("<div class=\"field\" id=\"period-kind-field\" hidden=\"hidden\">")
        .append("<label for=\"period-kind\">")
        .append(esc(tx.t("page.periodkind")))
        .append("</label>\n<select id=\"period-kind\">")
        .append("<option value=\"month\" selected=\"selected\">")
        .append(esc(tx.t("page.kind.month")))
        .append("</option>")
        .append("<option value=\"quarter\">")
        .append(esc(tx.t("page.kind.quarter")))
        .append("</option><option value=\"year\">")
        .append(esc(tx.t("page.kind.year")))
        .append("</option></select></div>\n");
    b.append("<div class=\"field\" id=\"period-month-field\"><label for=\"period-month\">")
        .append(esc(tx.t("page.month")))
        .append("</label>\n")
        .append("<select id=\"period-month\" name=\"period\">");
    for (int i = 0; i < MONTHS; i++) {
      YearMonth m = now.minusMonths(i);
      String label = tx.periodName(m.toString()) + (i == 0 ? " " + tx.t("page.month.todate") : "");
      option(b, m.toString(), label, m.equals(proposed));
    }
    b.append("</select></div>\n");
    b.append("<div class=\"field\" id=\"period-quarter-field\" hidden=\"hidden\">")
        .append("<label for=\"period-quarter\">")
        .append(esc(tx.t("page.quarter")))
        .append("</label>\n<select id=\"period-quarter\" name=\"period\" disabled=\"disabled\">");
    YearMonth quarterStart = YearMonth.of(now.getYear(), (now.getMonthValue() - 1) / 3 * 3 + 1);
    for (int i = 0; i < QUARTERS; i++) {
      YearMonth q = quarterStart.minusMonths(3L * i);
      String label = q.getYear() + "-Q" + ((q.getMonthValue() - 1) / 3 + 1);
      option(
          b,
          label,
          tx.periodName(label)
              + " ("
              + tx.monthName(q.getMonthValue())
              + " – "
              + tx.monthName(q.plusMonths(2).getMonthValue())
              + ")",
          !proposed.isBefore(q) && proposed.isBefore(q.plusMonths(3)));
    }
    b.append("</select></div>\n");
    b.append("<div class=\"field\" id=\"period-year-field\" hidden=\"hidden\">")
        .append("<label for=\"period-year\">")
        .append(esc(tx.t("page.year")))
        .append("</label>\n<select id=\"period-year\" name=\"period\" disabled=\"disabled\">");
    for (int i = 0; i < YEARS; i++) {
      String y = Integer.toString(now.getYear() - i);
      option(b, y, y, now.getYear() - i == proposed.getYear());
    }
    b.append("</select></div>\n</fieldset>\n");

    // Scope: the whole municipality, an establishment, or one of its links.
    b.append("<fieldset>\n<legend>")
        .append(esc(tx.t("page.scope")))
        .append("</legend>\n")
        .append("<div class=\"field\"><label for=\"establishment\">")
        .append(esc(tx.t("page.establishment")))
        .append("</label>\n")
        .append("<select id=\"establishment\" name=\"establishment\">")
        .append("<option value=\"\" selected=\"selected\">")
        .append(esc(tx.t("page.establishment.all")))
        .append("</option></select></div>\n")
        .append("<div class=\"field\" id=\"link-field\" hidden=\"hidden\">")
        .append("<label for=\"link\">")
        .append(esc(tx.t("page.link")))
        .append("</label>\n")
        .append("<select id=\"link\" name=\"link\"><option value=\"\" selected=\"selected\">")
        .append(esc(tx.t("page.link.all")))
        .append("</option></select></div>\n");
    ispField(b, ReaderText.of(tx.lang()));
    b.append("<p id=\"status\" class=\"status\" role=\"status\" aria-live=\"polite\"></p>\n")
        .append("</fieldset>\n");

    // Options and the buttons.
    b.append("<fieldset>\n<legend>")
        .append(esc(tx.t("page.options")))
        .append("</legend>\n")
        .append("<div class=\"field\"><label for=\"lang\">")
        .append(esc(tx.t("page.reportlang")))
        .append("</label>\n<select id=\"lang\" name=\"lang\">");
    option(b, "es", "Español", tx.lang() == EvidenceText.Lang.ES);
    option(b, "en", "English", tx.lang() == EvidenceText.Lang.EN);
    b.append("</select></div>\n<div class=\"field\"><label for=\"paper\">")
        .append(esc(tx.t("page.paper")))
        .append("</label>\n<select id=\"paper\" name=\"paper\">");
    option(b, "a4", tx.t("page.paper.a4"), true);
    option(b, "letter", tx.t("page.paper.letter"), false);
    b.append("</select></div>\n</fieldset>\n");
    signatureFields(b, tx);
    b.append("<div class=\"actions\">\n")
        .append("<button type=\"submit\" id=\"download-pdf\" name=\"format\" value=\"pdf\"")
        .append(" class=\"primary\">")
        .append(esc(tx.t("page.download.pdf")))
        .append("</button>\n")
        .append("<button type=\"submit\" id=\"download-csv\" name=\"format\" value=\"csv\">")
        .append(esc(tx.t("page.download.csv")))
        .append("</button>\n")
        .append("<button type=\"submit\" id=\"download-zip\" name=\"format\" value=\"zip\">")
        .append(esc(ReaderText.of(tx.lang()).t("page.download.zip")))
        .append("</button>\n")
        .append("<button type=\"submit\" id=\"view-html\" name=\"format\" value=\"html\"")
        .append(" formtarget=\"_blank\">")
        .append(esc(tx.t("page.view.html")))
        .append("</button>\n</div>\n</form>\n<p class=\"help\">")
        .append(esc(tx.t("page.help")))
        .append("</p>\n<p class=\"help\">")
        .append(esc(ReaderText.of(tx.lang()).t("page.readers.help")))
        .append("</p>\n</main>\n<script>\n")
        .append(script)
        .append("</script>\n</body>\n</html>\n");
    return b.toString();
  }

  /**
   * The ISP whose report to make instead of the municipality's: filled by the script from
   * /api/v1/evidence/isps; hidden until then, and without the script the municipality's report
   * stays the one downloaded.
   */
  private static void ispField(StringBuilder b, ReaderText rt) {
    b.append("<div class=\"field\" id=\"isp-field\" hidden=\"hidden\">")
        .append("<label for=\"isp\">")
        .append(esc(rt.t("page.isp")))
        .append("</label>\n<select id=\"isp\" name=\"isp\" data-option=\"")
        .append(esc(rt.t("page.isp.option")))
        .append("\"><option value=\"\" selected=\"selected\">")
        .append(esc(rt.t("page.isp.none")))
        .append("</option></select></div>\n");
  }

  /**
   * Optional names and roles for the PDF's signature block; left blank, they are signed by hand.
   */
  private static void signatureFields(StringBuilder b, EvidenceText tx) {
    b.append("<fieldset>\n<legend>")
        .append(esc(tx.t("page.sign")))
        .append("</legend>\n<p class=\"hint\">")
        .append(esc(tx.t("page.sign.hint")))
        .append("</p>\n");
    for (String[] f :
        new String[][] {
          {"preparedBy", "name"},
          {"preparedRole", "organization-title"},
          {"reviewedBy", "off"},
          {"reviewedRole", "off"}
        }) {
      b.append("<div class=\"field\"><label for=\"")
          .append(f[0])
          .append("\">")
          .append(esc(tx.t("page.sign." + f[0])))
          .append("</label>\n<input type=\"text\" id=\"")
          .append(f[0])
          .append("\" name=\"")
          .append(f[0])
          .append("\" maxlength=\"")
          .append(Signatures.MAX_LENGTH)
          .append("\" autocomplete=\"")
          .append(f[1])
          .append("\"/></div>\n");
    }
    b.append("</fieldset>\n");
  }

  private static void option(StringBuilder b, String value, String label, boolean selected) {
    b.append("<option value=\"")
        .append(esc(value))
        .append('"')
        .append(selected ? " selected=\"selected\"" : "")
        .append('>')
        .append(esc(label))
        .append("</option>");
  }

  private static String resource(String name) {
    try (InputStream in = ReportsPageResource.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static final String CSS =
      """
      body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
        font-size: 1.05rem; line-height: 1.5; color: #111; background: #f6f7f9; margin: 0; }
      header, main { max-width: 44rem; margin: 0 auto; padding: 0 1rem; }
      header { padding-top: 1rem; }
      h1 { font-size: 1.6rem; margin: 0.3rem 0 0.5rem; color: #1d4f91; }
      .lang { text-align: right; margin: 0; }
      a { color: #1d4f91; }
      form { background: #fff; border: 1px solid #d0d5dd; border-radius: 8px; padding: 1rem; }
      fieldset { border: 0; border-top: 1px solid #e4e7ec; margin: 0 0 0.75rem; padding: 0.5rem 0; }
      fieldset:first-of-type { border-top: 0; }
      legend { font-weight: 700; font-size: 1.1rem; padding: 0; }
      .field { margin: 0.5rem 0; }
      .field[hidden] { display: none; }
      label { display: block; font-weight: 600; margin-bottom: 0.2rem; }
      select, input { font: inherit; min-height: 2.6rem; width: 100%; max-width: 28rem;
        padding: 0.3rem; border: 1px solid #667085; border-radius: 6px; background: #fff;
        box-sizing: border-box; }
      .hint { color: #444; font-size: 0.95rem; margin: 0.2rem 0; }
      .actions { display: flex; flex-wrap: wrap; gap: 0.6rem; margin-top: 0.5rem; }
      button { font: inherit; font-weight: 600; min-height: 2.8rem; padding: 0.4rem 1.1rem;
        border-radius: 6px; border: 2px solid #1d4f91; background: #fff; color: #1d4f91;
        cursor: pointer; }
      button.primary { background: #1d4f91; color: #fff; }
      button:hover { filter: brightness(0.95); }
      select:focus, input:focus, button:focus, a:focus { outline: 3px solid #f5a623; outline-offset: 2px; }
      .status { min-height: 1.5rem; color: #444; margin: 0.3rem 0 0; }
      .status.error { color: #a30000; }
      .help { color: #333; font-size: 0.95rem; }
      """;
}
