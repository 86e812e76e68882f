package org.enlace.server.ingest;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.enlace.server.enrollment.AgentPrincipal;
import org.enlace.server.enrollment.EnrollmentService;
import org.enlace.server.speedtest.SpeedTestSlot;
import org.enlace.server.web.ApiException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Report ingest: validate, correct clocks, store once, answer what was stored. */
public final class IngestService {
  private static final Logger LOG = LoggerFactory.getLogger(IngestService.class);

  private final ReportParser parser;
  private final ObservationWriter writer;
  private final EnrollmentService enrollment;
  private final IngestMetrics metrics;
  private final IngestConfig config;
  private final Clock clock;
  private final SlotOffers offers;

  /** Speed tests due for the agent that reported (see SpeedTestPlanner). */
  @FunctionalInterface
  public interface SlotOffers {
    Optional<SpeedTestSlot> offer(AgentPrincipal agent, Instant now);
  }

  public IngestService(
      ReportParser parser,
      ObservationWriter writer,
      EnrollmentService enrollment,
      IngestMetrics metrics,
      IngestConfig config,
      Clock clock,
      SlotOffers offers) {
    this.parser = requireNonNull(parser, "parser is null");
    this.writer = requireNonNull(writer, "writer is null");
    this.enrollment = requireNonNull(enrollment, "enrollment is null");
    this.metrics = requireNonNull(metrics, "metrics is null");
    this.config = requireNonNull(config, "config is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.offers = requireNonNull(offers, "offers is null");
  }

  /**
   * Validates now (a bad body throws {@link ApiException} at once) and completes after the group
   * commit that stores the report, or with a 503 {@link ApiException} when nothing was stored. The
   * caller's thread is not held while the commit runs.
   */
  public CompletableFuture<ReportResponse> ingest(
      AgentPrincipal authenticated, byte[] body, Optional<String> agentVersion) {
    Instant receivedAt = clock.instant();
    AgentPrincipal agent =
        authenticated.supersededAt().isPresent()
            ? enrollment.splitClone(authenticated)
            : authenticated;
    ParsedReport report = parser.parse(body, receivedAt, agent.enrolledAt());
    return writer
        .submit(agent, receivedAt, report, agentVersion)
        .orTimeout(config.getCommitTimeout().toMilliseconds(), TimeUnit.MILLISECONDS)
        .handle(
            (stored, error) -> {
              if (error != null) {
                Throwable cause = error instanceof CompletionException c ? c.getCause() : error;
                if (cause instanceof ObservationWriter.RefusedByDatabase r) {
                  metrics.reportOutcome("refused");
                  throw new ApiException(
                      422,
                      "rejected_by_database",
                      "the database refused this report's own fields (SQLState "
                          + r.sqlState()
                          + "); nothing from it was acknowledged. The server log has the details");
                }
                throw unavailable(cause);
              }
              return answer(agent, report, stored);
            });
  }

  private ReportResponse answer(
      AgentPrincipal agent, ParsedReport report, ObservationWriter.Stored result) {
    Set<Long> stored = result.seqs();
    List<Long> acknowledged = new ArrayList<>(report.observations().size());
    List<Rejection> rejections = report.rejections();
    Set<Long> refused = Set.of();
    if (!result.rejected().isEmpty()) {
      // Found at commit time (ObservationWriter#isolate): rejected like the parser's, in order.
      rejections = new ArrayList<>(report.rejections());
      rejections.addAll(result.rejected());
      rejections.sort(Comparator.comparingInt(Rejection::index));
      refused = new HashSet<>();
      for (Rejection r : result.rejected()) {
        refused.add(r.seq().orElseThrow());
      }
    }
    int duplicates = 0;
    for (Observation o : report.observations()) {
      if (refused.contains(o.seq())) {
        continue;
      }
      acknowledged.add(o.seq());
      if (!stored.contains(o.seq())) {
        duplicates++;
      }
    }
    for (Long seq : report.duplicatesInBatch()) {
      // A repeat of a refused observation is refused with it, never acknowledged.
      if (!refused.contains(seq)) {
        acknowledged.add(seq);
        duplicates++;
      }
    }
    metrics.observations(stored.size(), duplicates, rejections.size());
    metrics.reportOutcome("accepted");
    if (!rejections.isEmpty()) {
      Rejection first = rejections.get(0);
      LOG.info(
          "event=observations_rejected agent={} count={} firstReason={} firstField={}",
          agent.publicId(),
          rejections.size(),
          first.reason(),
          first.field());
    }
    Instant now = clock.instant();
    return new ReportResponse(
        ReportParser.PROTOCOL_VERSION,
        now,
        report.clockOffsetEstimateMs(),
        acknowledged,
        stored.size(),
        duplicates,
        rejections,
        offers.offer(agent, now));
  }

  private ApiException unavailable(@Nullable Throwable cause) {
    metrics.reportOutcome("unavailable");
    String why =
        cause instanceof ObservationWriter.Overloaded
            ? "the server is busy"
            // The commit may still land; the agent resends and stored_seqs makes that harmless.
            : cause instanceof TimeoutException
                ? "the database did not commit in time"
                : "the database is unavailable";
    return ApiException.unavailable(
        why + "; nothing from this report was acknowledged, send it again later",
        5 + ThreadLocalRandom.current().nextInt(26));
  }
}
