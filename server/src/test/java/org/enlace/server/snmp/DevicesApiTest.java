package org.enlace.server.snmp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.enlace.server.app.EnlaceConfiguration;
import org.enlace.server.app.cli.CommandRunner;
import org.enlace.server.testing.Api;
import org.enlace.server.testing.TestApp;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The device inventory API: validation, roles, write-only secrets encrypted at rest, rekey. */
@ExtendWith(DropwizardExtensionsSupport.class)
class DevicesApiTest {
  static final TestApp APP = TestApp.create(ConfigOverride.config("snmp.enabled", "false"));
  static final DropwizardAppExtension<EnlaceConfiguration> EXT = APP.extension();
  static Api reader;

  @BeforeAll
  static void users() throws Exception {
    String password = "lectura-secreta-123";
    new CommandRunner(APP)
        .run(
            new ByteArrayInputStream((password + "\n").getBytes(StandardCharsets.UTF_8)),
            "user",
            "add",
            "lector-snmp",
            "--role",
            "administration",
            "--password-stdin");
    reader = APP.anonymous().as("lector-snmp", password);
  }

  static long link(String code) {
    Api.Response r =
        APP.it()
            .post(
                "/api/v1/establishments/" + code + "/links",
                Api.object()
                    .put("ispName", "ISP")
                    .put("contractedDownMbps", 10)
                    .put("contractedUpMbps", 2));
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return r.body().get("id").asLong();
  }

  static ObjectNode device(ObjectNode snmp, long linkId) {
    ObjectNode body = Api.object().put("name", "Router principal").put("address", "192.0.2.1");
    body.set("snmp", snmp);
    body.putArray("interfaces")
        .addObject()
        .put("linkId", linkId)
        .put("ifName", "pppoe-out1")
        .put("ifIndex", 7);
    return body;
  }

  static ObjectNode v3() {
    return Api.object()
        .put("version", "v3")
        .put("user", "enlace")
        .put("authProtocol", "SHA-256")
        .put("authPassword", "clave-autenticacion-1")
        .put("privProtocol", "AES-256")
        .put("privPassword", "clave-privacidad-1");
  }

  Map<String, String> stored(long id) {
    return APP.jdbi()
        .withHandle(
            h ->
                h.createQuery(
                        """
                        SELECT coalesce(community, '') AS c,
                        coalesce(v3_auth_password, '') AS a, coalesce(v3_priv_password, '') AS p
                        FROM network_devices WHERE id = :id
                        """)
                    .bind("id", id)
                    .map(
                        (rs, ctx) ->
                            Map.of(
                                "community",
                                rs.getString("c"),
                                "auth",
                                rs.getString("a"),
                                "priv",
                                rs.getString("p")))
                    .one());
  }

  @Test
  void secretsAreWriteOnlyAndEncryptedAtRest() {
    String code = APP.establishment("snmp-api-1", "administration");
    long link = link(code);
    Api.Response created =
        APP.it()
            .post(
                "/api/v1/establishments/" + code + "/devices",
                device(
                    Api.object().put("version", "v2c").put("community", "comunidad-secreta"),
                    link));
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    long id = created.body().get("id").asLong();
    assertThat(created.header("Location")).endsWith("/api/v1/devices/" + id);
    for (Api.Response r :
        List.of(
            created,
            APP.it().get("/api/v1/devices/" + id),
            reader.get("/api/v1/establishments/" + code + "/devices"))) {
      assertThat(r.status()).isIn(200, 201);
      assertThat(r.raw().body().length).isPositive();
      assertThat(new String(r.raw().body(), StandardCharsets.UTF_8))
          .doesNotContain("comunidad-secreta")
          .contains("\"credentialsSet\":true")
          .contains("\"ifName\":\"pppoe-out1\"");
    }
    assertThat(stored(id).get("community"))
        .startsWith("enc1:local:")
        .doesNotContain("comunidad-secreta");

    // An edit without the community keeps it.
    ObjectNode edit = device(Api.object().put("version", "v2c"), link);
    edit.put("name", "Router nuevo");
    String before = stored(id).get("community");
    assertThat(APP.it().put("/api/v1/devices/" + id, edit).status()).isEqualTo(200);
    assertThat(stored(id).get("community")).isEqualTo(before);
    assertThat(APP.it().get("/api/v1/devices/" + id).body().get("name").asText())
        .isEqualTo("Router nuevo");

    // v3 with every secret; switching the auth protocol without its password is refused.
    assertThat(APP.it().put("/api/v1/devices/" + id, device(v3(), link)).status()).isEqualTo(200);
    String body =
        new String(APP.it().get("/api/v1/devices/" + id).raw().body(), StandardCharsets.UTF_8);
    assertThat(body)
        .doesNotContain("clave-")
        .contains("\"user\":\"enlace\"")
        .contains("\"authProtocol\":\"SHA-256\"")
        .contains("\"privProtocol\":\"AES-256\"");
    ObjectNode switched = v3().put("authProtocol", "SHA");
    switched.remove("authPassword");
    Api.Response refused = APP.it().put("/api/v1/devices/" + id, device(switched, link));
    assertThat(refused.status()).as(refused.toString()).isEqualTo(400);
    assertThat(refused.body().toString()).contains("authPassword");
  }

  @Test
  void badDevicesAreRefusedWithTheFieldNamed() {
    String code = APP.establishment("snmp-api-2", "administration");
    String other = APP.establishment("snmp-api-3", "citizens");
    long link = link(code);
    long foreign = link(other);
    String path = "/api/v1/establishments/" + code + "/devices";
    ObjectNode mixed =
        Api.object().put("version", "v2c").put("community", "x").put("user", "enlace");
    assertThat(APP.it().post(path, device(mixed, link)).status()).isEqualTo(422);
    ObjectNode shortPassword = v3().put("authPassword", "corta");
    Api.Response r = APP.it().post(path, device(shortPassword, link));
    assertThat(r.status()).isEqualTo(422);
    assertThat(r.body().toString()).contains("authPassword");
    assertThat(APP.it().post(path, device(v3().put("privProtocol", "DES"), link)).status())
        .isEqualTo(422);
    ObjectNode noInterface = device(v3(), link);
    noInterface.withArray("interfaces").removeAll();
    noInterface.withArray("interfaces").addObject().put("linkId", link);
    assertThat(APP.it().post(path, noInterface).status()).isEqualTo(422);
    Api.Response wrongLink = APP.it().post(path, device(v3(), foreign));
    assertThat(wrongLink.status()).isEqualTo(400);
    assertThat(wrongLink.body().toString()).contains("not one of this establishment");
    assertThat(APP.it().post("/api/v1/establishments/nope/devices", device(v3(), link)).status())
        .isEqualTo(404);
    assertThat(APP.it().post(path, device(v3(), link)).status()).isEqualTo(201);
    Api.Response twice = APP.it().post(path, device(v3(), link));
    assertThat(twice.status()).isEqualTo(409);
    assertThat(twice.body().get("error").asText()).isEqualTo("link_on_other_device");
    assertThat(reader.post(path, device(v3(), link)).status()).isEqualTo(403);
    assertThat(APP.anonymous().get(path).status()).isEqualTo(401);
  }

  @Test
  void deleteRemovesTheDevice() {
    String code = APP.establishment("snmp-api-4", "citizens");
    long id =
        APP.it()
            .post("/api/v1/establishments/" + code + "/devices", device(v3(), link(code)))
            .body()
            .get("id")
            .asLong();
    assertThat(reader.delete("/api/v1/devices/" + id).status()).isEqualTo(403);
    assertThat(APP.it().delete("/api/v1/devices/" + id).status()).isEqualTo(204);
    assertThat(APP.it().get("/api/v1/devices/" + id).status()).isEqualTo(404);
    assertThat(APP.it().delete("/api/v1/devices/" + id).status()).isEqualTo(404);
  }

  @Test
  void rekeyMovesEverySecretToTheNewKeyAndTheOldOneCanGo() throws Exception {
    String code = APP.establishment("snmp-api-5", "administration");
    long id =
        APP.it()
            .post("/api/v1/establishments/" + code + "/devices", device(v3(), link(code)))
            .body()
            .get("id")
            .asLong();
    String local = Files.readString(APP.dataDir().resolve(SnmpCredentials.KEY_FILE)).trim();
    byte[] fresh = new byte[32];
    new SecureRandom().nextBytes(fresh);
    String k2 = Base64.getEncoder().encodeToString(fresh);
    String out =
        new CommandRunner(
                APP,
                "snmp:\n  credentialKeys:\n    local: \""
                    + local
                    + "\"\n    k2027: \""
                    + k2
                    + "\"\n  activeCredentialKey: k2027\n")
            .run("snmp", "rekey");
    assertThat(out).contains("re-encrypted with key 'k2027'");
    assertThat(stored(id).get("auth")).startsWith("enc1:k2027:");
    assertThat(stored(id).get("priv")).startsWith("enc1:k2027:");
    // With only the new key configured, the secrets still read back.
    Map<String, String> keys = new LinkedHashMap<>();
    keys.put("k2027", k2);
    SnmpCredentials onlyNew =
        SnmpCredentials.from(
            new SnmpConfig().setCredentialKeys(keys).setActiveCredentialKey("k2027"),
            APP.dataDir());
    assertThat(onlyNew.decrypt(stored(id).get("auth"))).isEqualTo("clave-autenticacion-1");
    assertThat(onlyNew.decrypt(stored(id).get("priv"))).isEqualTo("clave-privacidad-1");
    // Running it again changes nothing.
    String again =
        new CommandRunner(
                APP,
                "snmp:\n  credentialKeys:\n    k2027: \""
                    + k2
                    + "\"\n  activeCredentialKey: k2027\n")
            .run("snmp", "rekey");
    assertThat(again).contains("0 device(s) re-encrypted");
  }
}
