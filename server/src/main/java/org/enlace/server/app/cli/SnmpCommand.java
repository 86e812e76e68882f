package org.enlace.server.app.cli;

import io.dropwizard.core.setup.Bootstrap;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;
import org.enlace.server.app.EnlaceConfiguration;
import org.enlace.server.snmp.SnmpCredentials;
import org.jdbi.v3.core.Jdbi;

/**
 * {@code enlace-server snmp rekey [config.yml]}: re-encrypts every stored SNMP community and
 * password with {@code snmp.activeCredentialKey}, the third step of a key rotation
 * (docs/routers.md). Secrets already under the active key are left alone, so it can be run again.
 */
public final class SnmpCommand extends OperatorCommand {
  public SnmpCommand() {
    super("snmp", "SNMP: rekey (re-encrypt stored device secrets with the active key)");
  }

  @Override
  public void configure(Subparser subparser) {
    subparser.addArgument("action").choices("rekey").help("what to do");
    super.configure(subparser);
  }

  @Override
  protected void run(
      Bootstrap<EnlaceConfiguration> bootstrap, Namespace ns, EnlaceConfiguration config)
      throws Exception {
    try (CliDatabase db = CliDatabase.open(bootstrap, config)) {
      Jdbi jdbi = db.jdbi();
      SnmpCredentials credentials = SnmpCredentials.from(config.getSnmp(), config.dataDir());
      SnmpCredentials.Rekeyed r = credentials.rekey(jdbi);
      System.out.println(
          "SNMP secrets: "
              + r.rewritten()
              + " device(s) re-encrypted with key '"
              + credentials.activeKeyId()
              + "', "
              + r.current()
              + " already under it.");
    }
  }
}
