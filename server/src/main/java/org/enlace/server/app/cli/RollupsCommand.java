package org.enlace.server.app.cli;

import io.dropwizard.core.setup.Bootstrap;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.time.LocalDate;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;
import org.enlace.server.app.EnlaceConfiguration;
import org.enlace.server.domain.LocalMinutes;
import org.enlace.server.rollup.RollupMaintainer;
import org.enlace.server.rollup.RollupRebuild;
import org.jdbi.v3.core.Jdbi;

/**
 * {@code enlace-server rollups rebuild --from DAY --to DAY [config.yml]} recomputes the daily
 * rollups, outages and monthly counts from the raw observations; {@code rollups expire} applies
 * {@code rollups.rawRetention} now (the server also does it once a day).
 */
public final class RollupsCommand extends OperatorCommand {
  public RollupsCommand() {
    super("rollups", "Rollups: rebuild (from raw observations), expire (apply raw retention)");
  }

  @Override
  public void configure(Subparser subparser) {
    subparser.addArgument("action").choices("rebuild", "expire").help("what to do");
    subparser
        .addArgument("--from")
        .help(
            "first local day, YYYY-MM-DD (rebuild; default and"
                + " earliest: the first day whose raw observations are all still kept)");
    subparser.addArgument("--to").help("last local day, YYYY-MM-DD (rebuild; default: today)");
    super.configure(subparser);
  }

  @Override
  protected void run(
      Bootstrap<EnlaceConfiguration> bootstrap, Namespace ns, EnlaceConfiguration config)
      throws Exception {
    try (CliDatabase db = CliDatabase.open(bootstrap, config)) {
      Jdbi jdbi = db.jdbi();
      LocalMinutes minutes = new LocalMinutes(config.zone());
      RollupRebuild rebuild = new RollupRebuild(jdbi, minutes);
      if (ns.getString("action").equals("expire")) {
        Instant cutoff =
            Instant.now().minus(config.getRollups().getRawRetention().toJavaDuration());
        RollupRebuild.Expired e = rebuild.expire(cutoff);
        System.out.println(
            "Raw observations before "
                + cutoff
                + ": dropped "
                + e.partitionsDropped()
                + " monthly partition(s); rollups kept.");
        Instant details =
            Instant.now().minus(config.getRollups().getDetailRetention().toJavaDuration());
        System.out.println(
            "Observation details (reason, checks, counters) before "
                + details
                + ": dropped "
                + rebuild.expireDetails(details).partitionsDropped()
                + " daily partition(s).");
        return;
      }
      LocalDate to =
          ns.getString("to") == null
              ? LocalDate.now(config.zone())
              : LocalDate.parse(ns.getString("to"));
      LocalDate from =
          ns.getString("from") == null
              ? LocalDate.of(1970, 1, 1)
              : LocalDate.parse(ns.getString("from"));
      if (to.isBefore(from)) {
        throw new IllegalArgumentException("--to " + to + " is before --from " + from);
      }
      RollupRebuild.Result r = rebuild.rebuild(from, to);
      int days =
          new RollupMaintainer(
                  jdbi,
                  config.getRollups(),
                  minutes,
                  bootstrap.getObjectMapper(),
                  new SimpleMeterRegistry())
              .drain();
      System.out.println(
          "Rebuilt "
              + r.days()
              + " day(s) from "
              + r.from()
              + " to "
              + r.to()
              + " out of "
              + r.observations()
              + " raw observation(s); "
              + days
              + " establishment-day(s) recomputed.");
    }
  }
}
