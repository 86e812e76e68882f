package org.enlace.server.snmp;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.statement.GetGeneratedKeys;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;
import org.jspecify.annotations.Nullable;

/** The device inventory's SQL. Secrets go in and out encrypted; see {@link SnmpCredentials}. */
@RegisterConstructorMapper(DeviceDao.DeviceRow.class)
@RegisterConstructorMapper(DeviceDao.MappingRow.class)
public interface DeviceDao {
  /** A stored device with its encrypted secrets and the poller's last state (nullable columns). */
  record DeviceRow(
      long id,
      long establishmentId,
      String establishmentCode,
      String name,
      String address,
      int port,
      String snmpVersion,
      String community,
      String v3User,
      String v3AuthProtocol,
      String v3AuthPassword,
      String v3PrivProtocol,
      String v3PrivPassword,
      boolean enabled,
      Instant createdAt,
      Instant updatedAt,
      Instant lastPollAt,
      Instant lastSuccessAt,
      String lastFailure,
      Instant lastFailureAt) {}

  /** A link's interface on its device, with the contracted rates the percentages are of. */
  record MappingRow(
      long linkId,
      long deviceId,
      long establishmentId,
      String establishmentCode,
      String ifName,
      String ifDescr,
      String ifAlias,
      Integer ifIndex,
      Integer resolvedIfIndex,
      double contractedDownBps,
      double contractedUpBps,
      Integer operStatus) {}

  @SqlQuery(
      """
      SELECT d.id, d.establishment_id, e.code AS establishment_code, d.name,
      d.address, d.port, d.snmp_version, d.community, d.v3_user, d.v3_auth_protocol,
      d.v3_auth_password, d.v3_priv_protocol, d.v3_priv_password, d.enabled, d.created_at,
      d.updated_at, s.last_poll_at, s.last_success_at, s.last_failure, s.last_failure_at
      FROM network_devices d JOIN establishments e ON e.id = d.establishment_id
      LEFT JOIN snmp_device_state s ON s.device_id = d.id
      WHERE e.code = :code ORDER BY d.id
      """)
  List<DeviceRow> listFor(String code);

  @SqlQuery(
      """
      SELECT d.id, d.establishment_id, e.code AS establishment_code, d.name,
      d.address, d.port, d.snmp_version, d.community, d.v3_user, d.v3_auth_protocol,
      d.v3_auth_password, d.v3_priv_protocol, d.v3_priv_password, d.enabled, d.created_at,
      d.updated_at, s.last_poll_at, s.last_success_at, s.last_failure, s.last_failure_at
      FROM network_devices d JOIN establishments e ON e.id = d.establishment_id
      LEFT JOIN snmp_device_state s ON s.device_id = d.id
      WHERE d.id = :id
      """)
  Optional<DeviceRow> find(long id);

  @SqlQuery(
      """
      SELECT d.id, d.establishment_id, e.code AS establishment_code, d.name,
      d.address, d.port, d.snmp_version, d.community, d.v3_user, d.v3_auth_protocol,
      d.v3_auth_password, d.v3_priv_protocol, d.v3_priv_password, d.enabled, d.created_at,
      d.updated_at, s.last_poll_at, s.last_success_at, s.last_failure, s.last_failure_at
      FROM network_devices d JOIN establishments e ON e.id = d.establishment_id
      LEFT JOIN snmp_device_state s ON s.device_id = d.id
      WHERE d.enabled ORDER BY d.id
      """)
  List<DeviceRow> enabled();

  @SqlQuery(
      """
      SELECT d.id, d.establishment_id, e.code AS establishment_code, d.name,
      d.address, d.port, d.snmp_version, d.community, d.v3_user, d.v3_auth_protocol,
      d.v3_auth_password, d.v3_priv_protocol, d.v3_priv_password, d.enabled, d.created_at,
      d.updated_at, s.last_poll_at, s.last_success_at, s.last_failure, s.last_failure_at
      FROM network_devices d JOIN establishments e ON e.id = d.establishment_id
      LEFT JOIN snmp_device_state s ON s.device_id = d.id
      ORDER BY d.id
      """)
  List<DeviceRow> all();

  @SqlQuery(
      """
      SELECT m.link_id, m.device_id, l.establishment_id,
      e.code AS establishment_code, m.if_name, m.if_descr, m.if_alias, m.if_index,
      m.resolved_if_index, l.contracted_down_mbps * 1e6 AS contracted_down_bps,
      l.contracted_up_mbps * 1e6 AS contracted_up_bps, st.oper_status
      FROM device_links m JOIN isp_links l ON l.id = m.link_id
      JOIN establishments e ON e.id = l.establishment_id
      LEFT JOIN snmp_link_state st ON st.link_id = m.link_id
      WHERE m.device_id = :deviceId ORDER BY m.link_id
      """)
  List<MappingRow> mappings(long deviceId);

  @SqlQuery(
      """
      SELECT m.link_id, m.device_id, l.establishment_id,
      e.code AS establishment_code, m.if_name, m.if_descr, m.if_alias, m.if_index,
      m.resolved_if_index, l.contracted_down_mbps * 1e6 AS contracted_down_bps,
      l.contracted_up_mbps * 1e6 AS contracted_up_bps, st.oper_status
      FROM device_links m JOIN isp_links l ON l.id = m.link_id
      JOIN establishments e ON e.id = l.establishment_id
      LEFT JOIN snmp_link_state st ON st.link_id = m.link_id
      JOIN network_devices d ON d.id = m.device_id WHERE d.enabled ORDER BY m.device_id, m.link_id
      """)
  List<MappingRow> enabledMappings();

  @SqlUpdate(
      """
      INSERT INTO network_devices (establishment_id, name, address, port, snmp_version,
      community, v3_user, v3_auth_protocol, v3_auth_password, v3_priv_protocol,
      v3_priv_password, enabled) VALUES (:establishmentId, :name, :address, :port, :version,
      :community, :user, :authProtocol, :authPassword, :privProtocol, :privPassword,
      :enabled)
      """)
  @GetGeneratedKeys("id")
  long insert(
      long establishmentId,
      String name,
      String address,
      int port,
      String version,
      @Nullable String community,
      @Nullable String user,
      @Nullable String authProtocol,
      @Nullable String authPassword,
      @Nullable String privProtocol,
      @Nullable String privPassword,
      boolean enabled);

  @SqlUpdate(
      """
      UPDATE network_devices SET name = :name, address = :address, port = :port,
      snmp_version = :version, community = :community, v3_user = :user,
      v3_auth_protocol = :authProtocol, v3_auth_password = :authPassword,
      v3_priv_protocol = :privProtocol, v3_priv_password = :privPassword,
      enabled = :enabled, updated_at = now() WHERE id = :id
      """)
  int update(
      long id,
      String name,
      String address,
      int port,
      String version,
      @Nullable String community,
      @Nullable String user,
      @Nullable String authProtocol,
      @Nullable String authPassword,
      @Nullable String privProtocol,
      @Nullable String privPassword,
      boolean enabled);

  @SqlUpdate("DELETE FROM network_devices WHERE id = :id")
  int delete(long id);

  @SqlUpdate("DELETE FROM device_links WHERE device_id = :deviceId")
  void deleteMappings(long deviceId);

  @SqlUpdate(
      """
      INSERT INTO device_links (link_id, device_id, if_name, if_descr, if_alias,
      if_index) VALUES (:linkId, :deviceId, :ifName, :ifDescr, :ifAlias, :ifIndex)
      """)
  void insertMapping(
      long linkId, long deviceId, String ifName, String ifDescr, String ifAlias, Integer ifIndex);

  /** Of these links, the ones that belong to the establishment. */
  @SqlQuery(
      """
      SELECT id FROM isp_links WHERE establishment_id = :establishmentId
      AND id = ANY(:ids)
      """)
  List<Long> linksOf(long establishmentId, long[] ids);

  /** Links among these already carried by another device. */
  @SqlQuery(
      """
      SELECT link_id FROM device_links WHERE device_id <> :deviceId
      AND link_id = ANY(:ids)
      """)
  List<Long> linksOnOtherDevices(long deviceId, long[] ids);

  /** Every stored secret column, for `snmp rekey`. */
  @SqlQuery(
      """
      SELECT d.id, d.establishment_id, e.code AS establishment_code, d.name,
      d.address, d.port, d.snmp_version, d.community, d.v3_user, d.v3_auth_protocol,
      d.v3_auth_password, d.v3_priv_protocol, d.v3_priv_password, d.enabled, d.created_at,
      d.updated_at, s.last_poll_at, s.last_success_at, s.last_failure, s.last_failure_at
      FROM network_devices d JOIN establishments e ON e.id = d.establishment_id
      LEFT JOIN snmp_device_state s ON s.device_id = d.id
      ORDER BY d.id FOR UPDATE OF d
      """)
  List<DeviceRow> allForUpdate();

  @SqlUpdate(
      """
      UPDATE network_devices SET community = :community,
      v3_auth_password = :authPassword, v3_priv_password = :privPassword WHERE id = :id
      """)
  int updateSecrets(long id, String community, String authPassword, String privPassword);
}
