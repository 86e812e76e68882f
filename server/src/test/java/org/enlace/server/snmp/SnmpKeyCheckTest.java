package org.enlace.server.snmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dropwizard.testing.ConfigOverride;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import org.enlace.server.testing.Api;
import org.enlace.server.testing.ConfigOverrides;
import org.enlace.server.testing.TempDirs;
import org.enlace.server.testing.TestApp;
import org.enlace.server.testing.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Replicas of one external database share the SNMP credential key (issue 19): a server whose key
 * does not read the stored secrets refuses to start and says what to do; given the same key, as a
 * file or in the configuration, it starts.
 */
@ExtendWith(ConfigOverrides.class)
class SnmpKeyCheckTest {
  private static final ConfigOverride NO_POLLING = ConfigOverride.config("snmp.enabled", "false");

  @Test
  void aSecondServerWithoutTheGeneratedKeyRefusesAndStartsWithItAsAFile() throws Exception {
    String url = TestPostgres.newDatabase();
    TestApp first = replica(url, NO_POLLING);
    first.extension().before();
    try {
      addRouter(first, "snmp-key-1");
      Path ownKey = first.dataDir().resolve(SnmpCredentials.KEY_FILE);
      String key = Files.readString(ownKey).trim();

      TestApp keyless = replica(url, NO_POLLING);
      assertRefused(keyless, key);
      // Nothing generated that could not read them either.
      assertThat(keyless.dataDir().resolve(SnmpCredentials.KEY_FILE)).doesNotExist();

      Path shared = TempDirs.create("enlace-shared-key-").resolve("snmp.key");
      Files.copy(ownKey, shared);
      TestApp second =
          replica(
              url, NO_POLLING, ConfigOverride.config("snmp.credentialKeyFile", shared.toString()));
      second.extension().before();
      try {
        assertThat(new Api(second.adminBase(), null).get("/healthcheck").status()).isEqualTo(200);
      } finally {
        second.extension().after();
      }
    } finally {
      first.extension().after();
    }
  }

  @Test
  void anotherKeyUnderTheSameIdRefusesAndTheSameKeyStarts() throws Exception {
    String url = TestPostgres.newDatabase();
    String key = randomKey();
    TestApp first = replica(url, NO_POLLING, keyOverride(key));
    first.extension().before();
    try {
      addRouter(first, "snmp-key-2");
      String other = randomKey();
      assertRefused(replica(url, NO_POLLING, keyOverride(other)), other);

      TestApp second = replica(url, NO_POLLING, keyOverride(key));
      second.extension().before();
      second.extension().after();
    } finally {
      first.extension().after();
    }
  }

  private static TestApp replica(String url, ConfigOverride... extra) throws Exception {
    return TestApp.external(
        url,
        TestPostgres.user(),
        TestPostgres.password(),
        TempDirs.create("enlace-replica-"),
        extra);
  }

  private static ConfigOverride keyOverride(String key) {
    return ConfigOverride.config("snmp.credentialKeys.k1", key);
  }

  private static String randomKey() {
    byte[] k = new byte[32];
    new SecureRandom().nextBytes(k);
    return Base64.getEncoder().encodeToString(k);
  }

  private static void assertRefused(TestApp app, String key) {
    try {
      assertThatThrownBy(() -> app.extension().before())
          .hasStackTraceContaining("no se descifran con la llave de este servidor")
          .hasStackTraceContaining("do not decrypt with this server's key")
          .hasStackTraceContaining("snmp.credentialKeyFile")
          .satisfies(e -> assertThat(stackTrace(e)).doesNotContain(key));
    } finally {
      try {
        app.extension().after();
      } catch (RuntimeException ignored) {
        // never started
      }
    }
  }

  private static String stackTrace(Throwable e) {
    java.io.StringWriter w = new java.io.StringWriter();
    e.printStackTrace(new java.io.PrintWriter(w));
    return w.toString();
  }

  private static void addRouter(TestApp app, String code) {
    app.establishment(code, "administration");
    Api.Response link =
        app.it()
            .post(
                "/api/v1/establishments/" + code + "/links",
                Api.object()
                    .put("ispName", "ISP")
                    .put("contractedDownMbps", 10)
                    .put("contractedUpMbps", 2));
    assertThat(link.status()).as(link.toString()).isEqualTo(201);
    Api.Response r =
        app.it()
            .post(
                "/api/v1/establishments/" + code + "/devices",
                DevicesApiTest.device(
                    Api.object().put("version", "v2c").put("community", "comunidad-secreta"),
                    link.body().get("id").asLong()));
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
  }
}
