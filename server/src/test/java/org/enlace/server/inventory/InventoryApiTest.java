package org.enlace.server.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.enlace.server.app.EnlaceConfiguration;
import org.enlace.server.app.cli.CommandRunner;
import org.enlace.server.testing.Api;
import org.enlace.server.testing.TestApp;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(DropwizardExtensionsSupport.class)
class InventoryApiTest {
  static final TestApp APP = TestApp.create();
  static final DropwizardAppExtension<EnlaceConfiguration> EXT = APP.extension();
  static Api reader;

  @BeforeAll
  static void users() throws Exception {
    // The administration role, created the way an operator would: the user command.
    String password = "lectura-secreta-123";
    new CommandRunner(APP)
        .run(
            new ByteArrayInputStream((password + "\n").getBytes(StandardCharsets.UTF_8)),
            "user",
            "add",
            "tesoreria",
            "--role",
            "administration",
            "--password-stdin");
    reader = APP.anonymous().as("tesoreria", password);
  }

  static ObjectNode escuela(String code) {
    ObjectNode e =
        Api.object()
            .put("code", code)
            .put("name", "Institución Educativa San Juan")
            .put("kind", "school")
            .put("sector", "citizens")
            .put("address", "Vereda San Juan")
            .put("officialCode", "252100000123");
    e.putObject("coordinates").put("latitude", 0.9311).put("longitude", -77.5495);
    ObjectNode hours = e.putObject("openingHours");
    hours.putArray("monday").addObject().put("open", "07:00").put("close", "13:00");
    hours.putArray("saturday").addObject().put("open", "08:00").put("close", "12:00");
    return e;
  }

  @Nested
  class Establishments {
    @Test
    void createReadUpdateDelete() {
      Api it = APP.it();
      Api.Response created = it.post("/api/v1/establishments", escuela("ie-san-juan"));
      assertThat(created.status()).as(created.toString()).isEqualTo(201);
      assertThat(created.header("Location")).endsWith("/api/v1/establishments/ie-san-juan");
      assertThat(created.body().get("openingHours").get("monday").get(0).get("open").asText())
          .isEqualTo("07:00");
      assertThat(created.body().get("coordinates").get("latitude").asDouble()).isEqualTo(0.9311);

      Api.Response read = reader.get("/api/v1/establishments/ie-san-juan");
      assertThat(read.status()).isEqualTo(200);
      assertThat(read.body().get("kind").asText()).isEqualTo("school");
      assertThat(reader.get("/api/v1/establishments").body().toString()).contains("ie-san-juan");

      ObjectNode changed = escuela("ie-san-juan").put("name", "IE San Juan Bosco");
      changed.remove("coordinates");
      Api.Response put = it.put("/api/v1/establishments/ie-san-juan", changed);
      assertThat(put.status()).as(put.toString()).isEqualTo(200);
      assertThat(put.body().get("name").asText()).isEqualTo("IE San Juan Bosco");
      assertThat(put.body().has("coordinates")).isFalse();

      assertThat(it.delete("/api/v1/establishments/ie-san-juan").status()).isEqualTo(204);
      assertThat(it.get("/api/v1/establishments/ie-san-juan").status()).isEqualTo(404);
    }

    @Test
    void duplicateCodeIs409() {
      APP.it().post("/api/v1/establishments", escuela("ie-dup"));
      Api.Response r = APP.it().post("/api/v1/establishments", escuela("ie-dup"));
      assertThat(r.status()).isEqualTo(409);
      assertThat(r.body().get("error").asText()).isEqualTo("establishment_exists");
    }

    @Test
    void administrationCannotWrite() {
      Api.Response r = reader.post("/api/v1/establishments", escuela("ie-nope"));
      assertThat(r.status()).isEqualTo(403);
      assertThat(r.body().get("code").asInt()).isEqualTo(403);
      assertThat(APP.it().get("/api/v1/establishments/ie-nope").status()).isEqualTo(404);
    }

    @Test
    void wrongPasswordIs401AndNoCredentialsIs401() {
      assertThat(APP.anonymous().as("admin", "wrong").get("/api/v1/establishments").status())
          .isEqualTo(401);
      Api.Response r = APP.anonymous().get("/api/v1/establishments");
      assertThat(r.status()).isEqualTo(401);
      assertThat(r.body().get("error").asText()).isEqualTo("credentials_required");
    }

    @Test
    void badKindNamesTheField() {
      Api.Response r =
          APP.it().post("/api/v1/establishments", escuela("ie-bad").put("kind", "castle"));
      assertThat(r.status()).isEqualTo(400);
      assertThat(r.body().get("field").asText()).isEqualTo("kind");
      assertThat(r.body().get("message").asText()).contains("town_hall");
    }

    @Test
    void misspeltFieldIsRefusedByName() {
      Api.Response r =
          APP.it().post("/api/v1/establishments", escuela("ie-typo").put("sectr", "citizens"));
      assertThat(r.status()).isEqualTo(400);
      assertThat(r.body().get("message").asText()).contains("sectr");
    }

    @Test
    void halfCoordinatesAreRefused() {
      ObjectNode e = escuela("ie-half");
      ((ObjectNode) e.get("coordinates")).remove("longitude");
      assertThat(APP.it().post("/api/v1/establishments", e).status()).isEqualTo(422);
    }

    @Test
    void malformedJsonIs400() {
      Api.Response r = APP.it().post("/api/v1/establishments", "{\"code\": ");
      assertThat(r.status()).isEqualTo(400);
      assertThat(r.body().get("error").asText()).isEqualTo("malformed_json");
    }

    @Test
    void overlappingOpeningHoursAreRefused() {
      ObjectNode e = escuela("ie-hours");
      ((com.fasterxml.jackson.databind.node.ArrayNode) e.get("openingHours").get("monday"))
          .addObject()
          .put("open", "12:00")
          .put("close", "14:00");
      Api.Response r = APP.it().post("/api/v1/establishments", e);
      assertThat(r.status()).isEqualTo(400);
      assertThat(r.body().get("message").asText()).contains("overlap");
    }

    @Test
    void missingNameIs422WithTheField() {
      ObjectNode e = escuela("ie-noname");
      e.remove("name");
      Api.Response r = APP.it().post("/api/v1/establishments", e);
      assertThat(r.status()).isEqualTo(422);
      assertThat(r.body().toString()).contains("name");
    }

    @Test
    void renamingThroughPutIsRefused() {
      APP.it().post("/api/v1/establishments", escuela("ie-rename"));
      Api.Response r = APP.it().put("/api/v1/establishments/ie-rename", escuela("ie-other"));
      assertThat(r.status()).isEqualTo(400);
      assertThat(r.body().get("field").asText()).isEqualTo("code");
    }

    @Test
    void establishmentWithComputersCannotBeDeleted() {
      APP.establishment("alcaldia-del", "administration");
      APP.enroll("alcaldia-del");
      Api.Response r = APP.it().delete("/api/v1/establishments/alcaldia-del");
      assertThat(r.status()).isEqualTo(409);
      assertThat(APP.it().get("/api/v1/establishments/alcaldia-del").status()).isEqualTo(200);
    }

    @Test
    void oversizedBodyIs413() {
      ObjectNode e = escuela("ie-big").put("address", "x".repeat(1_200_000));
      Api.Response r = APP.it().post("/api/v1/establishments", e);
      assertThat(r.status()).isEqualTo(413);
    }
  }

  @Nested
  class Links {
    @Test
    void linksOfAnEstablishment() {
      APP.establishment("biblioteca", "citizens");
      ObjectNode link =
          Api.object()
              .put("ispName", "Conexión Nariño S.A.S.")
              .put("technology", "radio enlace")
              .put("contractedDownMbps", 10)
              .put("contractedUpMbps", 2.5)
              .put("monthlyCost", 350000)
              .put("currency", "COP")
              .put("contractStart", "2026-01-01")
              .put("contractEnd", "2026-12-31");
      Api.Response created = APP.it().post("/api/v1/establishments/biblioteca/links", link);
      assertThat(created.status()).as(created.toString()).isEqualTo(201);
      long id = created.body().get("id").asLong();
      assertThat(created.body().get("contractedUpMbps").decimalValue()).isEqualByComparingTo("2.5");
      assertThat(created.raw().body().length).isPositive();
      assertThat(new String(created.raw().body(), StandardCharsets.UTF_8))
          .contains("\"contractedDownMbps\":10")
          .doesNotContain("E+");
      assertThat(reader.get("/api/v1/establishments/biblioteca/links").body()).hasSize(1);
      Api.Response updated =
          APP.it().put("/api/v1/links/" + id, link.put("contractedDownMbps", 20));
      assertThat(updated.body().get("contractedDownMbps").asInt()).isEqualTo(20);
      assertThat(reader.get("/api/v1/links/" + id).body().get("ispName").asText())
          .isEqualTo("Conexión Nariño S.A.S.");
      assertThat(APP.it().delete("/api/v1/links/" + id).status()).isEqualTo(204);
    }

    @Test
    void contractEndBeforeStartIs422() {
      APP.establishment("puesto-salud", "citizens");
      ObjectNode link =
          Api.object()
              .put("ispName", "ISP")
              .put("contractedDownMbps", 4)
              .put("contractedUpMbps", 1)
              .put("contractStart", "2026-06-01")
              .put("contractEnd", "2026-01-01");
      assertThat(APP.it().post("/api/v1/establishments/puesto-salud/links", link).status())
          .isEqualTo(422);
    }

    @Test
    void unknownEstablishmentIs404() {
      assertThat(APP.it().get("/api/v1/establishments/nowhere/links").status()).isEqualTo(404);
    }
  }

  @Nested
  class Computers {
    @Test
    void listFilterAndDecommission() {
      APP.establishment("secretaria", "administration");
      TestApp.Agent a = APP.enroll("secretaria");
      TestApp.Agent b = APP.enroll("secretaria");
      a.report(TestApp.report(1));
      Api.Response list = reader.get("/api/v1/computers?establishment=secretaria");
      assertThat(list.body()).hasSize(2);
      assertThat(reader.get("/api/v1/computers?establishment=secretaria&status=online").body())
          .hasSize(1);
      Api.Response one = reader.get("/api/v1/computers/" + a.computerId());
      assertThat(one.body().get("hostname").asText()).startsWith("pc-");
      assertThat(one.body().get("lastStatus").asText()).isEqualTo("online");
      assertThat(reader.post("/api/v1/computers/" + b.computerId() + "/decommission", "").status())
          .isEqualTo(403);
      Api.Response d = APP.it().post("/api/v1/computers/" + b.computerId() + "/decommission", "");
      assertThat(d.body().get("state").asText()).isEqualTo("decommissioned");
      assertThat(reader.get("/api/v1/computers?establishment=secretaria&state=active").body())
          .hasSize(1);
      assertThat(reader.get("/api/v1/computers?status=sideways").status()).isEqualTo(400);
      assertThat(reader.get("/api/v1/computers/999999").status()).isEqualTo(404);
    }

    @Test
    void pagination() {
      APP.establishment("paginas", "citizens");
      String token = APP.token("paginas", 5);
      for (int i = 0; i < 5; i++) {
        APP.enroll(token, "page-machine-" + i + "-" + System.nanoTime(), "p" + i, "kiosk");
      }
      Api.Response first = reader.get("/api/v1/computers?establishment=paginas&limit=3");
      assertThat(first.body()).hasSize(3);
      long last = first.body().get(2).get("id").asLong();
      assertThat(
              reader.get("/api/v1/computers?establishment=paginas&limit=3&afterId=" + last).body())
          .hasSize(2);
    }
  }
}
