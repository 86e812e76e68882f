package org.enlace.server.ingest;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.enlace.server.domain.ComputerStatus;
import org.enlace.server.domain.LatencyHistogram;
import org.enlace.server.ingest.Observation.TimeSource;
import org.enlace.server.web.ApiException;

/**
 * Validates a report body observation by observation: one malformed observation is rejected on its
 * own, with the field named, and never holds back the rest of the batch.
 *
 * <p>Clock rules: an observation's time is corrected with the offset the agent measured against
 * this server when it made the observation ({@code clockOffsetMs}); failing that, with this
 * server's estimate for the batch ({@code receivedAt - sentAt}). A corrected time in the future, or
 * before the agent enrolled, is rejected with the reason, never stored as if true.
 */
public final class ReportParser {
  private final Duration retention;
  public static final int PROTOCOL_VERSION = 1;
  static final Set<String> STATUSES = ComputerStatus.WIRE_NAMES;
  private static final int MAX_JSON_FIELD_BYTES = 16 * 1024;

  /**
   * Jackson's limits, set here rather than inherited from its defaults so that they are part of the
   * protocol (docs/protocol.md): deeper nesting or a longer number is answered 400 {@code
   * malformed_json}. A report is 4 levels deep before its {@code checks} begin.
   */
  static final int MAX_NESTING_DEPTH = 1000;

  static final int MAX_NUMBER_LENGTH = 1000;

  /**
   * RFC 3339 writes years with four digits; java.time also reads {@code +999999999-…}, which
   * PostgreSQL cannot store (its timestamps end in 294276) and whose offset from the server's clock
   * overflows a long of milliseconds. A time outside years 0000–9999 (a day either side, for the
   * offsets) is refused like any other text that is not a timestamp.
   */
  private static final Instant EARLIEST =
      Instant.parse("0000-01-01T00:00:00Z").minusSeconds(86_400);

  private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z").plusSeconds(86_400);

  /** The largest clock offset believed: 50 years of 366 days. */
  private static final long PLAUSIBLE_OFFSET_MS = Duration.ofDays(366 * 50).toMillis();

  private final ObjectMapper json;
  private final IngestConfig config;

  public ReportParser(ObjectMapper json, IngestConfig config) {
    this(json, config, Duration.ofDays(366 * 100));
  }

  /**
   * {@code retention}: raw observations older than this are deleted, by whole monthly partitions.
   * Storing an older one would bring back a partition the next retention run drops again, so it is
   * rejected instead.
   */
  public ReportParser(ObjectMapper json, IngestConfig config, Duration retention) {
    this.retention = retention;
    // A copy, so that the limits below are ours without changing the application's mapper.
    this.json = json.copy();
    this.json
        .getFactory()
        .setStreamReadConstraints(
            StreamReadConstraints.builder()
                .maxNestingDepth(MAX_NESTING_DEPTH)
                .maxNumberLength(MAX_NUMBER_LENGTH)
                .build());
    this.config = config;
  }

  public ParsedReport parse(byte[] body, Instant receivedAt, Instant enrolledAt) {
    int badByte = Utf8.firstInvalid(body);
    if (badByte >= 0) {
      // Jackson would take some of these for UTF-16 or let them through into the stored checks
      // text, which PostgreSQL then refuses in the middle of a shared commit.
      throw new ApiException(
          400,
          "malformed_json",
          "body is not valid JSON: not UTF-8 (or a NUL byte) at byte offset " + badByte);
    }
    Body parsed;
    try {
      parsed = read(body);
    } catch (JsonProcessingException e) {
      // Jackson's limits (nesting, number length) throw without a location.
      var where = e.getLocation();
      throw new ApiException(
          400,
          "malformed_json",
          "body is not valid JSON: "
              + e.getOriginalMessage()
              + (where == null
                  ? ""
                  : " at line " + where.getLineNr() + ", column " + where.getColumnNr()));
    } catch (IOException e) {
      throw new ApiException(400, "malformed_json", "body could not be read: " + e.getMessage());
    }
    JsonNode root = parsed.root();
    if (root == null || !root.isObject()) {
      throw ApiException.badRequest("body", "must be a JSON object");
    }
    int version = root.path("protocolVersion").asInt(PROTOCOL_VERSION);
    if (!root.path("protocolVersion").isMissingNode() && !root.get("protocolVersion").isInt()) {
      throw ApiException.badRequest("protocolVersion", "must be an integer");
    }
    if (version < 1 || version > PROTOCOL_VERSION) {
      throw ApiException.badRequest(
          "protocolVersion",
          "version "
              + version
              + " is not spoken by this server (it accepts 1.."
              + PROTOCOL_VERSION
              + ")");
    }
    Optional<Instant> sentAt = Optional.empty();
    if (root.hasNonNull("sentAt")) {
      sentAt =
          Optional.of(
              time(root.get("sentAt"))
                  .orElseThrow(
                      () ->
                          ApiException.badRequest(
                              "sentAt", "must be an RFC 3339 timestamp (years 0000 to 9999)")));
    }
    Optional<Long> estimate = sentAt.map(s -> Duration.between(s, receivedAt).toMillis());
    long dropped = 0;
    if (root.has("droppedObservations")) {
      JsonNode d = root.get("droppedObservations");
      if (!d.canConvertToLong() || !d.isIntegralNumber() || d.asLong() < 0) {
        throw ApiException.badRequest("droppedObservations", "must be a non-negative integer");
      }
      dropped = d.asLong();
    }
    Optional<ParsedReport.Queue> queue = queue(root.get("queue"), estimate, receivedAt);
    JsonNode items = root.get("observations");
    if (items == null || !items.isArray()) {
      throw ApiException.badRequest("observations", "must be an array");
    }
    if (items.size() > config.getMaxObservationsPerReport()) {
      throw new ApiException(
          413,
          "too_many_observations",
          "a report may carry at most "
              + config.getMaxObservationsPerReport()
              + " observations; this one has "
              + items.size());
    }
    List<Observation> observations = new ArrayList<>(items.size());
    List<Rejection> rejections = new ArrayList<>();
    List<Long> duplicates = new ArrayList<>();
    Set<Long> seen = new HashSet<>();
    for (int i = 0; i < items.size(); i++) {
      try {
        Observation o =
            observation(items.get(i), i, parsed.checksText(i), estimate, receivedAt, enrolledAt);
        if (seen.add(o.seq())) {
          observations.add(o);
        } else {
          duplicates.add(o.seq());
        }
      } catch (Invalid e) {
        JsonNode seq = items.get(i).path("seq");
        rejections.add(
            new Rejection(
                i,
                seq.isIntegralNumber() && seq.canConvertToLong()
                    ? Optional.of(seq.asLong())
                    : Optional.empty(),
                e.reason,
                "observations[" + i + "]" + (e.field.isEmpty() ? "" : "." + e.field),
                e.detail));
      }
    }
    return new ParsedReport(
        version, sentAt, estimate, dropped, queue, observations, duplicates, rejections);
  }

  /**
   * The optional {@code queue} (agents since protocol v1's queue addition; absent or null from
   * older ones). Invalid values refuse the report whole, like droppedObservations. oldestAt is
   * corrected with the batch's estimate when sentAt gave one, and ignored when depth is 0. A time
   * more than 50 years from the server's is refused: it could not be stored.
   */
  private static Optional<ParsedReport.Queue> queue(
      JsonNode q, Optional<Long> estimate, Instant receivedAt) {
    if (q == null || q.isNull()) {
      return Optional.empty();
    }
    if (!q.isObject()) {
      throw ApiException.badRequest("queue", "must be an object");
    }
    JsonNode d = q.path("depth");
    if (!d.isIntegralNumber() || !d.canConvertToLong() || d.asLong() < 0) {
      throw ApiException.badRequest("queue.depth", "must be a non-negative integer");
    }
    Optional<Instant> oldest = Optional.empty();
    if (q.hasNonNull("oldestAt")) {
      Instant t =
          time(q.get("oldestAt"))
              .orElseThrow(
                  () -> ApiException.badRequest("queue.oldestAt", "must be an RFC 3339 timestamp"));
      Duration plausible = Duration.ofDays(366 * 50);
      if (t.isBefore(receivedAt.minus(plausible)) || t.isAfter(receivedAt.plus(plausible))) {
        throw ApiException.badRequest("queue.oldestAt", "is not a plausible time");
      }
      if (d.asLong() > 0) {
        // Corrected only with a believable estimate (as observations are: the clock rule), so the
        // time stays within PostgreSQL's range whatever sentAt said.
        oldest =
            Optional.of(
                estimate
                    .filter(e -> Math.abs(e) <= PLAUSIBLE_OFFSET_MS)
                    .map(t::plusMillis)
                    .orElse(t));
      }
    }
    return Optional.of(new ParsedReport.Queue(d.asLong(), oldest));
  }

  /**
   * The body as Jackson's tree, as {@code readTree} would build it, plus the text of each
   * observation's {@code checks} object as the agent sent it: that text is what is stored, so the
   * tree need not be written back out to JSON (a tenth of a request's CPU, and more in batches).
   */
  private record Body(JsonNode root, List<Optional<String>> checks) {
    Optional<String> checksText(int observation) {
      return observation < checks.size() ? checks.get(observation) : Optional.empty();
    }
  }

  private Body read(byte[] body) throws IOException {
    try (JsonParser p = json.getFactory().createParser(body)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return new Body(json.readTree(body), List.of()); // refused below, as it always was
      }
      ObjectNode root = json.createObjectNode();
      List<Optional<String>> checks = new ArrayList<>();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        if (name.equals("observations") && value == JsonToken.START_ARRAY) {
          ArrayNode items = json.createArrayNode();
          checks.clear();
          JsonToken item;
          while ((item = p.nextToken()) != JsonToken.END_ARRAY) {
            if (item == null) {
              throw new JsonParseException(p, "Unexpected end-of-input in observations");
            }
            if (item == JsonToken.START_OBJECT) {
              items.add(observationNode(p, body, checks));
            } else {
              items.add(tree(p));
              checks.add(Optional.empty());
            }
          }
          root.set(name, items);
        } else {
          root.set(name, tree(p));
        }
      }
      return new Body(root, checks);
    }
  }

  private ObjectNode observationNode(JsonParser p, byte[] body, List<Optional<String>> checks)
      throws IOException {
    ObjectNode o = json.createObjectNode();
    Optional<String> text = Optional.empty();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken value = p.nextToken();
      boolean isChecks = name.equals("checks");
      int start = (int) p.currentTokenLocation().getByteOffset();
      o.set(name, tree(p));
      if (isChecks) {
        text =
            value == JsonToken.START_OBJECT
                ? Optional.of(
                    new String(
                        body,
                        start,
                        (int) p.currentLocation().getByteOffset() - start,
                        StandardCharsets.UTF_8))
                : Optional.empty();
      }
    }
    checks.add(text);
    return o;
  }

  /** The value at the parser's current token; JSON null is a NullNode, as in readTree. */
  private JsonNode tree(JsonParser p) throws IOException {
    return p.currentToken() == JsonToken.VALUE_NULL ? NullNode.getInstance() : json.readTree(p);
  }

  private Observation observation(
      JsonNode n,
      int index,
      Optional<String> checksText,
      Optional<Long> estimate,
      Instant receivedAt,
      Instant enrolledAt)
      throws Invalid {
    if (!n.isObject()) {
      throw new Invalid("malformed", "", "an observation must be a JSON object");
    }
    JsonNode seqNode = n.path("seq");
    if (!seqNode.isIntegralNumber() || !seqNode.canConvertToLong() || seqNode.asLong() < 0) {
      throw new Invalid("malformed", "seq", "must be a non-negative integer");
    }
    long seq = seqNode.asLong();
    Instant agentTime =
        time(n.path("observedAt"))
            .orElseThrow(
                () ->
                    new Invalid(
                        "malformed",
                        "observedAt",
                        "must be an RFC 3339 timestamp with offset (years 0000 to 9999)"));
    String status = n.path("status").asText("");
    if (!n.path("status").isTextual() || !STATUSES.contains(status)) {
      throw new Invalid("malformed", "status", "must be one of online, limited, offline");
    }
    JsonNode reasonNode = n.path("reason");
    if (!reasonNode.isMissingNode() && !reasonNode.isNull() && !reasonNode.isTextual()) {
      throw new Invalid("malformed", "reason", "must be a string");
    }
    String reason = reasonNode.asText("");
    if (reason.length() > 500) {
      throw new Invalid("malformed", "reason", "must be at most 500 characters");
    }
    storable(reasonNode, "reason");
    JsonNode checks = n.path("checks");
    if (!checks.isObject()) {
      throw new Invalid("malformed", "checks", "must be an object");
    }
    String checksJson = checksText.orElseGet(checks::toString);
    validateChecks(checks, checksJson);
    storable(checks, "checks");
    Optional<String> speedTest = optionalObject(n, "speedTest");
    Optional<String> counters = optionalObject(n, "interfaceCounters");
    storable(n.path("speedTest"), "speedTest");
    storable(n.path("interfaceCounters"), "interfaceCounters");
    if (counters.isPresent()) {
      for (String f : List.of("rxBytes", "txBytes")) {
        JsonNode v = n.get("interfaceCounters").path(f);
        if (!v.isMissingNode() && (!v.isIntegralNumber() || v.asLong() < 0)) {
          throw new Invalid(
              "malformed", "interfaceCounters." + f, "must be a non-negative integer");
        }
      }
    }

    long offset;
    TimeSource source;
    JsonNode offsetNode = n.path("clockOffsetMs");
    if (offsetNode.isIntegralNumber() && offsetNode.canConvertToLong()) {
      offset = offsetNode.asLong();
      source = TimeSource.AGENT;
    } else if (!offsetNode.isMissingNode() && !offsetNode.isNull()) {
      throw new Invalid("malformed", "clockOffsetMs", "must be an integer (milliseconds)");
    } else if (estimate.isPresent()) {
      offset = estimate.get();
      source = TimeSource.SERVER_ESTIMATE;
    } else {
      offset = 0;
      source = TimeSource.UNVERIFIED;
    }
    // Not Math.abs: it leaves Long.MIN_VALUE negative, and so "plausible".
    if (offset > PLAUSIBLE_OFFSET_MS || offset < -PLAUSIBLE_OFFSET_MS) {
      throw new Invalid("clock", "clockOffsetMs", "is not a plausible clock offset");
    }
    Instant observedAt = agentTime.plusMillis(offset);
    if (observedAt.isAfter(receivedAt.plus(config.getFutureTolerance().toJavaDuration()))) {
      throw new Invalid(
          "future_timestamp",
          "observedAt",
          "corrected time "
              + observedAt
              + " is after the server's time "
              + receivedAt
              + "; the agent's clock or offset is wrong");
    }
    if (observedAt.isBefore(enrolledAt.minus(config.getPastTolerance().toJavaDuration()))) {
      throw new Invalid(
          "before_enrollment",
          "observedAt",
          "corrected time "
              + observedAt
              + " is before the agent enrolled ("
              + enrolledAt
              + "); the agent's clock is wrong");
    }
    if (observedAt.isBefore(receivedAt.minus(retention))) {
      throw new Invalid(
          "beyond_retention",
          "observedAt",
          "corrected time "
              + observedAt
              + " is older than the server keeps raw observations ("
              + retention.toDays()
              + " days)");
    }
    return new Observation(
        seq,
        agentTime,
        observedAt,
        offset,
        source,
        status,
        reason,
        checksJson,
        speedTest,
        counters,
        LatencyHistogram.latencies(checks),
        speedTest.map(t -> speedFigures(n.get("speedTest"))),
        index);
  }

  /** A failed test ("error" present) keeps its record but no speed: never a made-up figure. */
  private static Observation.SpeedTest speedFigures(JsonNode t) {
    Optional<String> error =
        t.path("error").isTextual() && !t.path("error").asText().isBlank()
            ? Optional.of(truncate(t.path("error").asText(), 500))
            : Optional.empty();
    Optional<UUID> testId = Optional.empty();
    if (t.path("testId").isTextual()) {
      try {
        testId = Optional.of(UUID.fromString(t.path("testId").asText()));
      } catch (IllegalArgumentException e) {
        testId = Optional.empty(); // not one of ours (e.g. an M-Lab test): kept without a link
      }
    }
    boolean ok = error.isEmpty();
    return new Observation.SpeedTest(
        truncate(t.path("method").asText("unknown"), 40),
        testId,
        ok ? positive(t, "downMbps") : Optional.empty(),
        ok ? positive(t, "upMbps") : Optional.empty(),
        positive(t, "latencyMs"),
        positive(t, "latencyLoadedMs"),
        error);
  }

  /** At most {@code max} chars, never cutting a surrogate pair in two. */
  private static String truncate(String s, int max) {
    if (s.length() <= max) {
      return s;
    }
    return s.substring(0, Character.isHighSurrogate(s.charAt(max - 1)) ? max - 1 : max);
  }

  /**
   * Refuses text PostgreSQL cannot store, anywhere in a value that is stored: U+0000 (text and json
   * values are C strings to PostgreSQL, and json's escaped NUL breaks every later {@code ->>}) and
   * a surrogate without its pair (json refuses the escape; text would get a '?'). Object keys are
   * checked as well as values. Found in the middle of a shared group commit, either used to fail
   * every report in it.
   */
  private static void storable(JsonNode n, String path) throws Invalid {
    if (n.isTextual()) {
      String problem = unstorable(n.textValue());
      if (problem != null) {
        throw new Invalid(
            "unsupported_character", path, "contains " + problem + ", which cannot be stored");
      }
    } else if (n.isArray()) {
      for (int i = 0; i < n.size(); i++) {
        storable(n.get(i), path + "[" + i + "]");
      }
    } else if (n.isObject()) {
      for (Map.Entry<String, JsonNode> e : n.properties()) {
        String problem = unstorable(e.getKey());
        if (problem != null) {
          throw new Invalid(
              "unsupported_character",
              path,
              "has a key that contains " + problem + ", which cannot be stored");
        }
        storable(e.getValue(), path + "." + e.getKey());
      }
    }
  }

  /** What in {@code s} PostgreSQL cannot store, or null. */
  static @org.jspecify.annotations.Nullable String unstorable(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == 0) {
        return "U+0000 (NUL)";
      }
      if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c)
            && i + 1 < s.length()
            && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
        } else {
          return String.format("an unpaired surrogate (U+%04X)", (int) c);
        }
      }
    }
    return null;
  }

  private static Optional<Double> positive(JsonNode n, String field) {
    JsonNode v = n.path(field);
    return v.isNumber() && v.asDouble() >= 0 && Double.isFinite(v.asDouble())
        ? Optional.of(v.asDouble())
        : Optional.empty();
  }

  private static void validateChecks(JsonNode checks, String json) throws Invalid {
    for (String list : List.of("dns", "http", "latency")) {
      JsonNode v = checks.path(list);
      if (!v.isMissingNode() && !v.isArray()) {
        throw new Invalid("malformed", "checks." + list, "must be an array");
      }
    }
    JsonNode portal = checks.path("captivePortal");
    if (!portal.isMissingNode() && !portal.isObject()) {
      throw new Invalid("malformed", "checks.captivePortal", "must be an object");
    }
    JsonNode loss = checks.path("loss");
    if (!loss.isMissingNode() && (!loss.isNumber() || loss.asDouble() < 0 || loss.asDouble() > 1)) {
      throw new Invalid("malformed", "checks.loss", "must be a number from 0 to 1");
    }
    if (json.length() > MAX_JSON_FIELD_BYTES) {
      throw new Invalid("malformed", "checks", "must be at most 16 KiB");
    }
  }

  private static Optional<String> optionalObject(JsonNode n, String field) throws Invalid {
    JsonNode v = n.path(field);
    if (v.isMissingNode() || v.isNull()) {
      return Optional.empty();
    }
    if (!v.isObject()) {
      throw new Invalid("malformed", field, "must be an object");
    }
    String text = v.toString();
    if (text.length() > MAX_JSON_FIELD_BYTES) {
      throw new Invalid("malformed", field, "must be at most 16 KiB");
    }
    return Optional.of(text);
  }

  private static Optional<Instant> time(JsonNode n) {
    return n.isTextual()
        ? Rfc3339.parse(n.asText()).filter(t -> !t.isBefore(EARLIEST) && !t.isAfter(LATEST))
        : Optional.empty();
  }

  private static final class Invalid extends Exception {
    private static final long serialVersionUID = 1L;
    final String reason;
    final String field;
    final String detail; // the message, never null

    Invalid(String reason, String field, String message) {
      super(message, null, false, false);
      this.reason = reason;
      this.field = field;
      this.detail = message;
    }
  }
}
