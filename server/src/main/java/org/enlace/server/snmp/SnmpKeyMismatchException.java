package org.enlace.server.snmp;

import java.util.Set;

/**
 * The routers' stored secrets do not decrypt with this server's key: it must not start. One
 * sentence in Spanish and one in English, saying what to do; never the key itself.
 */
public final class SnmpKeyMismatchException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  SnmpKeyMismatchException(int unreadable, int stored, Set<String> keyIds) {
    super(
        "Las credenciales SNMP guardadas en la base de datos ("
            + unreadable
            + " de "
            + stored
            + ", cifradas con la llave "
            + keyIds
            + ") no se descifran con la llave de este servidor: configure en él la misma llave"
            + " que usan los demás servidores de esta base de datos (snmp.credentialKeyFile o"
            + " snmp.credentialKeys; docs/operacion.md, «Base de datos externa en clúster») y"
            + " vuelva a iniciarlo. / The SNMP credentials stored in the database ("
            + unreadable
            + " of "
            + stored
            + ", encrypted with the key "
            + keyIds
            + ") do not decrypt with this server's key: configure on it the same key the other"
            + " servers of this database use (snmp.credentialKeyFile or snmp.credentialKeys;"
            + " docs/operations.md, \"External database cluster\") and start it again.");
  }
}
