package org.enlace.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What the log filter masks, in the shapes Jetty, the driver and our own events write. */
class RedactionTest {
  @Test
  void credentialsInHeadersAndDumpsAreMasked() {
    assertThat(Redaction.mask("parsedHeader(Authorization: Basic YWRtaW46c2VjcmV0) header=x"))
        .doesNotContain("YWRtaW46c2VjcmV0")
        .contains("Authorization: [redacted]");
    assertThat(Redaction.mask("HttpFields[Host: a, Cookie: JSESSIONID=abc123; x=1, Accept: */*]"))
        .doesNotContain("abc123")
        .contains("Host: a", "Accept: */*");
    assertThat(Redaction.mask("Set-Cookie: s=zzz; HttpOnly")).doesNotContain("zzz");
    assertThat(Redaction.mask("proxy-authorization=Bearer q.w.e")).doesNotContain("q.w.e");
    assertThat(Redaction.mask("sent Bearer eyJhbGciOi.x-y_z~ to"))
        .isEqualTo("sent Bearer [redacted] to");
  }

  @Test
  void enlaceSecretsAndSecretFieldsAreMasked() {
    String token = "enl_b3v9yBoHupuQk8mF2fS0xR1tYzA7cD9eL4nP6wV5";
    assertThat(Redaction.mask("{\"token\":\"" + token + "\",\"machineId\":\"m\"}"))
        .doesNotContain(token)
        .contains("\"machineId\":\"m\"");
    assertThat(Redaction.mask("secret ens_vYzj8Y4-SfNhXel-SsYdVAchjOKutoUfHDmr2KVevSY"))
        .isEqualTo("secret [redacted]");
    assertThat(Redaction.mask("GET /ndt/v7/download?access_token=abc.def&client_name=x"))
        .isEqualTo("GET /ndt/v7/download?access_token=[redacted]&client_name=x");
    assertThat(Redaction.mask("{\"password\": \"p\\\"w\", \"community\":\"publica\"}"))
        .doesNotContain("p\\\"w", "publica");
    assertThat(Redaction.mask("user password=hunter2 ok")).isEqualTo("user password=[redacted] ok");
  }

  @Test
  void ordinaryEventsAreLeftAlone() {
    for (String line :
        new String[] {
          "event=enrollment_token_created establishment=biblioteca id=1 prefix=enl_b3v9yB maxUses=2",
          "event=agent_enrolled agent=58b8c861 computer=12 tokenId=3",
          "event=report_accepted observations=2 agent=58b8c861",
          "event=evidence_report period=2026-03 format=csv by=admin"
        }) {
      assertThat(Redaction.suspicious(line)).as(line).isFalse();
      assertThat(Redaction.mask(line)).isEqualTo(line);
    }
  }
}
