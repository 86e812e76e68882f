package org.enlace.server.speedtest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.eclipse.jetty.util.IteratingCallback;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.StatusCode;
import org.enlace.server.speedtest.Ndt7Access.Grant;
import org.enlace.server.speedtest.Ndt7Access.ServerResult;
import org.enlace.server.speedtest.Ndt7Access.Subtest;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One ndt7 subtest on one WebSocket connection, from the upgrade to {@link Ndt7Access#finished},
 * which is called exactly once whatever happens (completed, client error, timeout, server stop).
 *
 * <p>Download: binary messages of random bytes, 8 KiB first, doubled while the message is at most
 * 1/16 of the bytes queued so far, up to 1 MiB (M-Lab's server); measurement messages interleaved
 * at exponentially distributed intervals (mean 250 ms), each followed by a ping. Upload: the
 * client's binary messages are counted (frame by frame, never buffered whole) and measurement
 * messages sent the same way. The server closes normally at maxDuration (10 s) or when the grant's
 * byte budget is reached, and drops the connection at hardTimeout (15 s).
 *
 * <p>The measurement messages' content and the TCP_INFO samples are {@link Ndt7Measurer}'s; this
 * class decides when they are taken and sends them.
 *
 * <p>Public only because Jetty invokes its listener methods through method handles.
 */
public final class Ndt7Session implements Session.Listener.AutoDemanding {
  private static final Logger LOG = LoggerFactory.getLogger(Ndt7Session.class);

  private final Ndt7Server server;
  private final Subtest subtest;
  private final Grant grant;
  private final Map<String, String> metadata;
  private final String userAgent;

  // Set when the WebSocket opens; the callbacks that can come before that check session for null.
  @SuppressWarnings("NullAway.Init")
  private volatile Session session;

  private volatile boolean created;

  @SuppressWarnings("NullAway.Init")
  private volatile Instant start;

  private volatile long startNanos;

  private final AtomicBoolean finished = new AtomicBoolean();
  private final AtomicBoolean released = new AtomicBoolean();

  /** Set when the server starts the closing handshake; the reason is for the log. */
  private final AtomicReference<String> serverClosing = new AtomicReference<>();

  /** The failure that ends this subtest, first one wins. */
  private final AtomicReference<String> failure = new AtomicReference<>();

  private volatile boolean budgetReached;
  private volatile boolean closeSeen;

  /** Payload bytes: sent (download, counted when written) or received (upload). */
  private final AtomicLong bytes = new AtomicLong();

  /** The same at the WebSocket level, frame headers included, both message kinds. */
  private final AtomicLong frameBytes = new AtomicLong();

  /** The connection's endpoints and TCP_INFO, and the measurement messages made of them. */
  private final Ndt7Measurer measurer;

  // Scheduled as the test starts; cancel() takes them still unset when a test ends early.
  private volatile @Nullable ScheduledFuture<?> durationTimer;
  private volatile @Nullable ScheduledFuture<?> hardTimer;
  private volatile @Nullable ScheduledFuture<?> measureTimer;
  private volatile @Nullable ScheduledFuture<?> upgradeGuard;

  // Download sending state (touched only by the sender's process(), one at a time).
  private final AtomicBoolean measurementDue = new AtomicBoolean();
  private final AtomicBoolean textInFlight = new AtomicBoolean();

  // Made when a download's WebSocket opens; only the download path reads it.
  @SuppressWarnings("NullAway.Init")
  private Sender sender;

  // Upload receiving state (Jetty delivers one frame at a time).
  private long messageBytes;
  private final StringBuilder text = new StringBuilder();

  Ndt7Session(
      Ndt7Server server,
      Subtest subtest,
      Grant grant,
      Map<String, String> metadata,
      String userAgent) {
    this.server = server;
    this.subtest = subtest;
    this.grant = grant;
    this.metadata = metadata;
    this.userAgent = userAgent;
    this.start = server.clock.instant();
    this.startNanos = System.nanoTime();
    this.measurer = new Ndt7Measurer(server.tcpInfo, server.json, name(subtest));
  }

  static String name(Subtest subtest) {
    return subtest.name().toLowerCase(Locale.ROOT);
  }

  /** A redeemed grant that will not run (wrong subtest): reported as failed, nothing moved. */
  static void refused(Ndt7Server server, Grant grant, String error) {
    Instant now = server.clock.instant();
    report(
        server,
        grant,
        new ServerResult(now, now, 0, 0, Optional.empty(), Optional.empty(), Optional.of(error)));
  }

  // ----- upgrade -----

  void upgrading() {
    // Should the upgrade never reach onWebSocketOpen, this still reports and frees the slot.
    upgradeGuard =
        server.scheduler.schedule(
            () -> {
              if (session == null) {
                fail("the WebSocket connection never opened");
                finishNow();
              }
            },
            server.hardTimeout().toMillis(),
            TimeUnit.MILLISECONDS);
  }

  void created() {
    created = true;
  }

  boolean wasCreated() {
    return created;
  }

  void upgradeFailed(String error) {
    fail(error);
    finishNow();
  }

  // ----- WebSocket events -----

  @Override
  public void onWebSocketOpen(Session s) {
    this.session = s;
    this.start = server.clock.instant();
    this.startNanos = System.nanoTime();
    measurer.opened(s.getLocalSocketAddress(), s.getRemoteSocketAddress(), start);
    cancel(upgradeGuard);
    server.opened(this);
    if (finished.get()) { // the guard fired first
      s.disconnect();
      return;
    }
    s.setIdleTimeout(server.hardTimeout().plusSeconds(5));
    durationTimer =
        server.scheduler.schedule(
            () -> closeByServer("test duration reached"),
            server.maxDuration().toMillis(),
            TimeUnit.MILLISECONDS);
    hardTimer =
        server.scheduler.schedule(
            this::hardTimeout, server.hardTimeout().toMillis(), TimeUnit.MILLISECONDS);
    scheduleMeasurement();
    LOG.info(
        "event=ndt7_started test={} subtest={} client={} tls={} userAgent=\"{}\" " + "metadata={}",
        grant.testId(),
        name(subtest),
        Ndt7Measurer.endpoint(measurer.remote()),
        s.isSecure(),
        userAgent == null ? "" : userAgent.replace('"', '\''),
        metadata);
    if (subtest == Subtest.DOWNLOAD) {
      sender = new Sender();
      sender.iterate();
    }
  }

  @Override
  public void onWebSocketPartialBinary(ByteBuffer payload, boolean last, Callback callback) {
    int n = payload.remaining();
    callback.succeed();
    if (finished.get()) {
      return;
    }
    if (subtest == Subtest.DOWNLOAD) {
      // Spec: "An implementation receiving a binary message when it is not expected SHOULD close
      // the underlying TLS connection."
      fail("the client sent a binary message during the download");
      finishThen(Ndt7Session::disconnect);
      return;
    }
    long total = bytes.addAndGet(n);
    frameBytes.addAndGet(n + frameHeader(n, true));
    messageBytes += n;
    if (messageBytes > Ndt7Server.MAX_MESSAGE_SIZE) {
      fail("the client sent a binary message larger than 16 MiB");
      finishThen(s -> close(s, StatusCode.MESSAGE_TOO_LARGE, "message too large"));
      return;
    }
    if (last) {
      messageBytes = 0;
    }
    if (total > grant.maxBytes()) {
      fail(
          "the client sent "
              + total
              + " bytes, more than this test's budget of "
              + grant.maxBytes());
      finishThen(s -> close(s, StatusCode.POLICY_VIOLATION, "byte budget exceeded"));
    } else if (total == grant.maxBytes() && last) {
      budgetReached = true;
      closeByServer("byte budget reached");
    }
  }

  @Override
  public void onWebSocketPartialText(String payload, boolean last) {
    if (finished.get()) {
      return;
    }
    frameBytes.addAndGet(payload.length() + frameHeader(payload.length(), true));
    text.append(payload);
    if (text.length() > Ndt7Server.MAX_MESSAGE_SIZE) {
      fail("the client sent a text message larger than 16 MiB");
      text.setLength(0);
      finishThen(s -> close(s, StatusCode.MESSAGE_TOO_LARGE, "message too large"));
      return;
    }
    if (!last) {
      return;
    }
    String message = text.toString();
    text.setLength(0);
    // Spec: textual messages are JSON measurements. Anything else is a broken client.
    try {
      JsonNode node = server.json.readTree(message);
      if (node == null || !node.isObject()) {
        throw new IllegalArgumentException("not a JSON object");
      }
    } catch (JsonProcessingException | IllegalArgumentException e) {
      fail("the client sent a text message that is not an ndt7 measurement (JSON object)");
      finishThen(s -> close(s, StatusCode.BAD_PAYLOAD, "malformed measurement message"));
    }
  }

  @Override
  public void onWebSocketError(Throwable cause) {
    // After the close frame the outcome is known; a peer that then drops the TCP connection at
    // once changes nothing.
    if (finished.get() || closeSeen) {
      return;
    }
    if (serverClosing.get() != null) {
      // The test ran its course and the server is closing: spec, "both the client and the server
      // SHOULD tolerate any abrupt EOF, RST ... we do not want such events to cause a whole test
      // to fail". Logged, not a failure.
      LOG.warn(
          "event=ndt7_abrupt_close test={} subtest={} error=\"{}\"",
          grant.testId(),
          name(subtest),
          describe(cause));
    } else {
      fail("WebSocket error: " + describe(cause));
    }
    finishThen(null);
  }

  @Override
  public void onWebSocketClose(int statusCode, String reason, Callback callback) {
    closeSeen = true;
    if (finished.get()) {
      callback.succeed();
      return;
    }
    // The last TCP_INFO, now: the peer may drop the connection right after its close frame.
    measurer.sampleTcp(elapsedMicros());
    double elapsed = elapsedMicros() / 1e6;
    String closing = serverClosing.get();
    boolean normal = statusCode == StatusCode.NORMAL;
    if (closing != null) {
      if (!normal) { // tolerated once the server is closing (see onWebSocketError)
        LOG.warn(
            "event=ndt7_abrupt_close test={} subtest={} code={} reason=\"{}\"",
            grant.testId(),
            name(subtest),
            statusCode,
            reason == null ? "" : reason);
      }
    } else if (statusCode == StatusCode.NO_CLOSE) {
      fail(
          String.format(
              Locale.ROOT, "the connection was lost after %.1f s%s", elapsed, reasonText(reason)));
    } else if (!normal) {
      fail(
          String.format(
              Locale.ROOT,
              "the client closed the connection with code %d%s after " + "%.1f s",
              statusCode,
              reasonText(reason),
              elapsed));
    } else if (!budgetReached && elapsedMicros() < nearlyDoneMicros()) {
      fail(
          String.format(
              Locale.ROOT,
              "the client closed the connection after %.1f s, before " + "the end of the %d s test",
              elapsed,
              server.maxDuration().toSeconds()));
    }
    finishThen(s -> callback.succeed());
  }

  // ----- server-side ending -----

  /** A normal end (duration or budget): start the closing handshake, wait for the client's. */
  private void closeByServer(String why) {
    if (finished.get() || !serverClosing.compareAndSet(null, why)) {
      return;
    }
    cancel(measureTimer);
    Session s = session;
    if (s != null) {
      s.close(StatusCode.NORMAL, "Done sending", Callback.NOOP);
    }
  }

  private void hardTimeout() {
    if (finished.get()) {
      return;
    }
    fail(
        serverClosing.get() != null
            ? "the client did not complete the closing handshake within "
                + server.hardTimeout().toSeconds()
                + " s (stalled or never closed)"
            : "the test was still running at the hard limit of "
                + server.hardTimeout().toSeconds()
                + " s");
    finishThen(Ndt7Session::disconnect);
  }

  void serverStopping() {
    if (finished.get()) {
      return;
    }
    fail("the server stopped during the test");
    Session s = session;
    finishNow();
    if (s != null) {
      s.close(StatusCode.SHUTDOWN, "server stopping", Callback.NOOP);
    }
  }

  private void fail(String error) {
    failure.compareAndSet(null, error);
  }

  /**
   * Finishes on the timer thread (TCP_INFO is read there, before the socket goes), then runs after
   * with the session (which may be null when the connection never opened).
   */
  private void finishThen(@Nullable Consumer<Session> after) { // null: nothing after
    Runnable task =
        () -> {
          try {
            finishNow();
          } finally {
            if (after != null) {
              after.accept(session);
            }
          }
        };
    try {
      server.scheduler.execute(task);
    } catch (RejectedExecutionException e) { // stopping
      task.run();
    }
  }

  private static void disconnect(Session s) {
    if (s != null) {
      s.disconnect();
    }
  }

  private static void close(Session s, int code, String reason) {
    if (s != null) {
      s.close(code, reason, Callback.NOOP);
    }
  }

  /** Ends the subtest, once: timers off, the slot freed, the result logged and reported. */
  private void finishNow() {
    if (!finished.compareAndSet(false, true)) {
      return;
    }
    cancel(durationTimer);
    cancel(hardTimer);
    cancel(measureTimer);
    cancel(upgradeGuard);
    // TCP_INFO: fresh, else the latest
    Ndt7TcpInfo.Sample tcp = session != null ? measurer.sampleTcp(elapsedMicros()) : null;
    ServerResult result = result(tcp);
    if (released.compareAndSet(false, true)) {
      server.releaseSlot();
    }
    server.closed(this);
    server.metrics.finished(subtest, result.error().isEmpty(), result.bytes());
    LOG.info(
        "event=ndt7_finished test={} subtest={} seconds={} bytes={} wireBytes={} "
            + "mbps={} minRttMs={} error=\"{}\"",
        grant.testId(),
        name(subtest),
        String.format(
            Locale.ROOT, "%.3f", Duration.between(result.start(), result.end()).toNanos() / 1e9),
        result.bytes(),
        result.wireBytes(),
        String.format(Locale.ROOT, "%.2f", mbps(result.bytes(), result.start(), result.end())),
        result.minRttMs().map(String::valueOf).orElse(""),
        result.error().orElse(""));
    report(server, grant, result);
  }

  /** What the subtest moved and how it ended, now; {@code tcp}: the last TCP_INFO, or null. */
  private ServerResult result(Ndt7TcpInfo.@Nullable Sample tcp) { // null: no TCP_INFO
    Instant end = server.clock.instant();
    long payloadBytes = bytes.get();
    String error = failure.get();
    if (error == null && subtest == Subtest.UPLOAD && payloadBytes == 0) {
      error = "the client sent no data";
    }
    long wire = frameBytes.get();
    Optional<Double> minRtt = Optional.empty();
    Optional<Double> srtt = Optional.empty();
    if (tcp != null) {
      // The kernel's count includes TLS, WebSocket and HTTP bytes; a sample taken before the end
      // (the connection was already gone) can be below the WebSocket count, which then stands.
      wire = Math.max(wire, subtest == Subtest.DOWNLOAD ? tcp.bytesAcked() : tcp.bytesReceived());
      minRtt = tcp.minRtt() > 0 ? Optional.of(tcp.minRtt() / 1000.0) : Optional.empty();
      srtt = tcp.rtt() > 0 ? Optional.of(tcp.rtt() / 1000.0) : Optional.empty();
    }
    return new ServerResult(
        start, end, payloadBytes, wire, minRtt, srtt, Optional.ofNullable(error));
  }

  private static void report(Ndt7Server server, Grant grant, ServerResult result) {
    try {
      server.access.finished(grant, result);
    } catch (RuntimeException e) {
      LOG.error(
          "event=ndt7_result_not_stored test={} error=\"{}\"", grant.testId(), e.toString(), e);
    }
  }

  // ----- measurements -----

  private void scheduleMeasurement() {
    long mean = Math.max(1, server.config.getMeasurementInterval().toMilliseconds());
    long delay = Ndt7Measurer.nextDelayMillis(mean);
    try {
      measureTimer = server.scheduler.schedule(this::measure, delay, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // stopping
    }
  }

  private void measure() {
    if (finished.get() || serverClosing.get() != null) {
      return;
    }
    if (server.tcpInfo.isPresent()) {
      measurer.sampleTcp(elapsedMicros());
    }
    if (subtest == Subtest.DOWNLOAD) {
      measurementDue.set(true);
      Sender s = sender;
      if (s != null) {
        s.iterate();
      }
    } else if (textInFlight.compareAndSet(false, true)) {
      // Upload: the server sends only measurements and pings, from this thread.
      Session s = session;
      String m = measurementJson();
      frameBytes.addAndGet(m.length() + frameHeader(m.length(), false));
      s.sendText(
          m,
          Callback.from(
              () -> {
                textInFlight.set(false);
                s.sendPing(Ndt7Measurer.pingPayload(), Callback.NOOP);
              },
              x -> textInFlight.set(false)));
    }
    scheduleMeasurement();
  }

  /** The measurement message for now. */
  private String measurementJson() {
    return measurer.json(elapsedMicros(), bytes.get());
  }

  /** Download: one message at a time, each sent when the previous one has been written. */
  private final class Sender extends IteratingCallback {
    private int size = Ndt7Server.INITIAL_MESSAGE_SIZE;
    private int inFlight;
    private boolean pingDue;
    private final Callback callback = Callback.from(this::succeeded, this::failed);

    @Override
    protected Action process() {
      if (inFlight > 0) {
        bytes.addAndGet(inFlight);
        frameBytes.addAndGet(inFlight + frameHeader(inFlight, false));
        long total = bytes.get();
        // Spec appendix / M-Lab sender: double while size <= total / 16, up to the cap.
        if (size < Ndt7Server.MAX_SCALED_MESSAGE_SIZE
            && size <= total / Ndt7Server.SCALING_FRACTION) {
          size *= 2;
        }
        inFlight = 0;
      }
      Session s = session;
      if (finished.get() || serverClosing.get() != null || s == null || !s.isOpen()) {
        return Action.SUCCEEDED;
      }
      if (measurementDue.getAndSet(false)) {
        String m = measurementJson();
        frameBytes.addAndGet(m.length() + frameHeader(m.length(), false));
        pingDue = true;
        s.sendText(m, callback);
        return Action.SCHEDULED;
      }
      if (pingDue) {
        pingDue = false;
        s.sendPing(Ndt7Measurer.pingPayload(), callback);
        return Action.SCHEDULED;
      }
      long remaining = grant.maxBytes() - bytes.get();
      int next = size;
      if (remaining < next) {
        if (remaining < Ndt7Server.MIN_MESSAGE_SIZE) {
          budgetReached = true;
          closeByServer("byte budget reached");
          return Action.SUCCEEDED;
        }
        next = Integer.highestOneBit((int) remaining);
      }
      inFlight = next;
      s.sendBinary(server.payload.slice(0, next), callback);
      return Action.SCHEDULED;
    }

    @Override
    protected void onCompleteFailure(Throwable cause) {
      // A send racing with the server's own close fails harmlessly: the close decides.
      if (!finished.get() && serverClosing.get() == null) {
        fail(
            "sending failed after "
                + String.format(Locale.ROOT, "%.1f s", elapsedMicros() / 1e6)
                + ": "
                + describe(cause));
        finishThen(Ndt7Session::disconnect);
      }
    }
  }

  // ----- helpers -----

  private long elapsedMicros() {
    return (System.nanoTime() - startNanos) / 1_000;
  }

  private long nearlyDoneMicros() {
    // A client's own 10 s starts a little after ours; allow 10 % (1 s at the default).
    return server.maxDuration().toNanos() / 1_000 * 9 / 10;
  }

  private static long frameHeader(long payload, boolean masked) {
    long h = payload < 126 ? 2 : payload < 65_536 ? 4 : 10;
    return masked ? h + 4 : h;
  }

  private static String reasonText(String reason) {
    return reason == null || reason.isBlank() ? "" : " (" + reason + ")";
  }

  private static String describe(Throwable t) {
    String m = t.getMessage();
    return t.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }

  private static double mbps(long bytes, Instant start, Instant end) {
    long nanos = Duration.between(start, end).toNanos();
    return nanos <= 0 ? 0 : bytes * 8e3 / nanos;
  }

  private static void cancel(@Nullable ScheduledFuture<?> f) {
    if (f != null) {
      f.cancel(false);
    }
  }
}
