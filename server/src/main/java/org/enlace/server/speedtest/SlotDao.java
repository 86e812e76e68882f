package org.enlace.server.speedtest;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;
import org.jspecify.annotations.Nullable;

/** Speed-test slots, tokens and the server's results. */
@RegisterConstructorMapper(SlotDao.Link.class)
@RegisterConstructorMapper(SlotDao.Slot.class)
@RegisterConstructorMapper(SlotDao.Redeemed.class)
public interface SlotDao {
  record Link(
      long id,
      long establishmentId,
      BigDecimal contractedDownMbps,
      BigDecimal contractedUpMbps,
      String openingHours) {}

  @SqlQuery(
      """
      SELECT l.id, l.establishment_id, l.contracted_down_mbps, l.contracted_up_mbps,
      CAST(e.opening_hours AS text) AS opening_hours FROM isp_links l
      JOIN establishments e ON e.id = l.establishment_id
      WHERE l.establishment_id = :establishmentId
      AND (l.contract_start IS NULL OR l.contract_start <= CAST(:today AS date))
      AND (l.contract_end IS NULL OR l.contract_end >= CAST(:today AS date)) ORDER BY l.id
      """)
  List<Link> links(long establishmentId, LocalDate today);

  /** Serialises decisions about one link: one computer at a time, and the budget. */
  @SqlQuery("SELECT id FROM isp_links WHERE id = :id FOR UPDATE")
  Optional<Long> lockLink(long id);

  @SqlQuery(
      """
      SELECT count(*) FROM speedtest_slots WHERE link_id = :linkId AND kind = :kind
      AND not_before >= :from AND not_before < :to
      """)
  int countSlots(long linkId, String kind, Instant from, Instant to);

  @SqlUpdate(
      """
      INSERT INTO speedtest_slots (id, link_id, establishment_id, kind, not_before,
      not_after, state, max_bytes_down, max_bytes_up) VALUES (:id, :linkId,
      :establishmentId, :kind, :notBefore, :notAfter, 'planned', :maxDown, :maxUp)
      """)
  void insert(
      UUID id,
      long linkId,
      long establishmentId,
      String kind,
      Instant notBefore,
      Instant notAfter,
      long maxDown,
      long maxUp);

  record Slot(
      UUID id,
      long linkId,
      Instant notBefore,
      Instant notAfter,
      long maxBytesDown,
      long maxBytesUp) {}

  @SqlQuery(
      """
      SELECT id, link_id, not_before, not_after, max_bytes_down, max_bytes_up
      FROM speedtest_slots WHERE establishment_id = :establishmentId AND state = 'planned'
      AND not_before <= :now AND not_after > :now ORDER BY not_before
      """)
  List<Slot> openSlots(long establishmentId, Instant now);

  @SqlQuery(
      """
      SELECT min(not_before) FROM speedtest_slots WHERE establishment_id = :establishmentId
      AND state = 'planned' AND not_after > :now
      """)
  Optional<Instant> nextPlanned(long establishmentId, Instant now);

  /** A slot whose tokens are still valid and whose subtests have not both finished. */
  @SqlQuery(
      """
      SELECT max(s.tokens_expire_at) FROM speedtest_slots s WHERE s.link_id = :linkId
      AND s.state = 'offered' AND s.tokens_expire_at > :now
      AND (SELECT count(*) FROM ndt7_server_results r WHERE r.test_id = s.id) < 2
      """)
  Optional<Instant> busyUntil(long linkId, Instant now);

  /**
   * Bytes the link's tests used or may still use since {@code from}: what the server measured for
   * finished subtests, and the whole allowance of any subtest not finished whose token can still be
   * used.
   */
  @SqlQuery(
      """
      SELECT coalesce(sum(coalesce((SELECT r.wire_bytes FROM ndt7_server_results r
        WHERE r.test_id = s.id AND r.subtest = 'download'),
        CASE WHEN s.tokens_expire_at > :now AND s.download_used_at IS NULL THEN s.max_bytes_down
             WHEN s.download_used_at IS NOT NULL THEN s.max_bytes_down ELSE 0 END)
      + coalesce((SELECT r.wire_bytes FROM ndt7_server_results r
        WHERE r.test_id = s.id AND r.subtest = 'upload'),
        CASE WHEN s.tokens_expire_at > :now AND s.upload_used_at IS NULL THEN s.max_bytes_up
             WHEN s.upload_used_at IS NOT NULL THEN s.max_bytes_up ELSE 0 END)), 0)
      FROM speedtest_slots s WHERE s.link_id = :linkId AND s.state IN ('offered', 'done')
      AND s.offered_at >= :from
      """)
  long bytesCommitted(long linkId, Instant from, Instant now);

  @SqlUpdate(
      """
      UPDATE speedtest_slots SET state = 'offered', agent_id = :agentId, offered_at = :now,
      tokens_expire_at = :expires, download_token_hash = :down, upload_token_hash = :up
      WHERE id = :id AND state = 'planned'
      """)
  int offer(UUID id, long agentId, Instant now, Instant expires, byte[] down, byte[] up);

  @SqlUpdate("UPDATE speedtest_slots SET state = 'expired' WHERE id = :id AND state = 'planned'")
  int skip(UUID id);

  record Redeemed(UUID id, long agentId, long linkId, long maxBytes, Instant tokensExpireAt) {}

  @SqlQuery(
      """
      UPDATE speedtest_slots SET download_used_at = :now WHERE download_token_hash = :hash
      AND download_used_at IS NULL AND state = 'offered' AND tokens_expire_at > :now
      RETURNING id, agent_id, link_id, max_bytes_down AS max_bytes, tokens_expire_at
      """)
  Optional<Redeemed> redeemDownload(byte[] hash, Instant now);

  /**
   * The upload may use what the download left of the test's allowance (the agent sees one maxBytes
   * for both): a link that uploads faster than its contract still completes.
   */
  @SqlQuery(
      """
      UPDATE speedtest_slots s SET upload_used_at = :now WHERE upload_token_hash = :hash
      AND upload_used_at IS NULL AND state = 'offered' AND tokens_expire_at > :now
      RETURNING id, agent_id, link_id, max_bytes_down + max_bytes_up - least(max_bytes_down,
       coalesce((SELECT r.wire_bytes FROM ndt7_server_results r WHERE r.test_id = s.id
         AND r.subtest = 'download'), max_bytes_down)) AS max_bytes, tokens_expire_at
      """)
  Optional<Redeemed> redeemUpload(byte[] hash, Instant now);

  @SqlUpdate(
      """
      INSERT INTO ndt7_server_results (test_id, subtest, started_at, ended_at, bytes,
      wire_bytes, min_rtt_ms, smoothed_rtt_ms, error) VALUES (:testId, :subtest, :start,
      :end, :bytes, :wireBytes, :minRtt, :srtt, :error) ON CONFLICT DO NOTHING
      """)
  int result(
      UUID testId,
      String subtest,
      Instant start,
      Instant end,
      long bytes,
      long wireBytes,
      @Nullable Double minRtt, // the columns are NULL when unknown, or without an error
      @Nullable Double srtt,
      @Nullable String error);

  /**
   * Taken before a subtest's result is written: the download's and the upload's results may be
   * recorded at the same moment, and under READ COMMITTED neither transaction would then see the
   * other's row, so neither would mark the slot done and the link would stay reserved.
   */
  @SqlQuery("SELECT id FROM speedtest_slots WHERE id = :id FOR UPDATE")
  Optional<UUID> lock(UUID id);

  @SqlUpdate(
      """
      UPDATE speedtest_slots s SET state = 'done' WHERE id = :id AND state = 'offered'
      AND (SELECT count(*) FROM ndt7_server_results r WHERE r.test_id = s.id) = 2
      """)
  int completeIfBoth(UUID id);

  /** Offered slots whose tokens ran out unused: their reservation is released. */
  @SqlUpdate(
      """
      UPDATE speedtest_slots SET state = 'expired' WHERE state IN ('planned', 'offered')
      AND download_used_at IS NULL AND upload_used_at IS NULL
      AND coalesce(tokens_expire_at, not_after) < :now
      """)
  int expireStale(Instant now);
}
