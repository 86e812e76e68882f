package org.enlace.server.snmp;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** A network device as the API returns it: never a community or a password. */
public record Device(
    long id,
    String establishment,
    String name,
    String address,
    int port,
    Snmp snmp,
    boolean enabled,
    List<Interface> interfaces,
    Optional<PollStatus> status,
    Instant createdAt,
    Instant updatedAt) {

  public record Snmp(
      String version,
      Optional<String> user,
      Optional<String> authProtocol,
      Optional<String> privProtocol,
      boolean credentialsSet) {}

  /** resolvedIfIndex: where the poller last found it; operStatus: up or down, when known. */
  public record Interface(
      long linkId,
      Optional<String> ifName,
      Optional<String> ifDescr,
      Optional<String> ifAlias,
      Optional<Integer> ifIndex,
      Optional<Integer> resolvedIfIndex,
      Optional<String> operStatus) {}

  public record PollStatus(
      Instant lastPollAt,
      Optional<Instant> lastSuccessAt,
      Optional<String> lastFailure,
      Optional<Instant> lastFailureAt) {}
}
