package org.enlace.server.snmp;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every server of one database must hold the key its routers' secrets were encrypted with. A
 * replica with a key of its own cannot read them and would skip every router for good; on an
 * external database (where replicas run) the server therefore refuses to start instead. An embedded
 * database has one server: it keeps the old behaviour (a warning, the routers skipped) so that a
 * lost key costs the routers' polling, not the whole server.
 */
public final class SnmpKeyCheck {
  private static final Logger LOG = LoggerFactory.getLogger(SnmpKeyCheck.class);

  interface Dao {
    @SqlQuery(
        """
        SELECT s FROM network_devices d,
          unnest(ARRAY[d.community, d.v3_auth_password, d.v3_priv_password]) AS s
        WHERE s IS NOT NULL
        """)
    List<String> storedSecrets();
  }

  private SnmpKeyCheck() {}

  /**
   * The server's credentials, after checking that they read every stored secret.
   *
   * @throws SnmpKeyMismatchException on an external database when a stored secret does not decrypt
   */
  public static SnmpCredentials credentials(
      SnmpConfig config, Path dataDir, Jdbi jdbi, boolean externalDatabase) {
    List<String> stored = jdbi.withExtension(Dao.class, Dao::storedSecrets);
    boolean generated = !config.hasConfiguredKeys();
    if (externalDatabase
        && generated
        && !stored.isEmpty()
        && !Files.exists(dataDir.resolve(SnmpCredentials.KEY_FILE))) {
      // A key generated now could not read them either; do not leave one behind.
      throw new SnmpKeyMismatchException(stored.size(), stored.size(), keyIds(stored));
    }
    SnmpCredentials credentials = SnmpCredentials.from(config, dataDir);
    Set<String> unreadableIds = new TreeSet<>();
    int unreadable = 0;
    for (String s : stored) {
      try {
        credentials.decrypt(s);
      } catch (RuntimeException e) {
        unreadable++;
        unreadableIds.addAll(keyIds(List.of(s)));
      }
    }
    if (unreadable > 0) {
      if (externalDatabase) {
        throw new SnmpKeyMismatchException(unreadable, stored.size(), unreadableIds);
      }
      LOG.warn(
          "event=snmp_credentials_unreadable secrets={} of={} keyIds={} effect=\"their routers"
              + " are not polled (snmp_device_skipped) until the key is configured again or their"
              + " credentials are entered again\"",
          unreadable,
          stored.size(),
          unreadableIds);
    }
    if (externalDatabase && generated) {
      LOG.warn(
          "event=snmp_credential_key_not_shared file={} effect=\"another server on this database"
              + " cannot read the routers' secrets; give every server the same key"
              + " (snmp.credentialKeyFile or snmp.credentialKeys, docs/operations.md)\"",
          dataDir.resolve(SnmpCredentials.KEY_FILE));
    }
    return credentials;
  }

  /** The key ids named in stored values ({@code enc1:<id>:...}); ids are not secret. */
  private static Set<String> keyIds(List<String> stored) {
    Set<String> ids = new TreeSet<>();
    for (String s : stored) {
      int colon = s.indexOf(':', SnmpCredentials.PREFIX.length());
      if (s.startsWith(SnmpCredentials.PREFIX) && colon > 0) {
        ids.add(s.substring(SnmpCredentials.PREFIX.length(), colon));
      }
    }
    return ids;
  }
}
