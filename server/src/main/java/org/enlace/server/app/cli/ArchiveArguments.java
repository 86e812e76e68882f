package org.enlace.server.app.cli;

import java.nio.file.Path;
import java.util.Optional;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;

/**
 * The arguments backup and restore share: the archive {@code FILE}, and {@code --pg-bin DIR} where
 * an external PostgreSQL's client tool is found.
 */
final class ArchiveArguments {
  private ArchiveArguments() {}

  /**
   * Adds {@code FILE} (with this help) and {@code --pg-bin DIR}, the directory of {@code pgTool}.
   */
  static void add(Subparser subparser, String archiveHelp, String pgTool) {
    // "file" is the config file's destination in ConfiguredCommand, hence "archive".
    subparser.addArgument("archive").metavar("FILE").help(archiveHelp);
    subparser
        .addArgument("--pg-bin")
        .dest("pg_bin")
        .metavar("DIR")
        .help(
            "external PostgreSQL: the directory of "
                + pgTool
                + " (default: /usr/lib/postgresql/MAJOR/bin, then the PATH)");
  }

  static Path archive(Namespace ns) {
    return Path.of(ns.getString("archive"));
  }

  static Optional<Path> pgBin(Namespace ns) {
    String dir = ns.getString("pg_bin");
    return dir == null || dir.isBlank() ? Optional.empty() : Optional.of(Path.of(dir));
  }
}
