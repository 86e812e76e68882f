package org.enlace.agent;

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
 * The agent's package map of docs/architecture.md, enforced: no cycles, nothing depends on {@code
 * cli} (the entry points), and each package uses only the packages the map allows it.
 */
class ArchitectureTest {
  private static final String BASE = "org.enlace.agent";

  /** The entry points: {@code AgentMain} and its commands wire everything else. */
  static final String CLI = "cli";

  /** Each package below cli and the packages it may use. */
  static final Map<String, Set<String>> PACKAGES =
      Map.ofEntries(
          entry("journal", Set.of()),
          entry("probe", Set.of()),
          entry("config", Set.of("journal", "probe")),
          entry("facts", Set.of("config")),
          entry("upload", Set.of("config", "journal", "probe")),
          entry("speedtest", Set.of("config", "probe", "upload")),
          entry("run", Set.of("config", "journal", "probe", "speedtest", "upload")));

  private static final JavaClasses CLASSES =
      new ClassFileImporter()
          .withImportOption(new ImportOption.DoNotIncludeTests())
          .importPackages(BASE);

  @Test
  void packagesFormNoCycle() {
    slices().matching(BASE + ".(*)..").should().beFreeOfCycles().check(CLASSES);
  }

  @Test
  void onlyCliDependsOnCli() {
    noClasses()
        .that()
        .resideOutsideOfPackage(BASE + "." + CLI + "..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage(BASE + "." + CLI + "..")
        .because(
            "cli wires the agent together; a package needing something from it means that thing"
                + " belongs in a lower package")
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
    for (Map.Entry<String, Set<String>> e : PACKAGES.entrySet()) {
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
    Path doc = Path.of("../docs/architecture.md");
    Map<String, Set<String>> drawn = new LinkedHashMap<>();
    boolean inTable = false;
    for (String line : Files.readAllLines(doc)) {
      if (line.startsWith("## ")) {
        inTable = line.equals("## Agent packages");
        continue;
      }
      if (!inTable || !line.startsWith("| `")) {
        continue;
      }
      // "| `pkg` | what it is | what it uses |": cells[1] the package, the last cell its uses.
      String row = line.strip();
      if (row.endsWith("|")) {
        row = row.substring(0, row.length() - 1);
      }
      String[] cells = row.split("\\|", -1);
      Set<String> uses = new TreeSet<>();
      for (String word : cells[cells.length - 1].replace("`", "").split("[,\\s]+", -1)) {
        switch (word) {
          case "", "—", "nothing" -> {}
          case "everything" -> uses.addAll(PACKAGES.keySet());
          default -> uses.add(word);
        }
      }
      drawn.put(cells[1].trim().replace("`", ""), uses);
    }
    Map<String, Set<String>> enforced = new LinkedHashMap<>();
    allowed().forEach((k, v) -> enforced.put(k, new TreeSet<>(v)));
    assertThat(drawn).as("the table under '## Agent packages' in " + doc).isEqualTo(enforced);
  }

  private static Map<String, Set<String>> allowed() {
    Map<String, Set<String>> out = new LinkedHashMap<>(PACKAGES);
    out.put(CLI, PACKAGES.keySet());
    return out;
  }
}
