package org.enlace.server.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

/**
 * Report bodies for {@code POST /api/v1/reports}, mutated from the protocol's example requests
 * (docs/protocol/v1/examples): truncations, type swaps, extreme numbers and dates, NUL, lone
 * surrogates, invalid UTF-8, deep nesting, duplicate keys, huge arrays, gzip (valid and broken).
 * Deterministic for a given {@link Random}, apart from the wall clock the times are set around. One
 * fuzzer per agent: it numbers that agent's observations so that most valid ones are new.
 */
public final class ReportFuzzer {
  /** A body to send, its headers, and what was done to it (for a failure message). */
  @SuppressWarnings("ArrayRecordComponent") // built once, sent once, never compared
  public record Fuzzed(byte[] body, String[] headers, String mutations) {}

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final Pattern MARKS = Pattern.compile("\u00a7F(\\d+)\u00a7");

  private final List<ObjectNode> examples;
  private final Random random;
  private long nextSeq = 1;

  public ReportFuzzer(List<ObjectNode> examples, Random random) {
    this.examples = examples;
    this.random = random;
  }

  /** The protocol's example report requests. */
  public static List<ObjectNode> examples() {
    Path dir =
        Path.of(System.getProperty("enlace.docs.dir", "../docs")).resolve("protocol/v1/examples");
    if (!Files.isDirectory(dir)) {
      dir = Path.of("docs/protocol/v1/examples");
    }
    try (Stream<Path> files = Files.list(dir)) {
      List<ObjectNode> out = new ArrayList<>();
      for (Path f : files.sorted().toList()) {
        if (f.getFileName().toString().startsWith("report-request")) {
          out.add((ObjectNode) Api.JSON.readTree(f.toFile()));
        }
      }
      if (out.isEmpty()) {
        throw new IllegalStateException("no report-request examples in " + dir);
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Fuzzed next() {
    ObjectNode report = base();
    List<String> done = new ArrayList<>();
    // About a third are sent as they are (after renumbering), so that plenty is stored.
    int mutations = random.nextInt(3) == 0 ? 0 : 1 + random.nextInt(3);
    List<String> textEdits = new ArrayList<>();
    for (int i = 0; i < mutations; i++) {
      done.add(mutateTree(report, textEdits));
    }
    String text = report.toString();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(text.length() + 64);
    // The text edits: each mark becomes an escape or raw bytes that a tree cannot hold.
    int from = 0;
    Matcher m = MARKS.matcher(text);
    while (m.find()) {
      int at = m.start();
      String edit = textEdits.get(Integer.parseInt(m.group(1)));
      // Deep nesting replaces the whole string "mark": Jackson will not write it from a tree.
      boolean value =
          edit.startsWith("deep:")
              && at > from
              && text.charAt(at - 1) == '"'
              && m.end() < text.length()
              && text.charAt(m.end()) == '"';
      bytes.writeBytes(text.substring(from, value ? at - 1 : at).getBytes(StandardCharsets.UTF_8));
      bytes.writeBytes(editBytes(edit));
      from = m.end() + (value ? 1 : 0);
    }
    bytes.writeBytes(text.substring(from).getBytes(StandardCharsets.UTF_8));
    byte[] body = bytes.toByteArray();
    String[] headers = new String[0];
    int roll = random.nextInt(100);
    if (roll < 4) {
      body = truncate(body);
      done.add("truncated");
    } else if (roll < 6) {
      body = duplicateKey(body);
      done.add("duplicate key");
    }
    roll = random.nextInt(100);
    if (roll < 8) {
      body = gzip(body);
      headers = new String[] {"Content-Encoding", "gzip"};
      done.add("gzip");
    } else if (roll < 11) {
      body = gzip(body);
      body = breakGzip(body);
      headers = random.nextBoolean() ? new String[] {"Content-Encoding", "gzip"} : headers;
      done.add("broken gzip");
    }
    return new Fuzzed(body, headers, String.join(", ", done));
  }

  /** An example with fresh times and this agent's next sequence numbers. */
  private ObjectNode base() {
    ObjectNode r = examples.get(random.nextInt(examples.size())).deepCopy();
    Instant now = Instant.now();
    if (r.has("sentAt") || random.nextBoolean()) {
      r.put("sentAt", now.toString());
    }
    if (r.get("queue") instanceof ObjectNode q && q.has("oldestAt")) {
      q.put("oldestAt", now.minusSeconds(600).toString());
    }
    JsonNode items = r.get("observations");
    if (items instanceof ArrayNode obs) {
      for (JsonNode o : obs) {
        if (o instanceof ObjectNode on) {
          if (on.get("seq") != null && on.get("seq").isIntegralNumber()) {
            on.put("seq", nextSeq++);
          }
          if (on.has("observedAt")) {
            on.put("observedAt", now.minusSeconds(1 + random.nextInt(3600)).toString());
          }
          if (on.has("clockOffsetMs")) {
            on.put("clockOffsetMs", random.nextInt(2001) - 1000);
          }
        }
      }
    }
    return r;
  }

  private static final String[] DATES = {
    "+999999999-12-31T23:59:59Z",
    "-999999999-01-01T00:00:00Z",
    "+10000-01-01T00:00:00Z",
    "+294277-01-01T00:00:00Z",
    "-4714-11-24T00:00:00Z",
    "0000-01-01T00:00:00Z",
    "0000-01-01T00:00:00+18:00",
    "9999-12-31T23:59:59-18:00",
    "9999-12-31T23:59:59.999999999Z",
    "1970-01-01T00:00:00Z",
    "2026-02-30T00:00:00Z",
    "2026-11-26T24:00:00Z",
    "2026-12-31T23:59:60Z",
    "now",
    ""
  };

  private static final String[] NUMBERS = {
    "9223372036854775807",
    "9223372036854775806",
    "9223372036854775808",
    "-9223372036854775808",
    "-9223372036854775809",
    "-1",
    "0",
    "-0",
    "-0.0",
    "1.5",
    "1e308",
    "1e309",
    "-1e309",
    "4.9e-324",
    "1e999999",
    "1E-999999",
    "3.4028235e38",
    "3.5e38",
    "1581120000001",
    "-1581120000001",
    "2147483648"
  };

  /** One mutation of the tree; its name. MARKs it leaves are replaced by {@code textEdits}. */
  private String mutateTree(ObjectNode report, List<String> textEdits) {
    List<ObjectNode> obs = new ArrayList<>();
    if (report.get("observations") instanceof ArrayNode a) {
      for (JsonNode o : a) {
        if (o instanceof ObjectNode on) {
          obs.add(on);
        }
      }
    }
    ObjectNode target =
        obs.isEmpty() || random.nextInt(5) == 0 ? report : obs.get(random.nextInt(obs.size()));
    switch (random.nextInt(12)) {
      case 0 -> {
        String field = randomField(target);
        target.set(field, otherType(target.get(field)));
        return "type swap " + field;
      }
      case 1 -> {
        String[] fields = {
          "seq", "clockOffsetMs", "droppedObservations", "protocolVersion", "seq", "seq"
        };
        String field = fields[random.nextInt(fields.length)];
        ObjectNode where =
            field.equals("droppedObservations") || field.equals("protocolVersion")
                ? report
                : target;
        String n = NUMBERS[random.nextInt(NUMBERS.length)];
        where.set(field, number(n));
        return "number " + field + "=" + n;
      }
      case 2 -> {
        String d = DATES[random.nextInt(DATES.length)];
        int which = random.nextInt(3);
        if (which == 0) {
          report.put("sentAt", d);
          return "sentAt=" + d;
        } else if (which == 1) {
          report.putObject("queue").put("depth", 5).put("oldestAt", d);
          return "queue.oldestAt=" + d;
        }
        target.put("observedAt", d);
        return "observedAt=" + d;
      }
      case 3 -> {
        String edit =
            new String[] {"\\u0000", "\\u0000", "\\ud800", "\\udfff", "\\ud800\\u0000"}
                [random.nextInt(5)];
        return "escape " + edit + " in " + markString(report, edit, textEdits);
      }
      case 4 -> {
        String edit =
            new String[] {
                  "raw:80",
                  "raw:c080",
                  "raw:ff",
                  "raw:eda080",
                  "raw:f4908080",
                  "raw:e282",
                  "raw:00",
                  "raw:c0af",
                  "raw:f0828282",
                  "raw:fe"
                }
                [random.nextInt(10)];
        return "bytes " + edit + " in " + markString(report, edit, textEdits);
      }
      case 5 -> {
        int depth = new int[] {10, 200, 990, 995, 996, 1000, 1001, 2000}[random.nextInt(8)];
        TextNode deep = new TextNode(mark(textEdits, "deep:" + depth));
        ObjectNode o = obs.isEmpty() ? report : obs.get(0);
        JsonNode checks = o.get("checks");
        if (checks instanceof ObjectNode c) {
          c.set("deep", deep);
        } else {
          o.set("deep", deep);
        }
        return "nesting " + depth;
      }
      case 6 -> {
        int digits = new int[] {19, 400, 999, 1000, 1001, 5000}[random.nextInt(6)];
        String n = "9".repeat(digits);
        String field = new String[] {"seq", "ms", "loss"}[random.nextInt(3)];
        if (field.equals("seq")) {
          target.set("seq", number(n));
        } else if (target.get("checks") instanceof ObjectNode c) {
          c.set(field, number(field.equals("loss") ? "0." + n : n));
        } else {
          target.set(field, number(n));
        }
        return digits + "-digit number in " + field;
      }
      case 7 -> {
        // Huge arrays that stay within the 1 MiB body limit (or just above it).
        if (obs.isEmpty()) {
          return "no observations to copy";
        }
        ArrayNode a = (ArrayNode) report.get("observations");
        // Mostly small: every stored row costs the CI run time; 5001 is refused (413) unstored.
        int copies = new int[] {20, 50, 100, 500, 5001}[random.nextInt(5)];
        ObjectNode model = obs.get(0);
        // A model already given a 200,000-character field would make gigabytes: stay near 2 MiB.
        copies = Math.min(copies, 2_000_000 / Math.max(1, model.toString().length()));
        for (int i = 0; i < copies && a.size() < 6000; i++) {
          ObjectNode c = model.deepCopy();
          c.put("seq", nextSeq++);
          c.remove("checks");
          c.putObject("checks").put("loss", 0.0);
          c.remove("interfaceCounters");
          c.remove("speedTest");
          a.add(c);
        }
        return "observations x" + a.size();
      }
      case 8 -> {
        // Resends and extreme sequences: duplicates of this agent's earlier observations.
        long seq =
            random.nextInt(4) == 0
                ? Long.MAX_VALUE - random.nextInt(3)
                : 1 + (long) random.nextInt((int) Math.min(nextSeq, Integer.MAX_VALUE));
        target.put("seq", seq);
        return "seq=" + seq;
      }
      case 9 -> {
        String field = randomField(target);
        target.remove(field);
        return "removed " + field;
      }
      case 10 -> {
        ObjectNode t = obs.isEmpty() ? report : obs.get(random.nextInt(obs.size()));
        String big = "x".repeat(new int[] {499, 500, 501, 16_385, 200_000}[random.nextInt(5)]);
        String field = new String[] {"reason", "status", "speedTest", "checks"}[random.nextInt(4)];
        if (field.equals("speedTest")) {
          t.putObject("speedTest").put("method", big).put("error", big).put("downMbps", 1e308);
        } else if (field.equals("checks") && t.get("checks") instanceof ObjectNode c) {
          c.put("note", big);
        } else {
          t.put(field, big);
        }
        return "long " + field + " (" + big.length() + ")";
      }
      default -> {
        // Odd but legal: an unknown field, a speed test, null where null is allowed.
        ObjectNode t = obs.isEmpty() ? report : obs.get(random.nextInt(obs.size()));
        switch (random.nextInt(4)) {
          case 0 -> t.put("unknownField", "x");
          case 1 ->
              t.putObject("speedTest")
                  .put("method", "ndt7")
                  .put("testId", "not-a-uuid")
                  .put("downMbps", 48.2)
                  .put("upMbps", -1)
                  .put("latencyMs", 1e300);
          case 2 -> t.putNull("reason");
          default -> report.putNull("queue");
        }
        return "odd but legal";
      }
    }
  }

  private String randomField(ObjectNode o) {
    List<String> names = new ArrayList<>();
    o.properties().forEach(e -> names.add(e.getKey()));
    return names.isEmpty() ? "seq" : names.get(random.nextInt(names.size()));
  }

  private JsonNode otherType(JsonNode was) {
    return switch (random.nextInt(7)) {
      case 0 -> NODES.textNode(was == null ? "x" : was.toString());
      case 1 -> NODES.numberNode(random.nextLong());
      case 2 -> NODES.booleanNode(random.nextBoolean());
      case 3 -> NODES.nullNode();
      case 4 -> NODES.arrayNode().add(was == null ? NODES.nullNode() : was);
      case 5 -> NODES.objectNode().set("v", was == null ? NODES.nullNode() : was);
      default -> NODES.numberNode(random.nextDouble() * 1e6);
    };
  }

  /** The number as written, however long (as BigInteger or BigDecimal, which keep it). */
  private static JsonNode number(String text) {
    return text.contains(".") || text.contains("e") || text.contains("E")
        ? NODES.numberNode(new BigDecimal(text))
        : NODES.numberNode(new BigInteger(text));
  }

  /**
   * Puts a MARK into a random string of the report (a value or a key, anywhere), to be replaced by
   * {@code edit} in the text; returns where.
   */
  private String markString(ObjectNode report, String edit, List<String> textEdits) {
    List<Object[]> strings = new ArrayList<>(); // {parent, key or index}
    collect(report, strings);
    String mark = mark(textEdits, edit);
    if (strings.isEmpty() || random.nextInt(8) == 0) {
      report.put("reason" + mark, "x");
      return "a key";
    }
    Object[] s = strings.get(random.nextInt(strings.size()));
    if (s[0] instanceof ObjectNode o) {
      String key = (String) s[1];
      if (random.nextInt(4) == 0) {
        JsonNode v = o.remove(key);
        o.set(key + mark, v);
        return "key " + key;
      }
      String text = o.get(key).asText();
      int cut = random.nextInt(text.length() + 1);
      o.put(key, text.substring(0, cut) + mark + text.substring(cut));
      return key;
    }
    ArrayNode a = (ArrayNode) s[0];
    int i = (Integer) s[1];
    a.set(i, new TextNode(a.get(i).asText() + mark));
    return "array item";
  }

  /** A mark for the text, replaced by {@code edit} once the tree is written. */
  private static String mark(List<String> textEdits, String edit) {
    textEdits.add(edit);
    return "\u00a7F" + (textEdits.size() - 1) + "\u00a7";
  }

  private static void collect(JsonNode n, List<Object[]> out) {
    if (n instanceof ObjectNode o) {
      for (Map.Entry<String, JsonNode> e : o.properties()) {
        if (e.getValue().isTextual()) {
          out.add(new Object[] {o, e.getKey()});
        } else {
          collect(e.getValue(), out);
        }
      }
    } else if (n instanceof ArrayNode a) {
      for (int i = 0; i < a.size(); i++) {
        if (a.get(i).isTextual()) {
          out.add(new Object[] {a, i});
        } else {
          collect(a.get(i), out);
        }
      }
    }
  }

  private static byte[] editBytes(String edit) {
    if (edit.startsWith("deep:")) {
      int depth = Integer.parseInt(edit.substring(5));
      StringBuilder b = new StringBuilder(depth * 6);
      for (int i = 0; i < depth; i++) {
        b.append(i % 2 == 0 ? "[" : "{\"d\":");
      }
      b.append('1');
      for (int i = depth - 1; i >= 0; i--) {
        b.append(i % 2 == 0 ? "]" : "}");
      }
      return b.toString().getBytes(StandardCharsets.UTF_8);
    }
    if (!edit.startsWith("raw:")) {
      return edit.getBytes(StandardCharsets.UTF_8);
    }
    String hex = edit.substring(4);
    byte[] b = new byte[hex.length() / 2];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
    }
    return b;
  }

  private byte[] truncate(byte[] body) {
    int cut = body.length == 0 ? 0 : random.nextInt(body.length);
    byte[] out = new byte[cut];
    System.arraycopy(body, 0, out, 0, cut);
    return out;
  }

  private byte[] duplicateKey(byte[] body) {
    String text = new String(body, StandardCharsets.ISO_8859_1);
    String[] keys = {"\"seq\":", "\"observations\":", "\"status\":", "\"checks\":"};
    String key = keys[random.nextInt(keys.length)];
    int at = text.indexOf(key);
    if (at < 0) {
      return body;
    }
    String dup =
        switch (key) {
          case "\"seq\":" -> "\"seq\":" + random.nextInt(1000) + ",";
          case "\"observations\":" -> "\"observations\":[],";
          case "\"status\":" -> "\"status\":\"offline\",";
          default -> "\"checks\":{\"loss\":2},";
        };
    return (text.substring(0, at) + dup + text.substring(at)).getBytes(StandardCharsets.ISO_8859_1);
  }

  private static byte[] gzip(byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(body.length / 4 + 64);
    try (GZIPOutputStream z = new GZIPOutputStream(out)) {
      z.write(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private byte[] breakGzip(byte[] gz) {
    byte[] out;
    switch (random.nextInt(3)) {
      case 0 -> {
        out = new byte[2 + random.nextInt(Math.max(1, gz.length - 2))];
        System.arraycopy(gz, 0, out, 0, Math.min(out.length, gz.length));
      }
      case 1 -> {
        out = gz.clone();
        for (int i = 0; i < 4; i++) {
          int at = 10 + random.nextInt(Math.max(1, out.length - 10));
          if (at < out.length) {
            out[at] ^= (byte) (1 + random.nextInt(255));
          }
        }
      }
      default -> {
        out = new byte[gz.length + 8];
        System.arraycopy(gz, 0, out, 0, gz.length);
        out[gz.length] = 0x1f; // a second member that is only a header's start
        out[gz.length + 1] = (byte) 0x8b;
      }
    }
    return out;
  }
}
