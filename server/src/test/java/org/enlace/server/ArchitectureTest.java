package org.enlace.server;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static java.util.Map.entry;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.Architectures.LayeredArchitecture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The package map of docs/architecture.md, enforced: no cycles, nothing depends on {@code app}, and
 * each package uses only the packages the map allows it. A new package or a new dependency between
 * features is a change to the map, made here and in the document together.
 */
class ArchitectureTest {
  private static final String BASE = "org.enlace.server";

  /** Plumbing and vocabulary that any feature may use; they use no other server package. */
  static final Set<String> FOUNDATION = Set.of("web", "domain", "db", "auth");

  /** Each feature and the other features it may use, besides the foundation. */
  static final Map<String, Set<String>> FEATURES =
      Map.ofEntries(
          // Decommissioning a computer marks its days for the rollups to recount.
          entry("inventory", Set.of("rollup")),
          entry("enrollment", Set.of("inventory")),
          entry("rollup", Set.of()),
          entry("speedtest", Set.of("enrollment")),
          entry("limits", Set.of()),
          entry("ingest", Set.of("enrollment", "limits", "rollup", "speedtest")),
          entry("snmp", Set.of("inventory", "rollup")),
          entry("indicators", Set.of()),
          entry("evidence", Set.of("indicators", "rollup")),
          entry("metrics", Set.of()),
          entry("backup", Set.of()),
          // Jobs that run once take its answers as plain functions: nothing depends on it.
          entry("cluster", Set.of()));

  /** Wiring: the Dropwizard application, its configuration and its commands ({@code app.cli}). */
  static final String APP = "app";

  private static final JavaClasses CLASSES =
      new ClassFileImporter()
          .withImportOption(new ImportOption.DoNotIncludeTests())
          .importPackages(BASE);

  @Test
  void packagesFormNoCycle() {
    slices().matching(BASE + ".(*)..").should().beFreeOfCycles().check(CLASSES);
  }

  @Test
  void onlyAppDependsOnApp() {
    noClasses()
        .that()
        .resideOutsideOfPackage(BASE + "." + APP + "..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage(BASE + "." + APP + "..")
        .because(
            "app wires the features together; a feature needing something from it means"
                + " that thing belongs in a lower package")
        .check(CLASSES);
  }

  @Test
  void eachPackageUsesOnlyWhatTheMapAllows() {
    LayeredArchitecture rule =
        layeredArchitecture()
            .consideringOnlyDependenciesInLayers()
            .ensureAllClassesAreContainedInArchitecture();
    for (String p : allowed().keySet()) {
      rule = rule.layer(p).definedBy(BASE + "." + p + "..");
    }
    for (Map.Entry<String, Set<String>> e : allowed().entrySet()) {
      if (e.getKey().equals(APP)) {
        continue;
      }
      rule =
          e.getValue().isEmpty()
              ? rule.whereLayer(e.getKey()).mayNotAccessAnyLayer()
              : rule.whereLayer(e.getKey())
                  .mayOnlyAccessLayers(e.getValue().toArray(String[]::new));
    }
    rule.check(CLASSES);
  }

  @Test
  void theDocumentDrawsTheMapTheseRulesEnforce() throws IOException {
    Path doc = Path.of(System.getProperty("enlace.docs.dir", "../docs")).resolve("architecture.md");
    Map<String, Set<String>> drawn = new LinkedHashMap<>();
    boolean inTable = false;
    for (String line : Files.readAllLines(doc)) {
      if (line.startsWith("## ")) {
        inTable = line.equals("## Server packages");
        continue;
      }
      if (!inTable || !line.startsWith("| `")) {
        continue;
      }
      // "| `pkg` | what it holds | what it may use |": cells[1] the package, the last its uses.
      String row = line.strip();
      if (row.endsWith("|")) {
        row = row.substring(0, row.length() - 1);
      }
      String[] cells = row.split("\\|", -1);
      String pkg = cells[1].trim().replace("`", "");
      Set<String> uses = new TreeSet<>();
      for (String word : cells[cells.length - 1].replace("`", "").split("[,\\s]+", -1)) {
        switch (word) {
          case "", "—", "nothing" -> {}
          case "foundation" -> uses.addAll(FOUNDATION);
          case "everything" -> uses.addAll(everythingBut(APP));
          default -> uses.add(word);
        }
      }
      drawn.put(pkg, uses);
    }
    Map<String, Set<String>> enforced = new LinkedHashMap<>();
    allowed().forEach((k, v) -> enforced.put(k, new TreeSet<>(v)));
    assertThat(drawn).as("the table under '## Server packages' in " + doc).isEqualTo(enforced);
  }

  /** Every package and what it may use: the foundation nothing, features downward, app all. */
  static Map<String, Set<String>> allowed() {
    Map<String, Set<String>> out = new LinkedHashMap<>();
    for (String f : new TreeSet<>(FOUNDATION)) {
      out.put(f, Set.of());
    }
    FEATURES.forEach(
        (feature, features) -> {
          Set<String> uses = new TreeSet<>(FOUNDATION);
          uses.addAll(features);
          out.put(feature, uses);
        });
    out.put(APP, everythingBut(APP));
    return out;
  }

  private static Set<String> everythingBut(String pkg) {
    Set<String> all = new TreeSet<>(FOUNDATION);
    all.addAll(FEATURES.keySet());
    all.remove(pkg);
    return all;
  }
}
