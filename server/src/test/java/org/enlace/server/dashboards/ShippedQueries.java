package org.enlace.server.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What ships in {@code dashboards/}: the Grafana dashboards, the Prometheus rules, and every PromQL
 * expression in them (panel targets, template variables, recording and alert rules).
 */
final class ShippedQueries {
  static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();
  static final Path DASHBOARDS = ROOT.resolve("dashboards");
  static final Path GRAFANA = DASHBOARDS.resolve("grafana/dashboards");
  static final Path PROMETHEUS = DASHBOARDS.resolve("prometheus");
  static final ObjectMapper JSON = new ObjectMapper();
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** Grafana's variables in an expression: {@code $name}, {@code ${name}}, {@code ${name:fmt}}. */
  static final Pattern VARIABLE = Pattern.compile("\\$(?:\\{(\\w+)(?::\\w+)?}|(\\w+))");

  private static final Pattern LABEL_VALUES =
      Pattern.compile("^\\s*label_values\\((.*),\\s*\\w+\\s*\\)\\s*$", Pattern.DOTALL);
  private static final Pattern QUERY_RESULT =
      Pattern.compile("^\\s*query_result\\((.*)\\)\\s*$", Pattern.DOTALL);

  /** One PromQL expression and where it comes from, for messages. */
  record Query(String source, String expr) {
    /** The expression as Prometheus can run it: Grafana's variables replaced. */
    String runnable() {
      Matcher m = VARIABLE.matcher(expr);
      StringBuilder out = new StringBuilder();
      while (m.find()) {
        String name = m.group(1) != null ? m.group(1) : m.group(2);
        String value =
            switch (name) {
              case "__rate_interval", "__interval" -> "1m";
              case "__range" -> "10m";
              case "__range_s" -> "600";
              // Dashboard variables only appear in regex matchers (DashboardsTest): "All" is ".*".
              default -> ".*";
            };
        m.appendReplacement(out, Matcher.quoteReplacement(value));
      }
      m.appendTail(out);
      return out.toString();
    }
  }

  private ShippedQueries() {}

  static List<Path> dashboardFiles() {
    try (Stream<Path> s = Files.list(GRAFANA)) {
      return s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<Path> ruleFiles() {
    try (Stream<Path> s = Files.list(PROMETHEUS.resolve("rules"))) {
      return s.filter(p -> p.toString().endsWith(".yml")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonNode read(Path file) {
    try {
      return (file.toString().endsWith(".json") ? JSON : YAML).readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every panel of a dashboard, rows' nested panels included (rows themselves too). */
  static List<JsonNode> panels(JsonNode dashboard) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode p : dashboard.path("panels")) {
      out.add(p);
      for (JsonNode nested : p.path("panels")) {
        out.add(nested);
      }
    }
    return out;
  }

  static List<Query> dashboardQueries() {
    List<Query> out = new ArrayList<>();
    for (Path file : dashboardFiles()) {
      JsonNode d = read(file);
      String name = file.getFileName().toString();
      for (JsonNode p : panels(d)) {
        for (JsonNode t : p.path("targets")) {
          out.add(
              new Query(
                  name + " / " + p.path("title").asText() + " / " + t.path("refId").asText(),
                  t.path("expr").asText()));
        }
      }
      for (JsonNode v : d.path("templating").path("list")) {
        if (!v.path("type").asText().equals("query")) {
          continue;
        }
        JsonNode q = v.path("query");
        String query = q.isTextual() ? q.asText() : q.path("query").asText();
        Matcher lv = LABEL_VALUES.matcher(query);
        Matcher qr = QUERY_RESULT.matcher(query);
        String expr = lv.matches() ? lv.group(1) : qr.matches() ? qr.group(1) : query;
        out.add(new Query(name + " / variable " + v.path("name").asText(), expr));
      }
    }
    return out;
  }

  static List<Query> ruleQueries() {
    List<Query> out = new ArrayList<>();
    for (Path file : ruleFiles()) {
      for (JsonNode g : read(file).path("groups")) {
        for (JsonNode r : g.path("rules")) {
          String name =
              r.has("alert")
                  ? "alert " + r.path("alert").asText()
                  : "record " + r.path("record").asText();
          out.add(new Query(file.getFileName() + " / " + name, r.path("expr").asText()));
        }
      }
    }
    return out;
  }

  static List<Query> all() {
    List<Query> out = new ArrayList<>(dashboardQueries());
    out.addAll(ruleQueries());
    return out;
  }
}
