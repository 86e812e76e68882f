package org.enlace.server.enrollment;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.enlace.server.auth.Secrets;
import org.enlace.server.inventory.ComputerDao;
import org.enlace.server.inventory.EstablishmentDao;
import org.enlace.server.web.ApiException;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.postgresql.util.PSQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enrollment and computer identity. A trusted machine id that enrolls again keeps its computer and
 * history; the earlier agent is marked superseded. If a superseded agent reports again, two
 * machines share the id (a cloned disk image) and {@link #splitClone} gives it a computer of its
 * own.
 */
public final class EnrollmentService {
  private static final Logger LOG = LoggerFactory.getLogger(EnrollmentService.class);
  public static final String DUPLICATE_FLAG = "duplicate_machine_id";

  private final Jdbi jdbi;
  private final AgentRegistry registry;
  private final Clock clock;

  public EnrollmentService(Jdbi jdbi, AgentRegistry registry, Clock clock) {
    this.jdbi = requireNonNull(jdbi, "jdbi is null");
    this.registry = requireNonNull(registry, "registry is null");
    this.clock = requireNonNull(clock, "clock is null");
  }

  public EnrollResponse enroll(EnrollRequest request) {
    try {
      return enrollOnce(request);
    } catch (UnableToExecuteStatementException e) {
      // Two enrollments of one new machine id raced on the unique index: the second now finds
      // the first's computer and re-enrolls onto it.
      if (e.getCause() instanceof PSQLException p && "23505".equals(p.getSQLState())) {
        return enrollOnce(request);
      }
      throw e;
    }
  }

  private EnrollResponse enrollOnce(EnrollRequest request) {
    List<UUID> superseded = new ArrayList<>();
    EnrollResponse response = jdbi.inTransaction(h -> enrollIn(h, request, superseded));
    superseded.forEach(registry::invalidate);
    return response;
  }

  private EnrollResponse enrollIn(Handle h, EnrollRequest request, List<UUID> superseded) {
    byte[] tokenHash = Secrets.sha256(request.token());
    EnrollmentTokenDao tokens = h.attach(EnrollmentTokenDao.class);
    EnrollRequest.ComputerFacts f = request.facts();
    Optional<EnrollmentTokenDao.Claim> retried =
        f.trusted() ? tokens.alreadyUsedBy(tokenHash, f.machineId()) : Optional.empty();
    EnrollmentTokenDao.Claim claim =
        retried.isPresent()
            ? retried.get()
            : tokens.claim(tokenHash).orElseThrow(() -> refusal(tokens.state(tokenHash)));
    ComputerDao.Facts facts =
        new ComputerDao.Facts(
            f.machineId(),
            f.trusted(),
            f.hostname(),
            f.os(),
            f.osVersion(),
            f.cpuCount(),
            f.ramMb(),
            f.agentVersion(),
            f.role());
    ComputerDao computers = h.attach(ComputerDao.class);
    AgentDao agents = h.attach(AgentDao.class);

    Optional<Long> existing =
        f.trusted() ? computers.findLiveByMachineId(f.machineId()) : Optional.empty();
    long computerId;
    if (existing.isPresent()) {
      computerId = existing.get();
      computers.updateFacts(computerId, claim.establishmentId(), facts);
      agents.supersedeAll(computerId);
      superseded.addAll(agents.publicIdsOf(computerId));
    } else {
      String flag = f.trusted() && computers.flaggedExists(f.machineId()) ? DUPLICATE_FLAG : "";
      computerId = computers.insert(claim.establishmentId(), facts, flag);
    }
    UUID agentId = UUID.randomUUID();
    String secret = Secrets.newSecret("ens_");
    agents.insert(agentId, computerId, claim.establishmentId(), Secrets.sha256(secret), claim.id());
    String code = h.attach(EstablishmentDao.class).codeOf(claim.establishmentId());
    LOG.info(
        "event=agent_enrolled agent={} computer={} establishment={} reenrolled={} "
            + "machineIdTrusted={} hostname={} tokenId={}",
        agentId,
        computerId,
        code,
        existing.isPresent(),
        f.trusted(),
        f.hostname(),
        claim.id());
    return new EnrollResponse(
        1, agentId, secret, computerId, code, existing.isPresent(), f.trusted(), clock.instant());
  }

  private ApiException refusal(Optional<EnrollmentTokenDao.State> state) {
    Instant now = clock.instant();
    String challenge = "Bearer realm=\"enlace-enrollment\"";
    if (state.isEmpty()) {
      return ApiException.unauthorized(
          "enrollment_token_invalid",
          "the enrollment token is not known to this server",
          challenge);
    }
    EnrollmentTokenDao.State s = state.get();
    if (s.revokedAt() != null) {
      return ApiException.unauthorized(
          "enrollment_token_revoked",
          "the enrollment token was revoked; ask IT for a new one",
          challenge);
    }
    if (!s.expiresAt().isAfter(now)) {
      return ApiException.unauthorized(
          "enrollment_token_expired",
          "the enrollment token expired at " + s.expiresAt() + "; ask IT for a new one",
          challenge);
    }
    return ApiException.unauthorized(
        "enrollment_token_used_up",
        "the enrollment token was used "
            + s.uses()
            + " of "
            + s.maxUses()
            + " times; ask IT for a new one",
        challenge);
  }

  /**
   * A superseded agent reported: a second machine carries the same hardware id. It gets its own
   * computer, with its own observations moved along, and both computers are flagged for IT.
   */
  public AgentPrincipal splitClone(AgentPrincipal agent) {
    Optional<Long> split =
        jdbi.inTransaction(
            h -> {
              ComputerDao computers = h.attach(ComputerDao.class);
              h.createQuery("SELECT id FROM computers WHERE id = :id FOR UPDATE")
                  .bind("id", agent.computerId())
                  .mapTo(Long.class)
                  .one();
              // A concurrent report of the same agent may have split it already.
              boolean stillSuperseded =
                  h.createQuery(
                          """
                          SELECT superseded_at IS NOT NULL FROM agents
                          WHERE id = :id FOR UPDATE
                          """)
                      .bind("id", agent.agentId())
                      .mapTo(Boolean.class)
                      .one();
              if (!stillSuperseded) {
                return Optional.<Long>empty();
              }
              long id = computers.insertSplitFrom(agent.agentId(), DUPLICATE_FLAG);
              computers.flag(agent.computerId(), DUPLICATE_FLAG);
              h.attach(AgentDao.class).moveTo(agent.agentId(), id);
              h.createUpdate(
                      """
                      UPDATE observations SET computer_id = :to
                      WHERE computer_id = :from AND agent_id = :agent
                      """)
                  .bind("to", id)
                  .bind("from", agent.computerId())
                  .bind("agent", agent.agentId())
                  .execute();
              return Optional.of(id);
            });
    registry.invalidate(agent.publicId());
    if (split.isEmpty()) {
      return registry.lookup(agent.publicId()).orElseThrow();
    }
    long newComputer = split.get();
    LOG.warn(
        "event=duplicate_machine_id agent={} originalComputer={} newComputer={} "
            + "hint=\"two live PCs share one hardware id (cloned image); both computers are flagged\"",
        agent.publicId(),
        agent.computerId(),
        newComputer);
    return registry.lookup(agent.publicId()).orElseThrow();
  }
}
