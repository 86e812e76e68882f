package org.enlace.server.snmp;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.snmp4j.CommandResponder;
import org.snmp4j.CommandResponderEvent;
import org.snmp4j.MessageDispatcherImpl;
import org.snmp4j.PDU;
import org.snmp4j.Snmp;
import org.snmp4j.mp.MPv2c;
import org.snmp4j.mp.MPv3;
import org.snmp4j.security.SecurityLevel;
import org.snmp4j.security.USM;
import org.snmp4j.smi.Address;
import org.snmp4j.smi.IpAddress;
import org.snmp4j.smi.OID;
import org.snmp4j.smi.UdpAddress;
import org.snmp4j.smi.VariableBinding;
import org.snmp4j.transport.DefaultUdpTransportMapping;

/**
 * linkDown/linkUp notifications (SNMPv2c and v3 traps and informs). A notification is accepted only
 * from a polled device's address and with that device's credentials: v2c with its community, v3
 * authenticated with its user (the poller has put that user in the shared USM under the device's
 * engine ID). It records the status change at once and triggers a poll.
 */
final class TrapReceiver implements CommandResponder, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TrapReceiver.class);

  private final SnmpConfig.Traps config;
  private final USM usm;
  private final SnmpPoller poller;
  private final Clock clock;
  private @Nullable Snmp snmp; // from start() on

  TrapReceiver(SnmpConfig.Traps config, USM usm, SnmpPoller poller, Clock clock) {
    this.config = config;
    this.usm = usm;
    this.poller = poller;
    this.clock = clock;
  }

  void start() throws IOException {
    MessageDispatcherImpl dispatcher = new MessageDispatcherImpl();
    dispatcher.addMessageProcessingModel(new MPv2c());
    dispatcher.addMessageProcessingModel(new MPv3(usm));
    Snmp s =
        new Snmp(
            dispatcher,
            new DefaultUdpTransportMapping(
                new UdpAddress(InetAddress.getByName(config.getBindAddress()), config.getPort()),
                true));
    snmp = s;
    s.addCommandResponder(this);
    s.listen();
  }

  @Override
  public <A extends Address> void processPdu(CommandResponderEvent<A> event) {
    PDU pdu = event.getPDU();
    if (pdu == null || (pdu.getType() != PDU.TRAP && pdu.getType() != PDU.INFORM)) {
      return;
    }
    String source =
        event.getPeerAddress() instanceof IpAddress ip
            ? ip.getInetAddress().getHostAddress()
            : String.valueOf(event.getPeerAddress());
    Optional<PollTarget> device = poller.deviceAt(source).or(() -> byResolvedName(source));
    if (device.isEmpty() || !authentic(device.get(), event)) {
      LOG.info(
          "event=snmp_trap_ignored source={} reason=\"{}\"",
          source,
          device.isEmpty() ? "not a polled device's address" : "wrong community or user");
      return;
    }
    if (pdu.getType() == PDU.INFORM) {
      acknowledge(event);
    }
    VariableBinding trapOid =
        pdu.getVariable(SnmpOids.SNMP_TRAP_OID) == null
            ? null
            : new VariableBinding(SnmpOids.SNMP_TRAP_OID, pdu.getVariable(SnmpOids.SNMP_TRAP_OID));
    if (trapOid == null) {
      return;
    }
    OID kind = (OID) trapOid.getVariable();
    if (!kind.equals(SnmpOids.LINK_DOWN) && !kind.equals(SnmpOids.LINK_UP)) {
      return;
    }
    Integer ifIndex = null;
    Integer oper = null;
    for (VariableBinding vb : pdu.getVariableBindings()) {
      if (vb.getOid().startsWith(SnmpOids.IF_INDEX)
          && vb.getOid().size() == SnmpOids.IF_INDEX.size() + 1) {
        ifIndex = vb.getVariable().toInt();
      } else if (vb.getOid().startsWith(SnmpOids.IF_OPER_STATUS)
          && vb.getOid().size() == SnmpOids.IF_OPER_STATUS.size() + 1) {
        oper = vb.getVariable().toInt();
        ifIndex = ifIndex == null ? vb.getOid().last() : ifIndex;
      }
    }
    int status = oper != null ? oper : kind.equals(SnmpOids.LINK_UP) ? 1 : 2;
    PollTarget d = device.get();
    for (PollTarget.Link l : d.links()) {
      if (ifIndex != null && l.index().equals(Optional.of(ifIndex))) {
        LOG.info(
            "event=snmp_link_trap device={} establishment={} link={} ifIndex={} status={}",
            d.id(),
            d.establishmentCode(),
            l.linkId(),
            ifIndex,
            SnmpOids.operStatusName(status));
        poller.trap(new SnmpStore.Trap(l.linkId(), d.establishmentId(), clock.instant(), status));
      }
    }
    poller.pollNow(d.id());
  }

  private Optional<PollTarget> byResolvedName(String source) {
    return poller.targets().stream()
        .filter(
            t -> {
              try {
                return InetAddress.getByName(t.address()).getHostAddress().equals(source);
              } catch (UnknownHostException e) {
                return false;
              }
            })
        .findFirst();
  }

  private static boolean authentic(PollTarget device, CommandResponderEvent<?> event) {
    if (event.getMessageProcessingModel() == org.snmp4j.mp.MessageProcessingModel.MPv3) {
      return device.v3().isPresent()
          && device.v3().get().user().equals(new String(event.getSecurityName(), UTF_8))
          && event.getSecurityLevel() >= SecurityLevel.AUTH_NOPRIV;
    }
    return event.getMessageProcessingModel() == org.snmp4j.mp.MessageProcessingModel.MPv2c
        && device.community().isPresent()
        && device.community().get().equals(new String(event.getSecurityName(), UTF_8));
  }

  private static void acknowledge(CommandResponderEvent<?> event) {
    try {
      PDU response = event.getPDU();
      response.setErrorIndex(0);
      response.setErrorStatus(0);
      response.setType(PDU.RESPONSE);
      event
          .getMessageDispatcher()
          .returnResponsePdu(
              event.getMessageProcessingModel(),
              event.getSecurityModel(),
              event.getSecurityName(),
              event.getSecurityLevel(),
              response,
              event.getMaxSizeResponsePDU(),
              event.getStateReference(),
              new org.snmp4j.mp.StatusInformation());
    } catch (org.snmp4j.MessageException e) {
      LOG.info("event=snmp_inform_ack_failed error=\"{}\"", e.toString());
    }
  }

  int port() {
    return snmp == null
        ? config.getPort()
        : ((UdpAddress)
                snmp.getMessageDispatcher()
                    .getTransportMappings()
                    .iterator()
                    .next()
                    .getListenAddress())
            .getPort();
  }

  @Override
  public void close() throws IOException {
    if (snmp != null) {
      snmp.close();
    }
  }
}
