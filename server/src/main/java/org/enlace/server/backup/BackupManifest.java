package org.enlace.server.backup;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.List;

/**
 * {@code manifest.json}, the last entry of a backup archive: what the backup is, and the size and
 * SHA-256 of every file in it, so that a damaged archive is refused before anything is changed.
 *
 * @param formatVersion {@link #FORMAT_VERSION}; a newer one is refused by an older server
 * @param mode {@code embedded} (a physical copy of the embedded cluster) or {@code external} (a
 *     pg_dump custom-format dump)
 * @param postgresVersion the server's version, e.g. 17.6
 * @param postgresMajor its major version, e.g. 17
 * @param enlaceVersion the Enlace release that wrote the backup
 * @param schemaVersion the Flyway schema version of the data, "" when none was applied
 * @param createdAt ISO-8601 UTC
 * @param files every regular file in the archive but the manifest
 */
public record BackupManifest(
    int formatVersion,
    String mode,
    String postgresVersion,
    int postgresMajor,
    String enlaceVersion,
    String schemaVersion,
    String createdAt,
    List<Entry> files) {

  public static final int FORMAT_VERSION = 1;
  public static final String NAME = "manifest.json";
  public static final String EMBEDDED = "embedded";
  public static final String EXTERNAL = "external";

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  public BackupManifest {
    files = List.copyOf(files);
  }

  /** One file of the archive. */
  public record Entry(String name, long size, String sha256) {}

  byte[] toJson() {
    try {
      return JSON.writeValueAsBytes(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("manifest not serialisable", e);
    }
  }

  static BackupManifest fromJson(byte[] json) {
    try {
      BackupManifest m = JSON.readValue(json, BackupManifest.class);
      if (m == null || m.mode() == null || m.files() == null) {
        throw new BackupException("manifest.json is incomplete");
      }
      return m;
    } catch (java.io.IOException e) {
      throw new BackupException("manifest.json is not valid: " + e.getMessage(), e);
    }
  }
}
