package org.enlace.server.web.pages;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CsrfTest {
  private final Csrf csrf = new Csrf();

  @Test
  void onlyTheUsersOwnTokenFromThisServerIsAccepted() {
    String token = csrf.token("planeacion");
    String host = "enlace.alcaldia.gov.co:8443";
    assertThat(csrf.accepts("planeacion", token, "https://enlace.alcaldia.gov.co:8443", null, host))
        .isTrue();
    // no Origin (an old browser): the Referer decides, and neither is allowed too
    assertThat(
            csrf.accepts(
                "planeacion", token, null, "https://enlace.alcaldia.gov.co:8443/web/x", host))
        .isTrue();
    assertThat(csrf.accepts("planeacion", token, null, null, host)).isTrue();

    assertThat(csrf.accepts("planeacion", null, null, null, host)).isFalse();
    assertThat(csrf.accepts("planeacion", token + "x", null, null, host)).isFalse();
    assertThat(csrf.accepts("admin", token, null, null, host)).isFalse();
    assertThat(csrf.accepts("planeacion", new Csrf().token("planeacion"), null, null, host))
        .as("a token of another server process")
        .isFalse();
    assertThat(csrf.accepts("planeacion", token, "https://otro.example", null, host)).isFalse();
    assertThat(csrf.accepts("planeacion", token, "null", null, host)).isFalse();
    assertThat(csrf.accepts("planeacion", token, null, "https://otro.example/x", host)).isFalse();
    assertThat(csrf.accepts("planeacion", token, "https://enlace.alcaldia.gov.co", null, host))
        .as("another port is another origin")
        .isFalse();
  }
}
