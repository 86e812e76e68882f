package org.enlace.server.snmp;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.snmp4j.AbstractTarget;
import org.snmp4j.CommunityTarget;
import org.snmp4j.MessageDispatcherImpl;
import org.snmp4j.PDU;
import org.snmp4j.ScopedPDU;
import org.snmp4j.Snmp;
import org.snmp4j.Target;
import org.snmp4j.UserTarget;
import org.snmp4j.event.ResponseEvent;
import org.snmp4j.event.ResponseListener;
import org.snmp4j.mp.MPv2c;
import org.snmp4j.mp.MPv3;
import org.snmp4j.mp.SnmpConstants;
import org.snmp4j.security.AuthHMAC192SHA256;
import org.snmp4j.security.AuthSHA;
import org.snmp4j.security.PrivAES128;
import org.snmp4j.security.PrivAES256;
import org.snmp4j.security.SecurityLevel;
import org.snmp4j.security.SecurityModel;
import org.snmp4j.security.SecurityProtocols;
import org.snmp4j.security.USM;
import org.snmp4j.security.UsmUser;
import org.snmp4j.smi.OID;
import org.snmp4j.smi.OctetString;
import org.snmp4j.smi.UdpAddress;
import org.snmp4j.smi.VariableBinding;
import org.snmp4j.transport.DefaultUdpTransportMapping;
import org.snmp4j.util.DefaultPDUFactory;
import org.snmp4j.util.MultiThreadedMessageDispatcher;
import org.snmp4j.util.TableEvent;
import org.snmp4j.util.TableListener;
import org.snmp4j.util.TableUtils;
import org.snmp4j.util.ThreadPool;

/**
 * SNMP4J set up for many devices at once: one UDP socket, asynchronous requests (a dead device only
 * costs its own timeouts), a USM of its own with users tied to each device's engine ID, so two
 * routers may share a user name with different passwords.
 */
final class SnmpClient implements AutoCloseable {
  /** Why a request got no usable answer; the wire names are stored with each failure. */
  enum Failure {
    TIMEOUT("timeout"),
    AUTH_FAILURE("auth_failure"),
    NO_SUCH_OBJECT("no_such_object"),
    NO_SUCH_INTERFACE("no_such_interface"),
    ERROR_STATUS("error_status"),
    UNREACHABLE("unreachable");

    private final String wire;

    Failure(String wire) {
      this.wire = wire;
    }

    String wire() {
      return wire;
    }
  }

  /** A failed request, with a detail for the person reading the failure list. */
  static final class PollException extends RuntimeException {
    private final Failure failure;
    private final String detail;

    PollException(Failure failure, String detail) {
      super(detail, null, false, false);
      this.failure = failure;
      this.detail = detail;
    }

    Failure failure() {
      return failure;
    }

    /** The message, never null. */
    String detail() {
      return detail;
    }
  }

  private final Snmp snmp;
  private final USM usm;
  private final long timeoutMs;
  private final int retries;
  private final int bulkRepetitions;

  /** Engine discovery is synchronous in SNMP4J; it runs here, off the response threads. */
  private final ExecutorService discovery;

  private final Map<Long, byte[]> engineIds = new ConcurrentHashMap<>();

  SnmpClient(SnmpConfig config) throws IOException {
    this(
        config.getTimeout().toMilliseconds(),
        config.getRetries(),
        config.getBulkRepetitions(),
        new UdpAddress("0.0.0.0/0"));
  }

  SnmpClient(long timeoutMs, int retries, int bulkRepetitions, UdpAddress listen)
      throws IOException {
    this.timeoutMs = timeoutMs;
    this.retries = retries;
    this.bulkRepetitions = bulkRepetitions;
    // SNMP4J 3's default set leaves out SHA-1, which most routers in the field still use.
    SecurityProtocols protocols = new SecurityProtocols(SecurityProtocols.SecurityProtocolSet.none);
    protocols.addAuthenticationProtocol(new AuthSHA());
    protocols.addAuthenticationProtocol(new AuthHMAC192SHA256());
    protocols.addPrivacyProtocol(new PrivAES128());
    // Net-SNMP's AES-256 is the Blumenthal key extension: SNMP4J's plain PrivAES256.
    protocols.addPrivacyProtocol(new PrivAES256());
    this.usm = new USM(protocols, new OctetString(MPv3.createLocalEngineID()), 0);
    MultiThreadedMessageDispatcher dispatcher =
        new MultiThreadedMessageDispatcher(
            ThreadPool.create("snmp-responses", 2), new MessageDispatcherImpl());
    dispatcher.addMessageProcessingModel(new MPv2c());
    dispatcher.addMessageProcessingModel(new MPv3(usm));
    DefaultUdpTransportMapping transport = new DefaultUdpTransportMapping(listen);
    // Many devices answer within the same millisecond when a cycle starts.
    transport.setReceiveBufferSize(4 * 1024 * 1024);
    this.snmp = new Snmp(dispatcher, transport);
    this.discovery =
        Executors.newFixedThreadPool(
            8,
            r -> {
              Thread t = new Thread(r, "snmp-engine-discovery");
              t.setDaemon(true);
              return t;
            });
    snmp.listen();
  }

  USM usm() {
    return usm;
  }

  /** The SNMP4J target for a device; for v3, after finding its engine ID and adding its user. */
  CompletableFuture<Target<UdpAddress>> target(PollTarget device) {
    UdpAddress address;
    try {
      address = new UdpAddress(InetAddress.getByName(device.address()), device.port());
    } catch (UnknownHostException e) {
      return CompletableFuture.failedFuture(
          new PollException(Failure.UNREACHABLE, "cannot resolve " + device.address()));
    }
    if (device.v3().isEmpty()) {
      CommunityTarget<UdpAddress> t =
          new CommunityTarget<>(address, new OctetString(device.community().orElseThrow()));
      t.setVersion(SnmpConstants.version2c);
      return CompletableFuture.completedFuture(configure(t));
    }
    PollTarget.V3 v3 = device.v3().get();
    byte[] known = engineIds.get(device.id());
    CompletableFuture<byte[]> engine =
        known != null
            ? CompletableFuture.completedFuture(known)
            : CompletableFuture.supplyAsync(
                () -> discoverEngine(device.id(), address, v3), discovery);
    return engine.thenApply(
        id -> {
          UserTarget<UdpAddress> t =
              new UserTarget<>(
                  address,
                  new OctetString(v3.user()),
                  id,
                  v3.privProtocol().isPresent()
                      ? SecurityLevel.AUTH_PRIV
                      : SecurityLevel.AUTH_NOPRIV);
          t.setSecurityModel(SecurityModel.SECURITY_MODEL_USM);
          t.setVersion(SnmpConstants.version3);
          return configure(t);
        });
  }

  private byte[] discoverEngine(long deviceId, UdpAddress address, PollTarget.V3 v3) {
    byte[] id = snmp.discoverAuthoritativeEngineID(address, timeoutMs * (retries + 1));
    if (id == null || id.length == 0) {
      throw new PollException(
          Failure.TIMEOUT,
          "no answer to SNMPv3 engine discovery within " + timeoutMs * (retries + 1) + " ms");
    }
    OctetString engine = new OctetString(id);
    usm.removeAllUsers(new OctetString(v3.user()), engine);
    usm.addUser(
        new UsmUser(
            new OctetString(v3.user()),
            "SHA-256".equals(v3.authProtocol()) ? AuthHMAC192SHA256.ID : AuthSHA.ID,
            new OctetString(v3.authPassword()),
            v3.privProtocol()
                .map(p -> "AES-256".equals(p) ? PrivAES256.ID : PrivAES128.ID)
                .orElse(null),
            v3.privPassword().map(OctetString::new).orElse(null)),
        engine);
    engineIds.put(deviceId, id);
    return id;
  }

  /**
   * After a v3 request timed out: a device that still answers the (unauthenticated) engine
   * discovery is refusing our credentials, which SNMPv3 agents signal only by silence or by an
   * unauthenticated report SNMP4J rightly ignores.
   */
  CompletableFuture<Boolean> answersDiscovery(PollTarget device) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            UdpAddress address =
                new UdpAddress(InetAddress.getByName(device.address()), device.port());
            byte[] id = snmp.discoverAuthoritativeEngineID(address, timeoutMs);
            return id != null && id.length > 0;
          } catch (UnknownHostException e) {
            return false;
          }
        },
        discovery);
  }

  /** The engine ID found for a device, if any (tests send v3 traps under it). */
  Optional<byte[]> engineId(long deviceId) {
    return Optional.ofNullable(engineIds.get(deviceId));
  }

  /** Forgets a device's engine (after an auth failure or an edit), so it is found again. */
  void forget(long deviceId) {
    engineIds.remove(deviceId);
  }

  private <T extends AbstractTarget<UdpAddress>> T configure(T t) {
    t.setTimeout(timeoutMs);
    t.setRetries(retries);
    return t;
  }

  /** One GET; completes with the answer's bindings, or fails with a {@link PollException}. */
  CompletableFuture<List<VariableBinding>> get(Target<UdpAddress> target, List<OID> oids) {
    PDU pdu = target.getVersion() == SnmpConstants.version3 ? new ScopedPDU() : new PDU();
    pdu.setType(PDU.GET);
    for (OID oid : oids) {
      pdu.add(new VariableBinding(oid));
    }
    CompletableFuture<List<VariableBinding>> out = new CompletableFuture<>();
    ResponseListener listener =
        new ResponseListener() {
          @Override
          public <A extends org.snmp4j.smi.Address> void onResponse(ResponseEvent<A> event) {
            ((Snmp) event.getSource()).cancel(event.getRequest(), this);
            try {
              out.complete(bindings(event));
            } catch (PollException e) {
              out.completeExceptionally(e);
            }
          }
        };
    try {
      snmp.send(pdu, target, null, listener);
    } catch (IOException | RuntimeException e) {
      out.completeExceptionally(new PollException(Failure.UNREACHABLE, e.toString()));
    }
    return out;
  }

  private static List<VariableBinding> bindings(ResponseEvent<?> event) {
    if (event.getError() != null) {
      throw new PollException(Failure.UNREACHABLE, event.getError().toString());
    }
    PDU response = event.getResponse();
    if (response == null) {
      // SNMPv2c agents drop requests with a wrong community silently: it looks like this too.
      throw new PollException(Failure.TIMEOUT, "no answer");
    }
    if (response.getType() == PDU.REPORT) {
      throw reportFailure(response);
    }
    if (response.getErrorStatus() != PDU.noError) {
      throw new PollException(
          Failure.ERROR_STATUS,
          response.getErrorStatusText() + " at binding " + response.getErrorIndex());
    }
    return new ArrayList<>(response.getVariableBindings());
  }

  /** A REPORT instead of an answer: USM refused us (RFC 3414 usmStats*). */
  static PollException reportFailure(PDU report) {
    String what =
        report.getVariableBindings().isEmpty() ? "report" : report.get(0).getOid().toDottedString();
    String reason =
        switch (what) {
          case "1.3.6.1.6.3.15.1.1.3.0" -> "unknown user name";
          case "1.3.6.1.6.3.15.1.1.5.0" -> "wrong digest (wrong auth password or protocol)";
          case "1.3.6.1.6.3.15.1.1.6.0" -> "decryption error (wrong privacy password or protocol)";
          case "1.3.6.1.6.3.15.1.1.1.0" -> "unsupported security level";
          case "1.3.6.1.6.3.15.1.1.2.0" -> "not in time window";
          case "1.3.6.1.6.3.15.1.1.4.0" -> "unknown engine ID";
          default -> "report " + what;
        };
    return new PollException(Failure.AUTH_FAILURE, reason);
  }

  /**
   * Walks table columns with GETBULK; completes with one row per index (columns in the order asked,
   * null where a row lacks one).
   */
  CompletableFuture<List<TableEvent>> table(Target<UdpAddress> target, OID... columns) {
    TableUtils tables = new TableUtils(snmp, new DefaultPDUFactory(PDU.GETBULK));
    tables.setMaxNumRowsPerPDU(bulkRepetitions);
    CompletableFuture<List<TableEvent>> out = new CompletableFuture<>();
    List<TableEvent> rows = new ArrayList<>();
    tables.getTable(
        target,
        columns,
        new TableListener() {
          private volatile boolean finished;

          @Override
          public boolean next(TableEvent event) {
            rows.add(event);
            return true;
          }

          @Override
          public void finished(TableEvent event) {
            finished = true;
            if (event.isError()) {
              if (event.getReportPDU() != null) {
                out.completeExceptionally(reportFailure(event.getReportPDU()));
              } else if (event.getStatus() == TableEvent.STATUS_TIMEOUT) {
                out.completeExceptionally(new PollException(Failure.TIMEOUT, "no answer"));
              } else {
                out.completeExceptionally(
                    new PollException(Failure.ERROR_STATUS, event.getErrorMessage()));
              }
            } else {
              out.complete(rows);
            }
          }

          @Override
          public boolean isFinished() {
            return finished;
          }
        },
        null,
        null,
        null);
    return out;
  }

  @Override
  public void close() throws IOException {
    discovery.shutdownNow();
    snmp.close();
  }
}
