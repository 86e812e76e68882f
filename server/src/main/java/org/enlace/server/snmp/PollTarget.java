package org.enlace.server.snmp;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A device as the poller needs it: decrypted access and the links it carries. */
record PollTarget(
    long id,
    long establishmentId,
    String establishmentCode,
    String address,
    int port,
    Optional<String> community,
    Optional<V3> v3,
    List<Link> links) {

  /** This device with the links found at new ifIndexes (so the next poll reads them there). */
  PollTarget withResolved(Map<Long, Integer> resolved) {
    if (resolved.isEmpty()) {
      return this;
    }
    List<Link> next =
        links.stream()
            .map(
                l ->
                    resolved.containsKey(l.linkId())
                        ? new Link(
                            l.linkId(),
                            l.ifName(),
                            l.ifDescr(),
                            l.ifAlias(),
                            l.ifIndex(),
                            Optional.of(resolved.get(l.linkId())),
                            l.contractedDownBps(),
                            l.contractedUpBps())
                        : l)
            .toList();
    return new PollTarget(
        id, establishmentId, establishmentCode, address, port, community, v3, next);
  }

  record V3(
      String user,
      String authProtocol,
      String authPassword,
      Optional<String> privProtocol,
      Optional<String> privPassword) {}

  /**
   * A link's interface: matched by the first name given (ifName, ifDescr, ifAlias), or by the
   * configured ifIndex alone. resolvedIfIndex is where it was last found.
   */
  record Link(
      long linkId,
      Optional<String> ifName,
      Optional<String> ifDescr,
      Optional<String> ifAlias,
      Optional<Integer> ifIndex,
      Optional<Integer> resolvedIfIndex,
      double contractedDownBps,
      double contractedUpBps) {

    boolean byName() {
      return ifName.isPresent() || ifDescr.isPresent() || ifAlias.isPresent();
    }

    /** Where to read it now: the last resolved index, else the configured one. */
    Optional<Integer> index() {
      return resolvedIfIndex.or(() -> ifIndex);
    }
  }
}
