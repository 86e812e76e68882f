package org.enlace.server.speedtest;

import java.time.Instant;
import java.util.Optional;

/**
 * Who may run an ndt7 subtest, and where its server-side figures go. Tokens are short-lived and
 * single-use, issued to an enrolled agent for its scheduled slot (see SpeedTestPlanner).
 */
public interface Ndt7Access {
  /** download or upload */
  enum Subtest {
    DOWNLOAD,
    UPLOAD
  }

  /**
   * What a redeemed token allows: the test it belongs to, the link it measures, and the most bytes
   * this subtest may move (the server stops sending, or closes an upload, once it is reached).
   */
  record Grant(
      String testId,
      long agentId,
      Optional<Long> linkId,
      Subtest subtest,
      long maxBytes,
      Instant expiresAt) {}

  /**
   * Marks the token used and returns its grant; empty when the token is unknown, already used,
   * expired, or for the other subtest. Called before the WebSocket upgrade (401 when empty).
   */
  Optional<Grant> redeem(String accessToken, Subtest subtest, Instant now);

  /**
   * The server's side of a finished (or failed) subtest. error is empty when it completed. bytes:
   * application payload bytes sent (download) or received (upload).
   */
  record ServerResult(
      Instant start,
      Instant end,
      long bytes,
      long wireBytes,
      Optional<Double> minRttMs,
      Optional<Double> smoothedRttMs,
      Optional<String> error) {}

  void finished(Grant grant, ServerResult result);
}
