package org.enlace.server.enrollment;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.StatementContext;
import org.jdbi.v3.sqlobject.config.RegisterRowMapper;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

@RegisterRowMapper(AgentDao.Mapper.class)
public interface AgentDao {
  @SqlQuery(
      """
      SELECT a.id, a.public_id, a.computer_id, a.establishment_id, a.enrolled_at,
      a.secret_hash, a.revoked_at, a.revoked_reason, a.superseded_at, c.state
      FROM agents a JOIN computers c ON c.id = a.computer_id WHERE a.public_id = :publicId
      """)
  Optional<AgentPrincipal> find(UUID publicId);

  @SqlUpdate(
      """
      INSERT INTO agents (public_id, computer_id, establishment_id, secret_hash,
      enrollment_token_id) VALUES (:publicId, :computerId, :establishmentId, :secretHash,
      :tokenId)
      """)
  void insert(
      UUID publicId, long computerId, long establishmentId, byte[] secretHash, long tokenId);

  @SqlUpdate(
      """
      UPDATE agents SET superseded_at = now() WHERE computer_id = :computerId
      AND superseded_at IS NULL AND revoked_at IS NULL
      """)
  int supersedeAll(long computerId);

  @SqlUpdate(
      "UPDATE agents SET computer_id = :computerId, superseded_at = NULL WHERE id = :agentId")
  void moveTo(long agentId, long computerId);

  @SqlUpdate(
      """
      UPDATE agents SET revoked_at = now(), revoked_reason = :reason
      WHERE computer_id = :computerId AND revoked_at IS NULL
      """)
  int revokeAllOf(long computerId, String reason);

  @SqlQuery("SELECT public_id FROM agents WHERE computer_id = :computerId")
  List<UUID> publicIdsOf(long computerId);

  final class Mapper implements RowMapper<AgentPrincipal> {
    @Override
    public AgentPrincipal map(ResultSet rs, StatementContext ctx) throws SQLException {
      return new AgentPrincipal(
          rs.getLong("id"),
          rs.getObject("public_id", UUID.class),
          rs.getLong("computer_id"),
          rs.getLong("establishment_id"),
          rs.getTimestamp("enrolled_at").toInstant(),
          rs.getBytes("secret_hash"),
          instant(rs.getTimestamp("revoked_at")),
          Optional.ofNullable(rs.getString("revoked_reason")).orElse(""),
          instant(rs.getTimestamp("superseded_at")),
          rs.getString("state"));
    }

    private static Optional<Instant> instant(Timestamp t) {
      return t == null ? Optional.empty() : Optional.of(t.toInstant());
    }
  }
}
