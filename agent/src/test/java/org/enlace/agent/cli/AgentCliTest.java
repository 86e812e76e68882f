package org.enlace.agent.cli;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.matching.RequestPatternBuilder;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import org.enlace.agent.config.Credentials;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

class AgentCliTest {
  @TempDir Path dir;
  WireMockServer server;
  StringWriter out = new StringWriter();
  StringWriter err = new StringWriter();

  @BeforeEach
  void start() {
    server = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop();
  }

  int run(String... args) {
    CommandLine cl = AgentMain.WithPicocli.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  String base() {
    return "http://127.0.0.1:" + server.port();
  }

  /** The server accepts an enrollment: computer 42 of alcaldia. */
  void stubEnrollmentAccepted() {
    server.stubFor(
        post(urlEqualTo("/api/v1/enroll"))
            .willReturn(
                aResponse()
                    .withStatus(201)
                    .withBody(
                        "{\"protocolVersion\":1,\"agentId\":\"6f1d2c1e-0000-4000-8000-000000000001\","
                            + "\"secret\":\"ens_abc\",\"computerId\":42,\"establishment\":\"alcaldia\","
                            + "\"reenrolled\":false,\"machineIdTrusted\":true,\"serverTime\":\"2026-11-25T00:00:00Z\"}")));
  }

  /** The enrollment request, carrying the token the tests' token files hold. */
  static RequestPatternBuilder enrollmentWithTheToken() {
    return postRequestedFor(urlEqualTo("/api/v1/enroll"))
        .withRequestBody(
            matchingJsonPath(
                "$.token",
                com.github.tomakehurst.wiremock.client.WireMock.equalTo(
                    "enl_token-value-from-it")));
  }

  /** {@code enroll} against the stub server with this token file, and any further options. */
  int enroll(Path tokenFile, String... more) {
    String[] args = {
      "enroll",
      "--data-dir",
      dir.toString(),
      "--server",
      base(),
      "--token-file",
      tokenFile.toString()
    };
    String[] all = Arrays.copyOf(args, args.length + more.length);
    System.arraycopy(more, 0, all, args.length, more.length);
    return run(all);
  }

  @Test
  void everyCommandHasHelp() {
    for (String c : new String[] {"enroll", "run", "check", "status"}) {
      assertThat(run(c, "--help")).isZero();
    }
    assertThat(out.toString()).contains("--token-file").contains("--data-dir");
    assertThat(run("--help")).isZero();
    assertThat(out.toString()).contains("Exit codes").contains("not enrolled");
    assertThat(run("--version")).isZero();
  }

  @Test
  void enrollSavesPrivateCredentialsAndSendsNoPersonalData() throws Exception {
    stubEnrollmentAccepted();
    Path token = dir.resolve("token.txt");
    Files.writeString(token, "enl_token-value-from-it\n");
    int code = enroll(token, "--role", "kiosk");
    assertThat(code).as(err.toString()).isZero();
    Credentials c = Credentials.load(dir).orElseThrow();
    assertThat(c.computerId()).isEqualTo(42);
    assertThat(c.secret()).isEqualTo("ens_abc");
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve(Credentials.FILE_NAME))))
        .isEqualTo("rw-------");
    server.verify(
        enrollmentWithTheToken()
            .withRequestBody(
                matchingJsonPath(
                    "$.role", com.github.tomakehurst.wiremock.client.WireMock.equalTo("kiosk"))));
    String sent =
        server.findAll(postRequestedFor(urlEqualTo("/api/v1/enroll"))).get(0).getBodyAsString();
    assertThat(sent).doesNotContain("\"user").doesNotContain(System.getProperty("user.home"));
    assertThat(run("status", "--data-dir", dir.toString())).isZero();
    assertThat(out.toString()).contains("computer 42 of alcaldia");
  }

  /** The bytes Notepad or PowerShell 5.1 write: byte order mark, then the text. */
  static byte[] encoded(String encoding, String text) {
    byte[] bom =
        switch (encoding) {
          case "utf-8-bom" -> new byte[] {(byte) 0xef, (byte) 0xbb, (byte) 0xbf};
          case "utf-16le-bom" -> new byte[] {(byte) 0xff, (byte) 0xfe};
          case "utf-16be-bom" -> new byte[] {(byte) 0xfe, (byte) 0xff};
          default -> new byte[0];
        };
    Charset cs =
        encoding.startsWith("utf-16le")
            ? StandardCharsets.UTF_16LE
            : encoding.startsWith("utf-16be") ? StandardCharsets.UTF_16BE : StandardCharsets.UTF_8;
    byte[] body = text.getBytes(cs);
    byte[] all = Arrays.copyOf(bom, bom.length + body.length);
    System.arraycopy(body, 0, all, bom.length, body.length);
    return all;
  }

  /** Token files as Notepad and PowerShell 5.1 save them (issue 16). */
  @ParameterizedTest
  @ValueSource(strings = {"utf-8", "utf-8-bom", "utf-16le-bom", "utf-16be-bom"})
  void enrollReadsTokenFilesInAnyWindowsEncoding(String encoding) throws Exception {
    stubEnrollmentAccepted();
    Path token = dir.resolve("token-" + encoding + ".txt");
    Files.write(token, encoded(encoding, "  enl_token-value-from-it\r\n"));
    int code = enroll(token);
    assertThat(code).as(err.toString()).isZero();
    server.verify(enrollmentWithTheToken());
  }

  @Test
  void refusedAndUnreachableEnrollmentsHaveTheirExitCodes() {
    server.stubFor(
        post(urlEqualTo("/api/v1/enroll"))
            .willReturn(
                aResponse()
                    .withStatus(401)
                    .withBody(
                        "{\"code\":401,\"error\":\"enrollment_token_expired\",\"message\":\"expired\"}")));
    assertThat(run("enroll", "--data-dir", dir.toString(), "--server", base(), "--token", "t"))
        .isEqualTo(AgentMain.REFUSED);
    assertThat(err.toString()).contains("enrollment_token_expired");
    int port = server.port();
    server.stop();
    assertThat(
            run(
                "enroll",
                "--data-dir",
                dir.toString(),
                "--server",
                "http://127.0.0.1:" + port,
                "--token",
                "t"))
        .isEqualTo(AgentMain.UNREACHABLE);
  }

  @Test
  void notEnrolled() {
    assertThat(run("status", "--data-dir", dir.toString())).isEqualTo(AgentMain.NOT_ENROLLED);
    assertThat(run("run", "--data-dir", dir.toString())).isEqualTo(AgentMain.NOT_ENROLLED);
  }

  @Test
  void badCommandLineIsTwo() {
    assertThat(run("enroll", "--data-dir", dir.toString())).isEqualTo(2);
    assertThat(run("fly")).isEqualTo(2);
  }

  /** The service's `run` command line skips picocli; every other form still goes through it. */
  @Test
  void theDaemonCommandLineIsParsedWithoutPicocliAndNothingElseIs() {
    AgentMain m = AgentMain.FastRun.parse(new String[] {"run", "--data-dir", "/var/lib/x"});
    assertThat(m.dataDir).isEqualTo(Path.of("/var/lib/x"));
    assertThat(m.configFile).isNull();
    m =
        AgentMain.FastRun.parse(
            new String[] {"--data-dir=/d", "run", "--config", "/etc/enlace/agent.properties"});
    assertThat(m.dataDir).isEqualTo(Path.of("/d"));
    assertThat(m.configFile).isEqualTo(Path.of("/etc/enlace/agent.properties"));
    assertThat(AgentMain.FastRun.parse(new String[] {"run"}).dataDir).isNull();
    for (String[] other :
        new String[][] {
          {},
          {"run", "--help"},
          {"--version"},
          {"check", "--data-dir", "/d"},
          {"run", "run"},
          {"run", "--data-dir"},
          {"run", "--data-dir", "/a", "--data-dir", "/b"},
          {"run", "--data-dir", "-h"},
          {"run", "--interval", "5"},
          {"status"}
        }) {
      assertThat(AgentMain.FastRun.parse(other)).as(String.join(" ", other)).isNull();
    }
  }

  @Test
  void theDaemonWithoutPicocliStillRefusesToRunUnenrolled() {
    assertThat(AgentMain.FastRun.run(new String[] {"run", "--data-dir", dir.toString()}))
        .isEqualTo(AgentMain.NOT_ENROLLED);
    assertThat(run("run", "--data-dir", dir.toString())).isEqualTo(AgentMain.NOT_ENROLLED);
    assertThat(err.toString()).contains("Not enrolled");
  }
}
