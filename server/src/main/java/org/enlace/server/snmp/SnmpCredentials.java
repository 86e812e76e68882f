package org.enlace.server.snmp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Encrypts SNMP communities and passwords for the database with AES-256-GCM. A stored value is
 * {@code enc1:<key id>:<base64(nonce | ciphertext | tag)>}, so values written under an older key
 * stay readable while that key is still configured, and {@code snmp rekey} can find them.
 */
public final class SnmpCredentials {
  private static final Logger LOG = LoggerFactory.getLogger(SnmpCredentials.class);
  static final String PREFIX = "enc1:";
  static final String LOCAL_KEY_ID = "local";
  static final String KEY_FILE = "snmp-credentials.key";
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;

  /** Binds ciphertexts to their purpose: a value cannot be replayed as another kind of secret. */
  private static final byte[] AAD = "enlace-snmp-credential".getBytes(StandardCharsets.US_ASCII);

  private final Map<String, SecretKeySpec> keys;
  private final String activeId;
  private final SecureRandom random = new SecureRandom();

  SnmpCredentials(Map<String, byte[]> keys, String activeId) {
    if (!keys.containsKey(activeId)) {
      throw new IllegalArgumentException(
          "snmp.activeCredentialKey '"
              + activeId
              + "' is not one of snmp.credentialKeys "
              + keys.keySet());
    }
    Map<String, SecretKeySpec> specs = new LinkedHashMap<>();
    keys.forEach(
        (id, k) -> {
          if (k.length != 32) {
            throw new IllegalArgumentException(
                "snmp.credentialKeys."
                    + id
                    + " must be 32 bytes in base64 (openssl rand -base64 32), got "
                    + k.length);
          }
          specs.put(id, new SecretKeySpec(k, "AES"));
        });
    this.keys = Map.copyOf(specs);
    this.activeId = activeId;
  }

  /**
   * The keys from the configuration, or, when it lists none, the one in the data directory's key
   * file, generated on first use (readable by the server's account only).
   */
  public static SnmpCredentials from(SnmpConfig config, Path dataDir) {
    if (config.hasConfiguredKeys()) {
      Map<String, byte[]> keys = new LinkedHashMap<>();
      if (!config.getCredentialKeyFile().isBlank()) {
        if (config.getCredentialKeys().containsKey(LOCAL_KEY_ID)) {
          throw new IllegalArgumentException(
              "snmp.credentialKeyFile is read under the id 'local', which snmp.credentialKeys"
                  + " also lists: keep one of the two");
        }
        keys.put(LOCAL_KEY_ID, keyFile(Path.of(config.getCredentialKeyFile())));
      }
      config
          .getCredentialKeys()
          .forEach(
              (id, b64) -> {
                try {
                  keys.put(id, Base64.getDecoder().decode(b64.trim()));
                } catch (IllegalArgumentException e) {
                  throw new IllegalArgumentException(
                      "snmp.credentialKeys." + id + " is not base64", e);
                }
              });
      String active =
          config.getActiveCredentialKey().isBlank() && keys.size() == 1
              ? keys.keySet().iterator().next()
              : config.getActiveCredentialKey();
      return new SnmpCredentials(keys, active);
    }
    return new SnmpCredentials(
        Map.of(LOCAL_KEY_ID, localKey(dataDir.resolve(KEY_FILE))), LOCAL_KEY_ID);
  }

  /** A key the operator placed; a missing one is an error, never replaced by a new key. */
  private static byte[] keyFile(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "snmp.credentialKeyFile "
              + file
              + " cannot be read ("
              + e.getClass().getSimpleName()
              + "): copy there the key every server of this database shares",
          e);
    }
    try {
      return Base64.getDecoder().decode(text.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("snmp.credentialKeyFile " + file + " is not base64", e);
    }
  }

  private static byte[] localKey(Path file) {
    try {
      if (Files.exists(file)) {
        return Base64.getDecoder().decode(Files.readString(file, StandardCharsets.US_ASCII).trim());
      }
      Files.createDirectories(file.getParent());
      byte[] key = new byte[32];
      new SecureRandom().nextBytes(key);
      Files.writeString(
          file,
          Base64.getEncoder().encodeToString(key) + "\n",
          StandardCharsets.US_ASCII,
          StandardOpenOption.CREATE_NEW,
          StandardOpenOption.WRITE);
      try {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException e) {
        // Windows: the data directory's ACL is what protects it.
      }
      LOG.warn(
          "event=snmp_credential_key_generated file={} effect=\"SNMP secrets are encrypted "
              + "with this key; back it up with the database (docs/routers.md)\"",
          file);
      return key;
    } catch (IOException e) {
      throw new IllegalStateException("cannot read or create the SNMP credential key " + file, e);
    }
  }

  public String encrypt(String secret) {
    try {
      byte[] nonce = new byte[NONCE_BYTES];
      random.nextBytes(nonce);
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, keys.get(activeId), new GCMParameterSpec(TAG_BITS, nonce));
      c.updateAAD(AAD);
      byte[] ct = c.doFinal(secret.getBytes(StandardCharsets.UTF_8));
      byte[] out = new byte[nonce.length + ct.length];
      System.arraycopy(nonce, 0, out, 0, nonce.length);
      System.arraycopy(ct, 0, out, nonce.length, ct.length);
      return PREFIX + activeId + ":" + Base64.getEncoder().encodeToString(out);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM unavailable", e);
    }
  }

  public String decrypt(String stored) {
    if (!stored.startsWith(PREFIX)) {
      throw new IllegalArgumentException("not an encrypted SNMP credential");
    }
    int colon = stored.indexOf(':', PREFIX.length());
    String id = stored.substring(PREFIX.length(), colon);
    SecretKeySpec key = keys.get(id);
    if (key == null) {
      throw new IllegalStateException(
          "SNMP credential encrypted with key '"
              + id
              + "', which is not in snmp.credentialKeys; add it back and run `snmp rekey`");
    }
    byte[] in = Base64.getDecoder().decode(stored.substring(colon + 1));
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, in, 0, NONCE_BYTES));
      c.updateAAD(AAD);
      return new String(
          c.doFinal(in, NONCE_BYTES, in.length - NONCE_BYTES), StandardCharsets.UTF_8);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(
          "SNMP credential does not decrypt with key '"
              + id
              + "' (wrong key material for that id?)",
          e);
    }
  }

  public record Rekeyed(int rewritten, int current) {}

  /**
   * Re-encrypts every device's secrets with the active key, in one transaction: a key missing for
   * any of them fails the whole run before anything is written.
   */
  public Rekeyed rekey(org.jdbi.v3.core.Jdbi jdbi) {
    return jdbi.inTransaction(
        h -> {
          DeviceDao dao = h.attach(DeviceDao.class);
          int rewritten = 0;
          int current = 0;
          for (DeviceDao.DeviceRow d : dao.allForUpdate()) {
            String community = again(d.community());
            String auth = again(d.v3AuthPassword());
            String priv = again(d.v3PrivPassword());
            if (Objects.equals(community, d.community())
                && Objects.equals(auth, d.v3AuthPassword())
                && Objects.equals(priv, d.v3PrivPassword())) {
              current++;
              continue;
            }
            dao.updateSecrets(d.id(), community, auth, priv);
            rewritten++;
          }
          return new Rekeyed(rewritten, current);
        });
  }

  private String again(String stored) {
    return stored == null || isCurrent(stored) ? stored : encrypt(decrypt(stored));
  }

  /** Whether {@code stored} was encrypted with the active key (what rekey leaves alone). */
  public boolean isCurrent(String stored) {
    return stored.startsWith(PREFIX + activeId + ":");
  }

  public String activeKeyId() {
    return activeId;
  }
}
