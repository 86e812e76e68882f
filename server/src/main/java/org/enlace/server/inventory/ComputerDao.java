package org.enlace.server.inventory;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.StatementContext;
import org.jdbi.v3.sqlobject.config.RegisterRowMapper;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.GetGeneratedKeys;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;
import org.jspecify.annotations.Nullable;

@RegisterRowMapper(ComputerDao.Mapper.class)
public interface ComputerDao {
  /** The facts an agent reports about its computer at enrollment. */
  record Facts(
      String machineId,
      boolean machineIdTrusted,
      String hostname,
      String os,
      String osVersion,
      Integer cpuCount,
      Long ramMb,
      String agentVersion,
      String role) {}

  // The lifecycle is computed in SQL, not in the mapper, so that list can filter on it and still
  // page by id: live when last seen (or enrolled) under 21 days ago, at_risk under 28.
  @SqlQuery(
      """
        SELECT c.id, e.code, c.hostname, c.machine_id, c.machine_id_trusted, c.os, c.os_version,
               c.cpu_count, c.ram_mb, c.agent_version, c.role, c.state, c.flag, c.enrolled_at,
               c.decommissioned_at, c.last_seen_at, c.last_observed_at, c.last_status,
               c.last_reason, c.clock_offset_ms, c.queue_dropped_total, c.queue_depth,
               c.queue_oldest_at, c.queue_reported_at,
               CASE WHEN c.last_observed_at IS NULL THEN 'unknown'
                    WHEN c.last_observed_at < :freshSince THEN 'stale'
                    ELSE c.last_status END AS status,
               CASE WHEN coalesce(c.last_seen_at, c.enrolled_at) > now() - interval '21 days'
                    THEN 'live'
                    WHEN coalesce(c.last_seen_at, c.enrolled_at) > now() - interval '28 days'
                    THEN 'at_risk'
                    ELSE 'dropped' END AS lifecycle
        FROM computers c
        JOIN establishments e ON e.id = c.establishment_id
        WHERE (CAST(:code AS text) IS NULL OR e.code = :code)
          AND (CAST(:status AS text) IS NULL OR CASE WHEN c.last_observed_at IS NULL
               THEN 'unknown' WHEN c.last_observed_at < :freshSince THEN 'stale'
               ELSE c.last_status END = :status)
          AND (CAST(:state AS text) IS NULL OR c.state = :state)
          AND (CAST(:lifecycle AS text) IS NULL
               OR CASE WHEN coalesce(c.last_seen_at, c.enrolled_at) > now() - interval '21 days'
                       THEN 'live'
                       WHEN coalesce(c.last_seen_at, c.enrolled_at) > now() - interval '28 days'
                       THEN 'at_risk'
                       ELSE 'dropped' END = :lifecycle)
          AND c.id > :afterId
        ORDER BY c.id
        LIMIT :limit
        """)
  List<Computer> list(
      @Nullable String code,
      @Nullable String status,
      @Nullable String state,
      @Nullable String lifecycle,
      long afterId,
      int limit,
      Instant freshSince);

  @SqlQuery(
      """
        SELECT c.id, e.code, c.hostname, c.machine_id, c.machine_id_trusted, c.os, c.os_version,
               c.cpu_count, c.ram_mb, c.agent_version, c.role, c.state, c.flag, c.enrolled_at,
               c.decommissioned_at, c.last_seen_at, c.last_observed_at, c.last_status,
               c.last_reason, c.clock_offset_ms, c.queue_dropped_total, c.queue_depth,
               c.queue_oldest_at, c.queue_reported_at,
               CASE WHEN c.last_observed_at IS NULL THEN 'unknown'
                    WHEN c.last_observed_at < :freshSince THEN 'stale'
                    ELSE c.last_status END AS status,
               CASE WHEN coalesce(c.last_seen_at, c.enrolled_at) > now() - interval '21 days'
                    THEN 'live'
                    WHEN coalesce(c.last_seen_at, c.enrolled_at) > now() - interval '28 days'
                    THEN 'at_risk'
                    ELSE 'dropped' END AS lifecycle
        FROM computers c
        JOIN establishments e ON e.id = c.establishment_id
        WHERE c.id = :id
        """)
  Optional<Computer> find(long id, Instant freshSince);

  /**
   * One page of every computer, by id, for the computers page: the API's list from the id before
   * the page's first row, so both show a computer the same way.
   */
  default List<Computer> page(int limit, long offset, Instant freshSince) {
    long afterId = offset <= 0 ? 0 : idAt(offset - 1).orElse(Long.MAX_VALUE);
    return list(null, null, null, null, afterId, limit, freshSince);
  }

  /** The id of the computer at this position (from 0) in id order. */
  @SqlQuery("SELECT id FROM computers ORDER BY id LIMIT 1 OFFSET :position")
  Optional<Long> idAt(long position);

  @SqlQuery("SELECT count(*) FROM computers")
  long countAll();

  @SqlQuery(
      """
      SELECT id FROM computers WHERE machine_id = :machineId AND machine_id_trusted
      AND state = 'active' AND flag = '' FOR UPDATE
      """)
  Optional<Long> findLiveByMachineId(String machineId);

  @SqlQuery(
      """
      SELECT count(*) > 0 FROM computers WHERE machine_id = :machineId
      AND machine_id_trusted AND state = 'active' AND flag <> ''
      """)
  boolean flaggedExists(String machineId);

  @SqlUpdate(
      """
      INSERT INTO computers (establishment_id, machine_id, machine_id_trusted, hostname, os,
      os_version, cpu_count, ram_mb, agent_version, role, flag) VALUES (:establishmentId,
      :f.machineId, :f.machineIdTrusted, :f.hostname, :f.os, :f.osVersion, :f.cpuCount,
      :f.ramMb, :f.agentVersion, :f.role, :flag)
      """)
  @GetGeneratedKeys("id")
  long insert(long establishmentId, @BindMethods("f") Facts f, String flag);

  @SqlUpdate(
      """
      UPDATE computers SET establishment_id = :establishmentId, hostname = :f.hostname,
      os = :f.os, os_version = :f.osVersion, cpu_count = :f.cpuCount, ram_mb = :f.ramMb,
      agent_version = :f.agentVersion, role = :f.role WHERE id = :id
      """)
  void updateFacts(long id, long establishmentId, @BindMethods("f") Facts f);

  /** Splits a clone off: a new computer with the original's facts, both flagged for IT. */
  @SqlUpdate(
      """
      INSERT INTO computers (establishment_id, machine_id, machine_id_trusted, hostname, os,
      os_version, cpu_count, ram_mb, agent_version, role, flag, enrolled_at)
      SELECT a.establishment_id, c.machine_id, c.machine_id_trusted, c.hostname, c.os,
      c.os_version, c.cpu_count, c.ram_mb, c.agent_version, c.role, :flag, a.enrolled_at
      FROM computers c JOIN agents a ON a.computer_id = c.id WHERE a.id = :agentId
      """)
  @GetGeneratedKeys("id")
  long insertSplitFrom(long agentId, String flag);

  @SqlUpdate("UPDATE computers SET flag = :flag WHERE id = :id")
  void flag(long id, String flag);

  @SqlUpdate(
      """
      UPDATE computers SET state = 'decommissioned', decommissioned_at = now()
      WHERE id = :id AND state = 'active'
      """)
  int decommission(long id);

  final class Mapper implements RowMapper<Computer> {
    @Override
    public Computer map(ResultSet rs, StatementContext ctx) throws SQLException {
      return new Computer(
          rs.getLong("id"),
          rs.getString("code"),
          rs.getString("hostname"),
          rs.getString("machine_id"),
          rs.getBoolean("machine_id_trusted"),
          rs.getString("os"),
          rs.getString("os_version"),
          Optional.ofNullable(rs.getObject("cpu_count", Integer.class)),
          Optional.ofNullable(rs.getObject("ram_mb", Long.class)),
          rs.getString("agent_version"),
          rs.getString("role"),
          rs.getString("state"),
          rs.getString("flag"),
          rs.getTimestamp("enrolled_at").toInstant(),
          instant(rs, "decommissioned_at"),
          instant(rs, "last_seen_at"),
          instant(rs, "last_observed_at"),
          Optional.ofNullable(rs.getString("last_status")),
          Optional.ofNullable(rs.getString("last_reason")),
          Optional.ofNullable(rs.getObject("clock_offset_ms", Long.class)),
          rs.getLong("queue_dropped_total"),
          Optional.ofNullable(rs.getObject("queue_depth", Long.class)),
          instant(rs, "queue_oldest_at"),
          instant(rs, "queue_reported_at"),
          rs.getString("lifecycle"),
          rs.getString("status"));
    }

    private static Optional<Instant> instant(ResultSet rs, String column) throws SQLException {
      Timestamp t = rs.getTimestamp(column);
      return t == null ? Optional.empty() : Optional.of(t.toInstant());
    }
  }
}
