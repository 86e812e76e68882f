package org.enlace.server.snmp;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;
import org.enlace.server.inventory.EstablishmentDao;
import org.enlace.server.web.ApiException;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jspecify.annotations.Nullable;

/**
 * The rules of the device inventory: links must be the establishment's own and carried by one
 * device only, secrets are encrypted on the way in and never leave, and a PUT without secrets keeps
 * the stored ones.
 */
public final class DeviceInventory {
  private final Jdbi jdbi;
  private final SnmpCredentials credentials;
  private final Runnable changed;

  /** {@code changed} runs after every committed change (the poller reloads its devices). */
  public DeviceInventory(Jdbi jdbi, SnmpCredentials credentials, Runnable changed) {
    this.jdbi = requireNonNull(jdbi, "jdbi is null");
    this.credentials = requireNonNull(credentials, "credentials is null");
    this.changed = requireNonNull(changed, "changed is null");
  }

  public List<Device> list(String establishmentCode) {
    return jdbi.withHandle(
        h -> {
          h.attach(EstablishmentDao.class).idOrNotFound(establishmentCode);
          DeviceDao dao = h.attach(DeviceDao.class);
          return dao.listFor(establishmentCode).stream().map(d -> view(dao, d)).toList();
        });
  }

  public Device get(long id) {
    return jdbi.withHandle(
        h -> {
          DeviceDao dao = h.attach(DeviceDao.class);
          return view(dao, dao.find(id).orElseThrow(() -> ApiException.notFound("device " + id)));
        });
  }

  public Device create(String establishmentCode, DeviceRequest r) {
    long id =
        jdbi.inTransaction(
            h -> {
              long establishmentId =
                  h.attach(EstablishmentDao.class).idOrNotFound(establishmentCode);
              Secrets s = secrets(r.snmp(), Optional.empty());
              DeviceDao dao = h.attach(DeviceDao.class);
              long created =
                  dao.insert(
                      establishmentId,
                      r.nameOrEmpty(),
                      r.address(),
                      r.portOrDefault(),
                      r.snmp().version(),
                      s.community,
                      r.snmp().user(),
                      r.snmp().authProtocol(),
                      s.authPassword,
                      r.snmp().privProtocol(),
                      s.privPassword,
                      r.enabledOrDefault());
              replaceMappings(h, created, establishmentId, r.interfacesOrEmpty());
              return created;
            });
    changed.run();
    return get(id);
  }

  public Device replace(long id, DeviceRequest r) {
    jdbi.useTransaction(
        h -> {
          DeviceDao dao = h.attach(DeviceDao.class);
          DeviceDao.DeviceRow old =
              dao.find(id).orElseThrow(() -> ApiException.notFound("device " + id));
          Secrets s = secrets(r.snmp(), Optional.of(old));
          dao.update(
              id,
              r.nameOrEmpty(),
              r.address(),
              r.portOrDefault(),
              r.snmp().version(),
              s.community,
              r.snmp().user(),
              r.snmp().authProtocol(),
              s.authPassword,
              r.snmp().privProtocol(),
              s.privPassword,
              r.enabledOrDefault());
          replaceMappings(h, id, old.establishmentId(), r.interfacesOrEmpty());
        });
    changed.run();
    return get(id);
  }

  public void delete(long id) {
    if (jdbi.withExtension(DeviceDao.class, dao -> dao.delete(id)) == 0) {
      throw ApiException.notFound("device " + id);
    }
    changed.run();
  }

  /** The v2c community, or the v3 passwords (priv only with a privacy protocol). */
  private record Secrets(
      @Nullable String community, @Nullable String authPassword, @Nullable String privPassword) {}

  private Secrets secrets(DeviceRequest.SnmpAccess a, Optional<DeviceDao.DeviceRow> old) {
    if ("v2c".equals(a.version())) {
      String community =
          a.community() != null
              ? credentials.encrypt(a.community())
              : old.filter(o -> "v2c".equals(o.snmpVersion()))
                  .map(DeviceDao.DeviceRow::community)
                  .orElseThrow(
                      () ->
                          ApiException.badRequest(
                              "snmp.community", "a v2c device needs its community"));
      return new Secrets(community, null, null);
    }
    // Stored v3 secrets are kept only for the same user and protocols: they were localised for
    // those, and a changed protocol with an old password is a mistake worth stopping.
    Optional<DeviceDao.DeviceRow> same =
        old.filter(
            o ->
                "v3".equals(o.snmpVersion())
                    && a.user().equals(o.v3User())
                    && a.authProtocol().equals(o.v3AuthProtocol()));
    String auth =
        a.authPassword() != null
            ? credentials.encrypt(a.authPassword())
            : same.map(DeviceDao.DeviceRow::v3AuthPassword)
                .orElseThrow(
                    () ->
                        ApiException.badRequest(
                            "snmp.authPassword", "a v3 user needs its authPassword"));
    @Nullable String priv = null;
    if (a.privProtocol() != null) {
      priv =
          a.privPassword() != null
              ? credentials.encrypt(a.privPassword())
              : same.filter(o -> a.privProtocol().equals(o.v3PrivProtocol()))
                  .map(DeviceDao.DeviceRow::v3PrivPassword)
                  .orElseThrow(
                      () ->
                          ApiException.badRequest(
                              "snmp.privPassword",
                              "privProtocol " + a.privProtocol() + " needs its privPassword"));
    }
    return new Secrets(null, auth, priv);
  }

  private static void replaceMappings(
      Handle h,
      long deviceId,
      long establishmentId,
      List<DeviceRequest.InterfaceMapping> interfaces) {
    DeviceDao dao = h.attach(DeviceDao.class);
    long[] ids = interfaces.stream().mapToLong(DeviceRequest.InterfaceMapping::linkId).toArray();
    if (ids.length > 0) {
      List<Long> own = dao.linksOf(establishmentId, ids);
      for (long link : ids) {
        if (!own.contains(link)) {
          throw ApiException.badRequest(
              "interfaces.linkId",
              "link " + link + " is not one of this establishment's ISP links");
        }
      }
      List<Long> taken = dao.linksOnOtherDevices(deviceId, ids);
      if (!taken.isEmpty()) {
        throw ApiException.conflict(
            "link_on_other_device",
            "link "
                + taken.get(0)
                + " is already carried by another device; remove it there first");
      }
    }
    dao.deleteMappings(deviceId);
    for (DeviceRequest.InterfaceMapping m : interfaces) {
      dao.insertMapping(m.linkId(), deviceId, m.ifName(), m.ifDescr(), m.ifAlias(), m.ifIndex());
    }
  }

  private static Device view(DeviceDao dao, DeviceDao.DeviceRow d) {
    List<Device.Interface> interfaces =
        dao.mappings(d.id()).stream()
            .map(
                m ->
                    new Device.Interface(
                        m.linkId(),
                        Optional.ofNullable(m.ifName()),
                        Optional.ofNullable(m.ifDescr()),
                        Optional.ofNullable(m.ifAlias()),
                        Optional.ofNullable(m.ifIndex()),
                        Optional.ofNullable(m.resolvedIfIndex()),
                        Optional.ofNullable(m.operStatus()).map(SnmpOids::operStatusName)))
            .toList();
    boolean v3 = "v3".equals(d.snmpVersion());
    Device.Snmp snmp =
        new Device.Snmp(
            d.snmpVersion(),
            Optional.ofNullable(v3 ? d.v3User() : null),
            Optional.ofNullable(d.v3AuthProtocol()),
            Optional.ofNullable(d.v3PrivProtocol()),
            v3 ? d.v3AuthPassword() != null : d.community() != null);
    Optional<Device.PollStatus> status =
        Optional.ofNullable(d.lastPollAt())
            .map(
                at ->
                    new Device.PollStatus(
                        at,
                        Optional.ofNullable(d.lastSuccessAt()),
                        Optional.ofNullable(d.lastFailure()),
                        Optional.ofNullable(d.lastFailureAt())));
    return new Device(
        d.id(),
        d.establishmentCode(),
        d.name(),
        d.address(),
        d.port(),
        snmp,
        d.enabled(),
        interfaces,
        status,
        d.createdAt(),
        d.updatedAt());
  }
}
