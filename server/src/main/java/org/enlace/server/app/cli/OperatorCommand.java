package org.enlace.server.app.cli;

import io.dropwizard.core.cli.Cli;
import io.dropwizard.core.cli.ConfiguredCommand;
import net.sourceforge.argparse4j.inf.Namespace;
import org.enlace.server.app.EnlaceConfiguration;
import org.enlace.server.backup.BackupException;

/**
 * A command an operator runs: a refused request or a failed backup is a sentence for the operator
 * on standard error, never a stack trace. The process still exits with status 1.
 */
abstract class OperatorCommand extends ConfiguredCommand<EnlaceConfiguration> {
  OperatorCommand(String name, String description) {
    super(name, description);
  }

  @Override
  public void onError(Cli cli, Namespace namespace, Throwable e) {
    if (e instanceof IllegalArgumentException || e instanceof BackupException) {
      cli.getStdErr().println(e.getMessage());
    } else {
      super.onError(cli, namespace, e);
    }
  }
}
