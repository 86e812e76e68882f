package org.enlace.server.dashboards;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * What ships in dashboards/ is what Prometheus and Grafana accept: promtool checks the scrape
 * configuration and the rules and runs the alerts' unit tests; the dashboards' JSON has what
 * Grafana's file provisioning needs. {@code DashboardsIT} runs every query against a real
 * Prometheus scraping the real server.
 */
class DashboardsTest {
  static final Map<String, String> DASHBOARDS =
      Map.of(
          "enlace-conectividad", "Enlace · Conectividad municipal",
          "enlace-enlaces", "Enlace · Enlaces e ISP",
          "enlace-flota", "Enlace · Flota de agentes",
          "enlace-servidor", "Enlace · Servidor");

  record Run(int exit, String output) {}

  static Run promtool(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("promtool"));
    command.addAll(List.of(args));
    Process p =
        new ProcessBuilder(command)
            .directory(ShippedQueries.ROOT.toFile())
            .redirectErrorStream(true)
            .start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("promtool finished").isTrue();
    return new Run(p.exitValue(), output);
  }

  static boolean promtoolInstalled() {
    try {
      return promtool("--version").exit() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  @Test
  void promtoolAcceptsTheScrapeConfigurationTheRulesAndTheirUnitTests() throws Exception {
    assumeTrue(
        promtoolInstalled(),
        "promtool is not installed (Debian: apt-get install" + " prometheus; .ci/run installs it)");
    Run config = promtool("check", "config", "dashboards/prometheus/prometheus.yml");
    assertThat(config.exit()).as(config.output()).isZero();
    List<String> rules = new ArrayList<>(List.of("check", "rules"));
    ShippedQueries.ruleFiles()
        .forEach(f -> rules.add(ShippedQueries.ROOT.relativize(f).toString()));
    Run check = promtool(rules.toArray(String[]::new));
    assertThat(check.exit()).as(check.output()).isZero();
    Run tests = promtool("test", "rules", "dashboards/prometheus/tests/enlace-alertas-test.yml");
    assertThat(tests.exit()).as(tests.output()).isZero();
    assertThat(tests.output()).contains("SUCCESS");
  }

  @Test
  void everyAlertHasAUnitTestAndSpanishTextToActOn() {
    Set<String> alerts = new TreeSet<>();
    for (Path f : ShippedQueries.ruleFiles()) {
      for (JsonNode g : ShippedQueries.read(f).path("groups")) {
        for (JsonNode r : g.path("rules")) {
          if (!r.has("alert")) {
            continue;
          }
          String name = r.path("alert").asText();
          alerts.add(name);
          assertThat(r.path("labels").path("severity").asText())
              .as(name)
              .isIn("critical", "warning");
          for (String a : List.of("summary", "description", "runbook")) {
            assertThat(r.path("annotations").path(a).asText()).as(name + " " + a).isNotBlank();
          }
        }
      }
    }
    assertThat(alerts)
        .contains(
            "EnlaceServidorCaido",
            "EnlaceBaseDeDatosCaida",
            "EnlaceEstablecimientoSinInternet",
            "EnlaceEnlaceCaido",
            "EnlaceEnlaceSaturado",
            "EnlaceVelocidadBajoContrato",
            "EnlaceAgentesSilenciosos",
            "EnlaceErroresDeIngesta");
    JsonNode tests =
        ShippedQueries.read(ShippedQueries.PROMETHEUS.resolve("tests/enlace-alertas-test.yml"));
    Set<String> firing = new HashSet<>();
    Set<String> quiet = new HashSet<>();
    for (JsonNode t : tests.path("tests")) {
      for (JsonNode a : t.path("alert_rule_test")) {
        (a.path("exp_alerts").isEmpty() ? quiet : firing).add(a.path("alertname").asText());
      }
    }
    assertThat(firing).as("every alert is tested firing").containsAll(alerts);
    // Quiet cases are either their own eval_time with no alert, or other series in a firing
    // test that must not fire (exp_alerts lists exactly what fires).
    assertThat(quiet).isNotEmpty();
  }

  @Test
  void dashboardsHaveWhatGrafanaProvisioningNeeds() {
    List<Path> files = ShippedQueries.dashboardFiles();
    Set<String> uids = new HashSet<>();
    for (Path f : files) {
      JsonNode d = ShippedQueries.read(f);
      String name = f.getFileName().toString();
      String uid = d.path("uid").asText();
      assertThat(uid).as(name + " uid").matches("[a-z0-9-]{1,40}");
      assertThat(uids.add(uid)).as(name + " uid unique").isTrue();
      assertThat(d.path("title").asText()).as(name).isEqualTo(DASHBOARDS.get(uid));
      assertThat(d.path("description").asText()).as(name).isNotBlank();
      assertThat(d.path("schemaVersion").asInt()).as(name + " schemaVersion").isBetween(36, 41);
      assertThat(d.has("__inputs"))
          .as(name + ": exported for sharing, with a fixed data source")
          .isFalse();
      assertThat(d.has("id") && !d.path("id").isNull()).as(name + ": no database id").isFalse();

      Set<String> variables = new HashSet<>();
      boolean datasourceVariable = false;
      for (JsonNode v : d.path("templating").path("list")) {
        variables.add(v.path("name").asText());
        if (v.path("type").asText().equals("datasource")) {
          datasourceVariable =
              v.path("name").asText().equals("datasource")
                  && v.path("query").asText().equals("prometheus");
        } else {
          assertDatasourceVariable(
              name + " variable " + v.path("name").asText(), v.path("datasource"));
        }
      }
      assertThat(datasourceVariable).as(name + ": a Prometheus data source variable").isTrue();
      everyDatasourceIsTheVariable(name, d);

      Set<Integer> ids = new HashSet<>();
      int queries = 0;
      for (JsonNode p : ShippedQueries.panels(d)) {
        String title = name + " / " + p.path("title").asText();
        assertThat(ids.add(p.path("id").asInt())).as(title + " id unique").isTrue();
        assertThat(p.path("title").asText()).as(title).isNotBlank();
        JsonNode grid = p.path("gridPos");
        assertThat(grid.path("w").asInt()).as(title + " width").isBetween(1, 24);
        assertThat(grid.path("x").asInt() + grid.path("w").asInt())
            .as(title)
            .isLessThanOrEqualTo(24);
        assertThat(grid.path("h").asInt()).as(title + " height").isPositive();
        if (p.path("type").asText().equals("row")) {
          continue;
        }
        assertThat(p.path("description").asText()).as(title + " description").isNotBlank();
        assertThat(p.path("fieldConfig").path("defaults").path("unit").asText())
            .as(title + " unit")
            .isNotBlank();
        assertDatasourceVariable(title, p.path("datasource"));
        assertThat(p.path("targets")).as(title + " targets").isNotEmpty();
        Set<String> refIds = new HashSet<>();
        for (JsonNode t : p.path("targets")) {
          assertThat(refIds.add(t.path("refId").asText())).as(title + " refId").isTrue();
          assertDatasourceVariable(title, t.path("datasource"));
          String expr = t.path("expr").asText();
          assertThat(expr).as(title + " expr").isNotBlank();
          variablesOnlyInRegexMatchers(title, expr, variables);
          queries++;
        }
      }
      assertThat(queries).as(name + " queries").isGreaterThan(5);
    }
    assertThat(uids).isEqualTo(DASHBOARDS.keySet());
  }

  /** Every metric the dashboards and rules read is documented in docs/metrics.md. */
  @Test
  void everyMetricTheyReadIsDocumented() throws IOException {
    String docs =
        Files.readString(ShippedQueries.ROOT.resolve("docs/metrics.md"), StandardCharsets.UTF_8);
    Pattern metric =
        Pattern.compile(
            "\\b([a-z_]+:[a-z0-9_:]+|enlace_[a-z0-9_]+"
                + "|http_server_requests_seconds\\w*|jvm_\\w+|process_\\w+|system_\\w+)");
    Set<String> missing = new TreeSet<>();
    for (ShippedQueries.Query q : ShippedQueries.all()) {
      Matcher m = metric.matcher(q.expr());
      while (m.find()) {
        String name = m.group(1).replaceAll("_(bucket|count|sum)$", "");
        if (!docs.contains("`" + name)) {
          missing.add(name + " (" + q.source() + ")");
        }
      }
    }
    assertThat(missing)
        .as("metrics read by dashboards or rules but not in docs/metrics.md")
        .isEmpty();
  }

  private static void assertDatasourceVariable(String where, JsonNode ds) {
    assertThat(ds.path("uid").asText())
        .as(where + " datasource")
        .isIn("${datasource}", "$datasource");
    assertThat(ds.path("type").asText()).as(where + " datasource type").isEqualTo("prometheus");
  }

  /** No hard-coded data source uid anywhere in the dashboard. */
  private static void everyDatasourceIsTheVariable(String name, JsonNode node) {
    if (node.isObject()) {
      node.properties()
          .forEach(
              e -> {
                if (e.getKey().equals("datasource") && e.getValue().isObject()) {
                  assertDatasourceVariable(name, e.getValue());
                } else if (e.getKey().equals("datasource") && e.getValue().isTextual()) {
                  assertThat(e.getValue().asText())
                      .as(name + " datasource")
                      .isIn("${datasource}", "$datasource");
                } else {
                  everyDatasourceIsTheVariable(name, e.getValue());
                }
              });
    } else if (node.isArray()) {
      node.forEach(n -> everyDatasourceIsTheVariable(name, n));
    }
  }

  /** A dashboard variable is only used as {@code label=~"$var"}, so that "All" (.*) works. */
  private static void variablesOnlyInRegexMatchers(
      String where, String expr, Set<String> variables) {
    Matcher m = ShippedQueries.VARIABLE.matcher(expr);
    while (m.find()) {
      String name = m.group(1) != null ? m.group(1) : m.group(2);
      if (name.startsWith("__")) {
        continue;
      }
      assertThat(variables).as(where + ": $" + name + " is a variable").contains(name);
      assertThat(expr.substring(0, m.start()))
          .as(where + ": $" + name + " in a =~ matcher")
          .endsWith("=~\"");
    }
  }
}
