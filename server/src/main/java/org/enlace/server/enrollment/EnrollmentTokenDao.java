package org.enlace.server.enrollment;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.statement.GetGeneratedKeys;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

@RegisterConstructorMapper(EnrollmentTokenDao.Row.class)
@RegisterConstructorMapper(EnrollmentTokenDao.State.class)
@RegisterConstructorMapper(EnrollmentTokenDao.Claim.class)
public interface EnrollmentTokenDao {
  record Row(
      long id,
      String establishment,
      String prefix,
      Instant expiresAt,
      int maxUses,
      int uses,
      Instant revokedAt,
      String createdBy,
      Instant createdAt) {
    EnrollmentToken toApi() {
      return new EnrollmentToken(
          id,
          establishment,
          prefix,
          expiresAt,
          maxUses,
          uses,
          Optional.ofNullable(revokedAt),
          createdBy,
          createdAt,
          Optional.empty());
    }
  }

  /** Why a token was refused, read after the atomic claim failed. */
  record State(long establishmentId, Instant expiresAt, int maxUses, int uses, Instant revokedAt) {}

  String SELECT =
      """
      SELECT t.id, e.code AS establishment, t.token_prefix AS prefix, t.expires_at,
      t.max_uses, t.uses, t.revoked_at, t.created_by, t.created_at FROM enrollment_tokens t
      JOIN establishments e ON e.id = t.establishment_id
      """;

  @SqlUpdate(
      """
      INSERT INTO enrollment_tokens (establishment_id, token_hash, token_prefix, expires_at,
      max_uses, created_by) VALUES (:establishmentId, :hash, :prefix, :expiresAt, :maxUses,
      :createdBy)
      """)
  @GetGeneratedKeys("id")
  long insert(
      long establishmentId,
      byte[] hash,
      String prefix,
      Instant expiresAt,
      int maxUses,
      String createdBy);

  @SqlQuery(
      """
      SELECT t.id, e.code AS establishment, t.token_prefix AS prefix, t.expires_at,
      t.max_uses, t.uses, t.revoked_at, t.created_by, t.created_at FROM enrollment_tokens t
      JOIN establishments e ON e.id = t.establishment_id
      WHERE e.code = :code ORDER BY t.id DESC
      """)
  List<Row> listFor(String code);

  @SqlQuery(
      """
      SELECT t.id, e.code AS establishment, t.token_prefix AS prefix, t.expires_at,
      t.max_uses, t.uses, t.revoked_at, t.created_by, t.created_at FROM enrollment_tokens t
      JOIN establishments e ON e.id = t.establishment_id
      WHERE t.id = :id AND e.code = :code
      """)
  Optional<Row> find(String code, long id);

  @SqlUpdate(
      """
      UPDATE enrollment_tokens SET revoked_at = now() WHERE id = :id AND revoked_at IS NULL
      AND establishment_id = (SELECT id FROM establishments WHERE code = :code)
      """)
  int revoke(String code, long id);

  /** Claims one use atomically: concurrent enrollments can never exceed max_uses. */
  @SqlQuery(
      """
      UPDATE enrollment_tokens SET uses = uses + 1 WHERE token_hash = :hash
      AND revoked_at IS NULL AND expires_at > now() AND uses < max_uses
      RETURNING id, establishment_id
      """)
  Optional<Claim> claim(byte[] hash);

  record Claim(long id, long establishmentId) {}

  /**
   * A live token this same machine already enrolled with: the enrollment is being retried (its
   * answer was lost on the way), so it must not cost another use.
   */
  @SqlQuery(
      """
      SELECT t.id, t.establishment_id FROM enrollment_tokens t
      WHERE t.token_hash = :hash AND t.revoked_at IS NULL AND t.expires_at > now()
      AND EXISTS (SELECT 1 FROM agents a JOIN computers c ON c.id = a.computer_id
      WHERE a.enrollment_token_id = t.id AND c.machine_id = :machineId
      AND c.machine_id_trusted AND c.state = 'active')
      """)
  Optional<Claim> alreadyUsedBy(byte[] hash, String machineId);

  @SqlQuery(
      """
      SELECT establishment_id, expires_at, max_uses, uses, revoked_at
      FROM enrollment_tokens WHERE token_hash = :hash
      """)
  Optional<State> state(byte[] hash);
}
