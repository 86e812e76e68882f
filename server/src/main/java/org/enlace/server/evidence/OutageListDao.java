package org.enlace.server.evidence;

import java.time.Instant;
import java.util.List;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.statement.SqlQuery;

/** The outages the rollups found, for the outages page: newest first, with the place's name. */
public interface OutageListDao {
  record OutageRow(
      String establishmentCode,
      String establishmentName,
      Instant startedAt,
      Instant endedAt,
      int durationMinutes,
      int openMinutes,
      int computers,
      String cause) {}

  @SqlQuery(
      """
      SELECT e.code AS establishment_code, e.name AS establishment_name, o.started_at,
      o.ended_at, o.duration_minutes, o.open_minutes, o.computers, o.cause
      FROM outages o JOIN establishments e ON e.id = o.establishment_id
      WHERE o.started_at < :to AND o.ended_at > :from
      ORDER BY o.started_at DESC, e.code, o.id LIMIT :limit OFFSET :offset
      """)
  @RegisterConstructorMapper(OutageRow.class)
  List<OutageRow> between(Instant from, Instant to, int limit, long offset);

  @SqlQuery("SELECT count(*) FROM outages WHERE started_at < :to AND ended_at > :from")
  long count(Instant from, Instant to);
}
