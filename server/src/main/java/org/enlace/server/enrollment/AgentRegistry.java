package org.enlace.server.enrollment;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.enlace.server.auth.Secrets;
import org.enlace.server.inventory.ComputerAgents;
import org.enlace.server.web.ApiException;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Authenticates agents (HTTP Basic: agent id and secret) with a short-lived cache, so that the hot
 * ingest path does not read the agents table on every request. Revocation through this server takes
 * effect at once; through another server sharing the database, within {@link #TTL_NANOS}.
 *
 * <p>Every refusal names its cause (unknown agent, wrong secret, revoked): an agent must never take
 * a transient problem, such as its clock, for a revoked credential.
 */
public final class AgentRegistry implements ComputerAgents {
  static final long TTL_NANOS = 30_000_000_000L;

  private record Entry(AgentPrincipal principal, long loadedAt) {}

  private final Jdbi jdbi;
  private final ConcurrentHashMap<UUID, Entry> cache = new ConcurrentHashMap<>();

  public AgentRegistry(Jdbi jdbi) {
    this.jdbi = requireNonNull(jdbi, "jdbi is null");
  }

  public AgentPrincipal authenticate(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
      throw unauthorized(
          "credentials_required",
          "agent credentials are required (HTTP Basic: agent id and secret)");
    }
    String decoded;
    try {
      decoded =
          new String(
              Base64.getDecoder().decode(authorization.substring(6).trim()),
              StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw unauthorized("credentials_malformed", "the Authorization header is not valid Basic");
    }
    int colon = decoded.indexOf(':');
    UUID id;
    try {
      id = UUID.fromString(colon < 0 ? decoded : decoded.substring(0, colon));
    } catch (IllegalArgumentException e) {
      throw unauthorized("unknown_agent", "the agent id is not a known agent id");
    }
    String secret = colon < 0 ? "" : decoded.substring(colon + 1);
    AgentPrincipal agent =
        lookup(id)
            .orElseThrow(
                () -> unauthorized("unknown_agent", "agent " + id + " is not enrolled here"));
    if (!Secrets.matches(secret, agent.secretHash())) {
      throw unauthorized("wrong_secret", "wrong secret for agent " + id);
    }
    if (agent.revokedAt().isPresent() || "decommissioned".equals(agent.computerState())) {
      throw unauthorized(
          "agent_revoked",
          "agent "
              + id
              + " was revoked"
              + (agent.revokedReason().isEmpty() ? "" : " (" + agent.revokedReason() + ")")
              + "; enroll again with a new token");
    }
    return agent;
  }

  public Optional<AgentPrincipal> lookup(UUID id) {
    long now = System.nanoTime();
    Entry e = cache.get(id);
    if (e != null && now - e.loadedAt() < TTL_NANOS) {
      return Optional.of(e.principal());
    }
    Optional<AgentPrincipal> loaded = jdbi.onDemand(AgentDao.class).find(id);
    loaded.ifPresentOrElse(p -> cache.put(id, new Entry(p, now)), () -> cache.remove(id));
    return loaded;
  }

  @Override
  public List<UUID> revokeAll(Handle transaction, long computerId, String reason) {
    AgentDao agents = transaction.attach(AgentDao.class);
    agents.revokeAllOf(computerId, reason);
    return agents.publicIdsOf(computerId);
  }

  @Override
  public void invalidate(UUID id) {
    cache.remove(id);
  }

  private static ApiException unauthorized(String error, String message) {
    return ApiException.unauthorized(error, message, "Basic realm=\"enlace-agent\"");
  }
}
