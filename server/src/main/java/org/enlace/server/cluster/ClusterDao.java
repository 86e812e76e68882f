package org.enlace.server.cluster;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * The replicas' rows and the leases. Every statement is one autocommitted statement and every
 * expiry is computed from the database's now(), so the replicas' clocks never have to agree.
 */
@RegisterConstructorMapper(ClusterDao.LeaseRow.class)
@RegisterConstructorMapper(ClusterDao.ReplicaRow.class)
public interface ClusterDao {
  record LeaseRow(
      String name,
      UUID holder,
      String holderHost,
      Instant acquiredAt,
      Instant expiresAt,
      boolean live) {}

  record ReplicaRow(
      UUID id, String host, Instant startedAt, Instant heartbeatAt, Instant expiresAt) {}

  @SqlUpdate(
      """
      INSERT INTO cluster_replicas (id, host, expires_at)
      VALUES (:id, :host, now() + CAST(:ttlMs AS bigint) * interval '1 millisecond')
      ON CONFLICT (id) DO UPDATE SET heartbeat_at = now(), expires_at = EXCLUDED.expires_at
      """)
  void heartbeat(UUID id, String host, long ttlMs);

  /** The replicas alive now, by id (the order rendezvous hashing does not depend on). */
  @SqlQuery("SELECT id FROM cluster_replicas WHERE expires_at > now() ORDER BY id")
  List<UUID> live();

  @SqlQuery(
      """
      SELECT id, host, started_at, heartbeat_at, expires_at FROM cluster_replicas
      WHERE expires_at > now() ORDER BY started_at, id
      """)
  List<ReplicaRow> liveReplicas();

  /**
   * Takes the lease if it is free or expired, renews it if this replica holds it; empty when
   * another replica holds it. Two replicas racing for an expired lease: the second waits for the
   * first's row lock and then sees the first's fresh expiry, so only one gets a row back.
   */
  @SqlQuery(
      """
      INSERT INTO cluster_leases AS l (name, holder, holder_host, expires_at)
      VALUES (:name, :id, :host, now() + CAST(:ttlMs AS bigint) * interval '1 millisecond')
      ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder,
       holder_host = EXCLUDED.holder_host,
       acquired_at = CASE WHEN l.holder = EXCLUDED.holder THEN l.acquired_at ELSE now() END,
       renewed_at = now(), expires_at = EXCLUDED.expires_at
      WHERE l.holder = EXCLUDED.holder OR l.expires_at <= now()
      RETURNING acquired_at
      """)
  Optional<Instant> acquire(String name, UUID id, String host, long ttlMs);

  @SqlQuery(
      """
      SELECT name, holder, holder_host, acquired_at, expires_at, expires_at > now() AS live
      FROM cluster_leases ORDER BY name
      """)
  List<LeaseRow> leases();

  /** A replica that stops cleanly hands its leases over at once instead of letting them expire. */
  @SqlUpdate("DELETE FROM cluster_leases WHERE holder = :id")
  int release(UUID id);

  @SqlUpdate("DELETE FROM cluster_replicas WHERE id = :id")
  int leave(UUID id);

  /** Rows of replicas dead for a day: kept that long for the operator's post-mortem. */
  @SqlUpdate("DELETE FROM cluster_replicas WHERE expires_at < now() - interval '1 day'")
  int forgetDead();
}
