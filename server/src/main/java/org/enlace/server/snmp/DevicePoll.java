package org.enlace.server.snmp;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.snmp4j.Target;
import org.snmp4j.smi.OID;
import org.snmp4j.smi.UdpAddress;
import org.snmp4j.smi.Variable;
import org.snmp4j.smi.VariableBinding;
import org.snmp4j.util.TableEvent;

/**
 * One poll of one device, asynchronously: a GET of sysUpTime and each link's interface at its known
 * ifIndex; if an interface is not where it was (or was never found), a GETBULK walk of
 * ifDescr/ifName/ifAlias finds it by name and a second GET reads it.
 */
final class DevicePoll {
  /** An unsigned 32-bit ifSpeed at its maximum means "see ifHighSpeed". */
  private static final long IF_SPEED_SATURATED = 4_294_967_295L;

  private final SnmpClient client;
  private final Clock clock;
  private final int maxVarbinds;

  DevicePoll(SnmpClient client, Clock clock, int maxVarbinds) {
    this.client = client;
    this.clock = clock;
    this.maxVarbinds = maxVarbinds;
  }

  CompletableFuture<PollOutcome> poll(PollTarget device) {
    Instant started = clock.instant();
    long t0 = System.nanoTime();
    Acc acc = new Acc(device.establishmentId());
    return client
        .target(device)
        .thenCompose(
            target ->
                read(target, device.links(), acc)
                    .thenCompose(
                        missing ->
                            missing.isEmpty()
                                ? CompletableFuture.completedFuture(List.<PollTarget.Link>of())
                                : resolve(target, missing, acc)
                                    .thenCompose(found -> read(target, found, acc))))
        .exceptionallyCompose(
            error ->
                device.v3().isPresent() && unwrap(error).failure() == SnmpClient.Failure.TIMEOUT
                    ? client
                        .answersDiscovery(device)
                        .thenCompose(
                            answers ->
                                CompletableFuture.failedFuture(
                                    answers
                                        ? new SnmpClient.PollException(
                                            SnmpClient.Failure.AUTH_FAILURE,
                                            "the device answers engine discovery but"
                                                + " not our authenticated requests: wrong user, password or protocol")
                                        : unwrap(error)))
                    : CompletableFuture.failedFuture(error))
        .handle(
            (stillMissing, error) -> {
              boolean answered = error == null;
              if (error != null) {
                SnmpClient.PollException e = unwrap(error);
                acc.failures.add(new PollOutcome.Failed(e.failure(), e.detail()));
                if (e.failure() == SnmpClient.Failure.AUTH_FAILURE) {
                  client.forget(device.id()); // the password may have changed on either side
                }
              } else {
                for (PollTarget.Link l : stillMissing) {
                  acc.failures.add(
                      new PollOutcome.Failed(
                          SnmpClient.Failure.NO_SUCH_INTERFACE,
                          "link " + l.linkId() + ": no interface " + describe(l)));
                }
              }
              return new PollOutcome(
                  device.id(),
                  device.establishmentId(),
                  device.establishmentCode(),
                  started,
                  System.nanoTime() - t0,
                  answered,
                  List.copyOf(acc.failures),
                  List.copyOf(acc.readings),
                  Map.copyOf(acc.resolved));
            });
  }

  private static final class Acc {
    final long establishmentId;
    final List<PollOutcome.Failed> failures = new ArrayList<>();
    final List<PollOutcome.LinkReading> readings = new ArrayList<>();
    final Map<Long, Integer> resolved = new HashMap<>();

    Acc(long establishmentId) {
      this.establishmentId = establishmentId;
    }
  }

  private static SnmpClient.PollException unwrap(Throwable t) {
    Throwable c = t;
    while ((c instanceof CompletionException || c instanceof ExecutionException)
        && c.getCause() != null) {
      c = c.getCause();
    }
    return c instanceof SnmpClient.PollException p
        ? p
        : new SnmpClient.PollException(SnmpClient.Failure.UNREACHABLE, c.toString());
  }

  /**
   * Reads the links that have an index; completes with those that must be found by name (no index
   * yet, or the interface there is not the one named).
   */
  private CompletableFuture<List<PollTarget.Link>> read(
      Target<UdpAddress> target, List<PollTarget.Link> links, Acc acc) {
    List<PollTarget.Link> missing = new ArrayList<>();
    List<List<PollTarget.Link>> chunks = new ArrayList<>();
    List<PollTarget.Link> chunk = new ArrayList<>();
    int perLink = 8;
    int perChunk = Math.max(1, (maxVarbinds - 1) / perLink);
    for (PollTarget.Link l : links) {
      if (l.index().isEmpty()) {
        missing.add(l);
        continue;
      }
      chunk.add(l);
      if (chunk.size() == perChunk) {
        chunks.add(chunk);
        chunk = new ArrayList<>();
      }
    }
    if (!chunk.isEmpty()) {
      chunks.add(chunk);
    }
    CompletableFuture<Void> all = CompletableFuture.completedFuture(null);
    // One request at a time per device: routers are small, and this keeps each chunk's
    // sysUpTime next to its counters.
    for (List<PollTarget.Link> c : chunks) {
      all = all.thenCompose(v -> readChunk(target, c, acc, missing));
    }
    return all.thenApply(v -> missing);
  }

  private CompletableFuture<Void> readChunk(
      Target<UdpAddress> target,
      List<PollTarget.Link> links,
      Acc acc,
      List<PollTarget.Link> missing) {
    List<OID> oids = new ArrayList<>();
    oids.add(SnmpOids.SYS_UPTIME);
    for (PollTarget.Link l : links) {
      int i = l.index().orElseThrow();
      identity(l).ifPresent(column -> oids.add(instance(column, i)));
      for (OID column :
          List.of(
              SnmpOids.IF_OPER_STATUS,
              SnmpOids.IF_HIGH_SPEED,
              SnmpOids.IF_SPEED,
              SnmpOids.IF_HC_IN_OCTETS,
              SnmpOids.IF_HC_OUT_OCTETS,
              SnmpOids.IF_IN_OCTETS,
              SnmpOids.IF_OUT_OCTETS)) {
        oids.add(instance(column, i));
      }
    }
    return client
        .get(target, oids)
        .thenAccept(
            bindings -> {
              Instant at = clock.instant();
              Map<OID, Variable> values = new LinkedHashMap<>();
              for (VariableBinding vb : bindings) {
                if (!vb.getVariable().isException()) {
                  values.put(vb.getOid(), vb.getVariable());
                }
              }
              Variable uptime = values.get(SnmpOids.SYS_UPTIME);
              if (uptime == null) {
                throw new SnmpClient.PollException(
                    SnmpClient.Failure.NO_SUCH_OBJECT, "sysUpTime.0 missing");
              }
              for (PollTarget.Link l : links) {
                int i = l.index().orElseThrow();
                Optional<OID> id = identity(l);
                Variable oper = values.get(instance(SnmpOids.IF_OPER_STATUS, i));
                boolean sameInterface =
                    oper != null
                        && id.map(
                                column -> {
                                  Variable name = values.get(instance(column, i));
                                  return name != null && name.toString().trim().equals(expected(l));
                                })
                            .orElse(true);
                // sameInterface already implies oper != null; said again so the compiler sees it
                if (oper == null || !sameInterface) {
                  if (l.byName()) {
                    missing.add(l);
                  } else {
                    acc.failures.add(
                        new PollOutcome.Failed(
                            SnmpClient.Failure.NO_SUCH_INTERFACE,
                            "link " + l.linkId() + ": no interface with ifIndex " + i));
                  }
                  continue;
                }
                Variable hcIn = values.get(instance(SnmpOids.IF_HC_IN_OCTETS, i));
                Variable hcOut = values.get(instance(SnmpOids.IF_HC_OUT_OCTETS, i));
                Variable in = values.get(instance(SnmpOids.IF_IN_OCTETS, i));
                Variable out = values.get(instance(SnmpOids.IF_OUT_OCTETS, i));
                int bits;
                long inOctets;
                long outOctets;
                if (hcIn != null && hcOut != null) {
                  bits = 64;
                  inOctets = hcIn.toLong();
                  outOctets = hcOut.toLong();
                } else if (in != null && out != null) {
                  bits = 32;
                  inOctets = in.toLong();
                  outOctets = out.toLong();
                } else {
                  acc.failures.add(
                      new PollOutcome.Failed(
                          SnmpClient.Failure.NO_SUCH_OBJECT,
                          "link " + l.linkId() + ": no octet counters at ifIndex " + i));
                  continue;
                }
                acc.readings.add(
                    new PollOutcome.LinkReading(
                        l.linkId(),
                        acc.establishmentId,
                        new CounterRates.Reading(
                            at,
                            uptime.toLong(),
                            i,
                            bits,
                            inOctets,
                            outOctets,
                            oper.toInt(),
                            speed(values, i)),
                        l.contractedDownBps(),
                        l.contractedUpBps()));
                if (!l.resolvedIfIndex().equals(Optional.of(i))) {
                  acc.resolved.put(l.linkId(), i);
                }
              }
            });
  }

  private static long speed(Map<OID, Variable> values, int i) {
    Variable high = values.get(instance(SnmpOids.IF_HIGH_SPEED, i));
    if (high != null && high.toLong() > 0) {
      return high.toLong() * 1_000_000L;
    }
    Variable speed = values.get(instance(SnmpOids.IF_SPEED, i));
    return speed != null && speed.toLong() < IF_SPEED_SATURATED ? speed.toLong() : 0;
  }

  /** Finds links by name with one GETBULK walk; completes with them at their new index. */
  private CompletableFuture<List<PollTarget.Link>> resolve(
      Target<UdpAddress> target, List<PollTarget.Link> links, Acc acc) {
    List<PollTarget.Link> byName = links.stream().filter(PollTarget.Link::byName).toList();
    if (byName.isEmpty()) {
      return CompletableFuture.completedFuture(links);
    }
    return client
        .table(target, SnmpOids.IF_DESCR, SnmpOids.IF_NAME, SnmpOids.IF_ALIAS)
        .thenApply(
            rows -> {
              List<PollTarget.Link> found = new ArrayList<>();
              for (PollTarget.Link l : links) {
                Optional<Integer> index = l.byName() ? find(rows, l) : Optional.empty();
                index
                    .filter(i -> !l.resolvedIfIndex().equals(Optional.of(i)))
                    .ifPresent(i -> acc.resolved.put(l.linkId(), i));
                // Not found: the link stays unread; the caller reports it as missing.
                found.add(
                    new PollTarget.Link(
                        l.linkId(),
                        l.ifName(),
                        l.ifDescr(),
                        l.ifAlias(),
                        l.ifIndex(),
                        index.or(() -> l.byName() ? Optional.empty() : l.ifIndex()),
                        l.contractedDownBps(),
                        l.contractedUpBps()));
              }
              return found;
            });
  }

  /** By ifName, else ifDescr, else ifAlias; with several matches, the configured ifIndex. */
  private static Optional<Integer> find(List<TableEvent> rows, PollTarget.Link l) {
    int column = l.ifName().isPresent() ? 1 : l.ifDescr().isPresent() ? 0 : 2;
    String wanted = expected(l);
    List<Integer> matches = new ArrayList<>();
    for (TableEvent row : rows) {
      VariableBinding[] cols = row.getColumns();
      if (cols != null
          && cols.length > column
          && cols[column] != null
          && wanted.equals(cols[column].getVariable().toString().trim())) {
        matches.add(row.getIndex().last());
      }
    }
    if (matches.size() > 1 && l.ifIndex().isPresent() && matches.contains(l.ifIndex().get())) {
      return l.ifIndex();
    }
    return matches.isEmpty() ? Optional.empty() : Optional.of(matches.get(0));
  }

  private static Optional<OID> identity(PollTarget.Link l) {
    if (l.ifName().isPresent()) {
      return Optional.of(SnmpOids.IF_NAME);
    }
    if (l.ifDescr().isPresent()) {
      return Optional.of(SnmpOids.IF_DESCR);
    }
    return l.ifAlias().isPresent() ? Optional.of(SnmpOids.IF_ALIAS) : Optional.empty();
  }

  private static String expected(PollTarget.Link l) {
    return l.ifName().or(l::ifDescr).or(l::ifAlias).orElse("");
  }

  private static String describe(PollTarget.Link l) {
    return l.ifName()
        .map(n -> "with ifName '" + n + "'")
        .or(() -> l.ifDescr().map(n -> "with ifDescr '" + n + "'"))
        .or(() -> l.ifAlias().map(n -> "with ifAlias '" + n + "'"))
        .orElseGet(() -> "with ifIndex " + l.ifIndex().orElse(0));
  }

  private static OID instance(OID column, int index) {
    return new OID(column).append(index);
  }
}
