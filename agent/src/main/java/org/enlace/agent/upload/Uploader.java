package org.enlace.agent.upload;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.enlace.agent.config.Credentials;
import org.enlace.agent.journal.Journal;
import org.enlace.agent.journal.Record;
import org.jspecify.annotations.Nullable;

/**
 * Store and forward: sends the journal oldest first, in gzip batches, and acknowledges in the
 * journal only what the server acknowledged or rejected for good. Failures back off exponentially
 * with jitter and honour Retry-After; nothing is acknowledged without an answer.
 */
public final class Uploader {
  private static final Logger LOG = Logger.getLogger(Uploader.class.getName());

  /** What one attempt did; {@code retryIn} is empty when more can be sent at once. */
  public record Outcome(
      Kind kind,
      int sent,
      int stored,
      int duplicates,
      int rejected,
      Optional<Duration> retryIn,
      String detail) {}

  /**
   * RETRY_LATER: no answer (network, timeout); SERVER_BUSY: the server answered but stored nothing
   * (429, 5xx); both keep everything and wait.
   */
  public enum Kind {
    NOTHING_TO_SEND,
    ACCEPTED,
    RETRY_LATER,
    SERVER_BUSY,
    CREDENTIALS_REFUSED
  }

  private final Journal journal;
  private final ServerClient client;
  private final Credentials credentials;
  private final ClockOffset clock;
  private final Duration minBackoff;
  private final Duration maxBackoff;

  /** Lowered when the server answers 413, and kept: that server takes smaller reports. */
  private int batchMaxObservations;

  private final long batchMaxBytes;

  /** After a whole batch was refused with 400: records still to send one at a time. */
  private int isolateRemaining;

  private int failures;
  private volatile java.util.function.@Nullable Consumer<Object> speedTestSlots;

  public Uploader(
      Journal journal,
      ServerClient client,
      Credentials credentials,
      ClockOffset clock,
      int batchMaxObservations,
      long batchMaxBytes,
      Duration minBackoff,
      Duration maxBackoff) {
    this.journal = journal;
    this.client = client;
    this.credentials = credentials;
    this.clock = clock;
    this.batchMaxObservations = batchMaxObservations;
    this.batchMaxBytes = batchMaxBytes;
    this.minBackoff = minBackoff;
    this.maxBackoff = maxBackoff;
  }

  /** Sends one batch. Never throws for network or server trouble: that is an outcome. */
  public Outcome uploadOnce() throws IOException {
    List<Record> batch =
        journal.batch(isolateRemaining > 0 ? 1 : batchMaxObservations, batchMaxBytes);
    if (batch.isEmpty()) {
      return new Outcome(Kind.NOTHING_TO_SEND, 0, 0, 0, 0, Optional.empty(), "");
    }
    // What will still wait once this batch is acknowledged: the report's queue (protocol.md).
    long last = batch.get(batch.size() - 1).seq();
    long depth = journal.pendingAfter(last);
    Optional<Long> oldest =
        depth == 0 ? Optional.empty() : journal.oldestPendingAppendedAtMillisAfter(last);
    byte[] body = body(batch, journal.dropped(), depth, oldest);
    URI uri = credentials.serverUrl().resolve("/api/v1/reports");
    ServerClient.Answer a;
    try {
      a = client.postJson(uri, body, Optional.of(credentials.authorization()), true);
    } catch (IOException e) {
      return retry(
          "server unreachable: "
              + e.getClass().getSimpleName()
              + (e.getMessage() == null ? "" : " " + e.getMessage()),
          Optional.empty());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return retry("interrupted", Optional.empty());
    }
    if (a.status() == 200) {
      failures = 0;
      isolateRemaining = Math.max(0, isolateRemaining - 1);
      Object serverTime = a.body().get("serverTime");
      if (serverTime != null) {
        clock.observe(a.sentAt(), a.receivedAt(), Instant.parse(serverTime.toString()));
      }
      Object slot = a.body().get("speedTest");
      Consumer<Object> listener = speedTestSlots;
      if (slot != null && listener != null) {
        listener.accept(slot); // a test the server allows (docs/agent.md, "Speed tests")
      }
      List<?> rejected = a.body().get("rejected") instanceof List<?> l ? l : List.of();
      for (Object r : rejected) {
        if (r instanceof Map<?, ?> m) {
          LOG.warning(
              "event=observation_rejected seq="
                  + m.get("seq")
                  + " reason="
                  + m.get("reason")
                  + " field="
                  + m.get("field")
                  + " message=\""
                  + m.get("message")
                  + "\" effect=dropped");
        }
      }
      // Acknowledged and rejected alike are done: the batch is a contiguous run of the journal.
      journal.ackThrough(batch.get(batch.size() - 1).seq());
      return new Outcome(
          Kind.ACCEPTED,
          batch.size(),
          intOf(a, "stored"),
          intOf(a, "duplicates"),
          rejected.size(),
          Optional.empty(),
          "");
    }
    if (a.status() == 413 && batchMaxObservations > 1) {
      // The server takes smaller reports than we send: halve and go again at once.
      batchMaxObservations = Math.max(1, batchMaxObservations / 2);
      return new Outcome(
          Kind.SERVER_BUSY,
          batch.size(),
          0,
          0,
          0,
          Optional.of(Duration.ZERO),
          "report too large; batches now " + batchMaxObservations);
    }
    if (a.status() == 400 && batch.size() == 1) {
      // The server refuses this one record whole (it can never parse it): drop it rather than
      // retry forever and block every later observation.
      LOG.warning(
          "event=observation_rejected seq="
              + batch.get(0).seq()
              + " reason="
              + a.error()
              + " message=\""
              + a.message()
              + "\" effect=dropped");
      journal.ackThrough(batch.get(0).seq());
      isolateRemaining = 0;
      return new Outcome(Kind.ACCEPTED, 1, 0, 0, 1, Optional.empty(), a.message());
    }
    if (a.status() == 400) {
      isolateRemaining = batch.size();
      return new Outcome(
          Kind.SERVER_BUSY,
          batch.size(),
          0,
          0,
          0,
          Optional.of(Duration.ZERO),
          "server refused the batch (" + a.message() + "); isolating the bad record");
    }
    if (a.status() == 401 || a.status() == 403) {
      // Never re-enroll on our own: a 401 names its cause, and IT decides (field-lessons A.2).
      failures++;
      return new Outcome(
          Kind.CREDENTIALS_REFUSED,
          batch.size(),
          0,
          0,
          0,
          Optional.of(maxBackoff),
          a.error() + ": " + a.message());
    }
    failures++;
    return new Outcome(
        Kind.SERVER_BUSY,
        batch.size(),
        0,
        0,
        0,
        Optional.of(a.retryAfter().orElseGet(this::backoff)),
        "server answered " + a.status() + (a.error().isEmpty() ? "" : " " + a.error()));
  }

  private Outcome retry(String why, Optional<Duration> retryAfter) {
    failures++;
    Duration wait = retryAfter.orElseGet(this::backoff);
    return new Outcome(Kind.RETRY_LATER, 0, 0, 0, 0, Optional.of(wait), why);
  }

  /**
   * Exponential from minBackoff to maxBackoff, with "equal jitter" (a random wait between half and
   * all of the step) so that a room of PCs restarted together spreads out.
   */
  Duration backoff() {
    long base = minBackoff.toMillis() << Math.min(20, Math.max(0, failures - 1));
    long cap = Math.min(maxBackoff.toMillis(), base);
    long jittered = cap / 2 + ThreadLocalRandom.current().nextLong(cap / 2 + 1);
    return Duration.ofMillis(jittered);
  }

  private static int intOf(ServerClient.Answer a, String field) {
    return a.body().get(field) instanceof Number n ? n.intValue() : 0;
  }

  /**
   * The report body, with the journaled observation JSON spliced in unparsed. {@code queueDepth}:
   * records still in the journal after this batch; {@code oldestQueuedMillis}: when the oldest of
   * them was journaled (agent clock), sent only when some wait.
   */
  static byte[] body(
      List<Record> batch, long dropped, long queueDepth, Optional<Long> oldestQueuedMillis) {
    int size = 192;
    for (Record r : batch) {
      size += r.payload().length + 1;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(size);
    String queue =
        "{\"depth\":"
            + queueDepth
            + (queueDepth > 0 && oldestQueuedMillis.isPresent()
                ? ",\"oldestAt\":\"" + Instant.ofEpochMilli(oldestQueuedMillis.get()) + "\""
                : "")
            + "}";
    String head =
        "{\"protocolVersion\":1,\"sentAt\":\""
            + Instant.now()
            + "\",\"droppedObservations\":"
            + dropped
            + ",\"queue\":"
            + queue
            + ",\"observations\":[";
    out.writeBytes(head.getBytes(StandardCharsets.UTF_8));
    for (int i = 0; i < batch.size(); i++) {
      if (i > 0) {
        out.write(',');
      }
      out.writeBytes(batch.get(i).payload());
    }
    out.writeBytes("]}".getBytes(StandardCharsets.UTF_8));
    return out.toByteArray();
  }

  /** Who gets the {@code speedTest} slot a report response may carry. */
  public void onSpeedTestSlot(Consumer<Object> listener) {
    this.speedTestSlots = listener;
  }

  public URI serverUrl() {
    return credentials.serverUrl();
  }

  public int failures() {
    return failures;
  }

  static {
    LOG.setLevel(Level.INFO);
  }
}
