package org.enlace.server.evidence;

import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.QuoteMode;

/**
 * The tidy tables as CSV files in a ZIP, with a data dictionary and a short read-me.
 *
 * <p>Each CSV: UTF-8 with a byte-order mark (Excel reads the accents), a header row of column names
 * and one row per record; no comment lines, so any CSV reader takes it as it is. Spanish: {@code ;}
 * between fields and a decimal comma, as Excel in Colombia expects; English: {@code ,} and a
 * decimal point. Percentages and measured values with 2 decimals, amounts as stored; an empty cell
 * is "no data" (never 0). Dates yyyy-MM-dd, times yyyy-MM-dd HH:mm:ss in the report's time zone.
 * Cells a spreadsheet would run as a formula are neutralised as in {@link EvidenceCsv}.
 *
 * <p>Why CSV in a ZIP rather than an XLSX workbook: no new library (java.util.zip and Commons CSV
 * are already here; an XLSX writer is 0.1 to 20 MB more in the server), R, Python and any database
 * load CSV directly, a year of computer-days streams to the client instead of being held in memory,
 * and Excel opens each file with a double click.
 */
public final class TablesZip {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT);

  private final ReaderText rt;
  private final ReaderText other;
  private final EvidenceText tx;
  private final ZoneId zone;
  private final CSVFormat minimal;
  private final CSVFormat quoted;

  private TablesZip(EvidenceText.Lang lang, ZoneId zone) {
    this.rt = ReaderText.of(lang);
    this.other =
        ReaderText.of(lang == EvidenceText.Lang.ES ? EvidenceText.Lang.EN : EvidenceText.Lang.ES);
    this.tx = rt.tx();
    this.zone = zone;
    this.minimal =
        CSVFormat.RFC4180
            .builder()
            .setDelimiter(lang == EvidenceText.Lang.ES ? ';' : ',')
            .setQuoteMode(QuoteMode.MINIMAL)
            .get();
    this.quoted = minimal.builder().setQuoteMode(QuoteMode.ALL).get();
  }

  /** The CSV format the files are written in, for reading them back. */
  public static CSVFormat format(EvidenceText.Lang lang) {
    return CSVFormat.RFC4180.builder().setDelimiter(lang == EvidenceText.Lang.ES ? ';' : ',').get();
  }

  /** The file name of a table in a language (establecimientos_dias.csv, outages.csv...). */
  public static String fileName(String table, EvidenceText.Lang lang) {
    return ReaderText.of(lang).t("table." + table + ".file");
  }

  /**
   * Writes the ZIP. readme: the lines of the read-me (municipality, period, scope, hash), already
   * in the language.
   */
  public static void write(
      List<EvidenceTables.Table> tables,
      List<String> readme,
      EvidenceText.Lang lang,
      ZoneId zone,
      OutputStream out) {
    new TablesZip(lang, zone).zip(tables, readme, out);
  }

  /** One table as a CSV file on its own (BOM, header row, rows), as the ZIP holds it. */
  public static byte[] csv(EvidenceTables.Table table, EvidenceText.Lang lang, ZoneId zone) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(16 * 1024);
    try {
      new TablesZip(lang, zone).table(out, table);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private void zip(List<EvidenceTables.Table> tables, List<String> readme, OutputStream out) {
    try (ZipOutputStream zip = new ZipOutputStream(out, StandardCharsets.UTF_8)) {
      zip.putNextEntry(new ZipEntry(rt.t("zip.readme.file")));
      Writer w = new OutputStreamWriter(zip, StandardCharsets.UTF_8);
      w.write(String.join("\r\n", readme));
      w.write("\r\n\r\n");
      w.write(rt.t("zip.readme.text"));
      w.write("\r\n");
      w.flush();
      zip.closeEntry();
      zip.putNextEntry(new ZipEntry(rt.t("zip.dictionary.file")));
      dictionary(zip, tables);
      zip.closeEntry();
      for (EvidenceTables.Table t : tables) {
        zip.putNextEntry(new ZipEntry(rt.t("table." + t.key() + ".file")));
        table(zip, t);
        zip.closeEntry();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void table(OutputStream zip, EvidenceTables.Table t) throws IOException {
    Writer w = new OutputStreamWriter(zip, StandardCharsets.UTF_8);
    w.write(EvidenceCsv.BOM);
    List<String> header = t.columns().stream().map(c -> rt.t("col." + c)).toList();
    print(w, header);
    try {
      t.rows()
          .each(
              row -> {
                List<String> cells = new ArrayList<>(row.size());
                row.forEach(v -> cells.add(cell(v)));
                try {
                  print(w, cells);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    w.flush();
  }

  /**
   * One row per column of every table: the table and file, the column's name, unit and meaning in
   * the language asked for, then in the other one.
   */
  private void dictionary(OutputStream zip, List<EvidenceTables.Table> tables) throws IOException {
    Writer w = new OutputStreamWriter(zip, StandardCharsets.UTF_8);
    w.write(EvidenceCsv.BOM);
    List<String> header = new ArrayList<>();
    for (ReaderText r : List.of(rt, other)) {
      for (String k : List.of("table", "file", "column", "unit", "meaning")) {
        header.add(r.t("dict." + k));
      }
    }
    print(w, header);
    for (EvidenceTables.Table t : tables) {
      for (String c : t.columns()) {
        List<String> row = new ArrayList<>();
        for (ReaderText r : List.of(rt, other)) {
          row.add(r.t("table." + t.key() + ".title"));
          row.add(r.t("table." + t.key() + ".file"));
          row.add(r.t("col." + c));
          row.add(r.t("col." + c + ".unit"));
          row.add(r.t("col." + c + ".meaning"));
        }
        print(w, row);
      }
    }
    w.flush();
  }

  private void print(Writer w, List<String> cells) throws IOException {
    boolean first = true;
    for (String cell : cells) {
      String safe = EvidenceCsv.neutralised(cell);
      (safe.equals(cell) ? minimal : quoted).print(safe, w, first);
      first = false;
    }
    minimal.println(w);
  }

  /** A value as the language writes it; empty for no data. */
  String cell(Object v) {
    if (v == null) {
      return "";
    } else if (v instanceof Optional<?> o) {
      return o.map(this::cell).orElse("");
    } else if (v instanceof EvidenceTables.Pct p) {
      return p.value().map(x -> tx.plain(x, 2)).orElse("");
    } else if (v instanceof EvidenceTables.Label l) {
      return label(l);
    } else if (v instanceof Boolean b) {
      return tx.t(b ? "csv.yes" : "csv.no");
    } else if (v instanceof Double d) {
      return tx.plain(d, 2);
    } else if (v instanceof BigDecimal d) {
      return decimal(d);
    } else if (v instanceof Instant i) {
      return TIME.format(i.atZone(zone));
    }
    return v.toString(); // whole numbers, dates (yyyy-MM-dd), months (yyyy-MM), text
  }

  private String label(EvidenceTables.Label l) {
    return switch (l.kind()) {
      case "sector" -> tx.sector(l.value());
      case "kind" -> tx.kind(l.value());
      case "cause" -> tx.cause(l.value());
      default -> rt.t(l.kind() + "." + l.value());
    };
  }

  /** A stored decimal, trailing zeros dropped, with the language's separator. */
  private String decimal(BigDecimal v) {
    BigDecimal s = v.setScale(Math.max(v.scale(), 0), RoundingMode.HALF_UP).stripTrailingZeros();
    String plain = s.scale() < 0 ? s.setScale(0).toPlainString() : s.toPlainString();
    return tx.lang() == EvidenceText.Lang.ES ? plain.replace('.', ',') : plain;
  }
}
