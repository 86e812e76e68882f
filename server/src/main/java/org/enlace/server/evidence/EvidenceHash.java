package org.enlace.server.evidence;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.enlace.server.evidence.EvidenceReport.Meta;
import org.jspecify.annotations.Nullable;

/**
 * The SHA-256 that an evidence report carries in {@code meta.dataSha256}: lower-case hex of the
 * report's canonical JSON with {@code meta.generatedAt} and {@code meta.dataSha256} set to null.
 *
 * <p>Canonical JSON: the application's ObjectMapper (Jdk8Module: an empty Optional is null;
 * JavaTimeModule: ISO-8601 instants and dates), object keys sorted alphabetically, every property
 * written (nulls too), no whitespace, UTF-8. {@code format=json} serves exactly these bytes with
 * the two fields filled in, so anyone can check the hash with a text editor or two lines of shell
 * (see docs/evidence.md).
 */
public final class EvidenceHash {
  private EvidenceHash() {}

  /** The canonical writer derived from the application's mapper (the mapper is not changed). */
  @SuppressWarnings("deprecation") // configure(MapperFeature) on a copy: the 2.x way to do this
  public static ObjectWriter canonicalWriter(ObjectMapper mapper) {
    ObjectMapper copy = mapper.copy();
    copy.configure(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY, true);
    copy.configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);
    copy.configure(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS, false);
    copy.configure(SerializationFeature.INDENT_OUTPUT, false);
    copy.configure(
        com.fasterxml.jackson.core.JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN, true);
    copy.setDefaultPropertyInclusion(
        JsonInclude.Value.construct(JsonInclude.Include.ALWAYS, JsonInclude.Include.ALWAYS));
    return copy.writer();
  }

  /** The report as canonical JSON bytes, exactly as {@code format=json} serves it. */
  public static byte[] canonicalJson(EvidenceReport report, ObjectMapper mapper) {
    try {
      return canonicalWriter(mapper).writeValueAsBytes(report);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("evidence report not serialisable", e);
    }
  }

  /** SHA-256 hex of the report's data: the same whatever its generatedAt or present hash. */
  public static String of(EvidenceReport report, ObjectMapper mapper) {
    return sha256(canonicalJson(blanked(report), mapper));
  }

  /** Lower-case hex SHA-256, as every report's {@code meta.dataSha256} carries it. */
  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** A copy of the report with {@code meta.dataSha256} filled in. */
  public static EvidenceReport withHash(EvidenceReport report, ObjectMapper mapper) {
    return withMeta(report, report.meta().generatedAt(), of(report, mapper));
  }

  /** True when the report's {@code meta.dataSha256} matches its data. */
  public static boolean verify(EvidenceReport report, ObjectMapper mapper) {
    return of(report, mapper).equals(report.meta().dataSha256());
  }

  static EvidenceReport blanked(EvidenceReport report) {
    return withMeta(report, null, null);
  }

  private static EvidenceReport withMeta(
      EvidenceReport r, java.time.@Nullable Instant generatedAt, @Nullable String sha) {
    Meta m = r.meta();
    Meta meta =
        new Meta(
            m.municipality(),
            m.period(),
            m.firstDay(),
            m.lastDay(),
            m.scope(),
            m.scopeId(),
            m.timeZone(),
            generatedAt,
            sha,
            m.sources());
    return new EvidenceReport(
        meta, r.method(), r.indicators(), r.establishments(), r.coverage(), r.trend());
  }
}
