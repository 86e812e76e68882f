package org.enlace.server.backup;

import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;

/**
 * What backups ask PostgreSQL. The low-level backup functions must run on one session, so this DAO
 * is attached to one handle, not used on demand.
 */
@RegisterConstructorMapper(BackupDao.Stop.class)
public interface BackupDao {
  /** What {@code pg_backup_stop} returns. */
  record Stop(String lsn, String labelfile, String spcmapfile) {}

  @SqlQuery("SELECT current_setting('server_version_num')::int")
  int serverVersionNum();

  @SqlQuery("SELECT split_part(current_setting('server_version'), ' ', 1)")
  String serverVersion();

  @SqlQuery("SELECT to_regclass('flyway_schema_history') IS NOT NULL")
  boolean hasSchemaHistory();

  @SqlQuery(
      "SELECT version FROM flyway_schema_history WHERE success AND version IS NOT NULL"
          + " ORDER BY installed_rank DESC LIMIT 1")
  Optional<String> schemaVersion();

  @SqlQuery("SELECT setting::bigint FROM pg_settings WHERE name = 'wal_segment_size'")
  long walSegmentSize();

  @SqlQuery("SELECT count(*) FROM pg_tablespace WHERE spcname NOT IN ('pg_default', 'pg_global')")
  long userTablespaces();

  /** Starts a non-exclusive backup with an immediate checkpoint; the start LSN. */
  @SqlQuery("SELECT pg_backup_start(:label, true)::text")
  String backupStart(@Bind("label") String label);

  /** Ends it without waiting for WAL archiving (there is none); switches to a new WAL segment. */
  @SqlQuery(
      "SELECT lsn::text AS lsn, coalesce(labelfile, '') AS labelfile,"
          + " coalesce(spcmapfile, '') AS spcmapfile FROM pg_backup_stop(false)")
  Stop backupStop();

  /** Sessions of a running Enlace server (or command) on this database, other than this one. */
  @SqlQuery(
      "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
          + " AND application_name = :app AND pid <> pg_backend_pid()")
  long otherSessions(@Bind("app") String applicationName);
}
