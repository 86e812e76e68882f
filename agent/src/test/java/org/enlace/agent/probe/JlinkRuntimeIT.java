package org.enlace.agent.probe;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent run by the jlinked runtime the Debian package carries (target/runtime, built in the
 * package phase): its DNS check against a configured resolver needs jdk.naming.dns, and HTTPS with
 * an ECDSA certificate and ECDHE suites needs jdk.crypto.ec; jdeps reports neither. Both the HTTP
 * check (the JDK's trust store) and the enrollment (tls.caFile, a private CA) are exercised.
 */
class JlinkRuntimeIT {
  static final String ECDHE = "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256";
  static final String STOREPASS = "changeit";

  @TempDir Path dir;
  final Path runtime = Path.of(System.getProperty("enlace.agent.runtime", "target/runtime"));
  final Path jar = Path.of(System.getProperty("enlace.agent.jar", "target/enlace-agent.jar"));
  TinyDnsServer dns;
  HttpsServer https;
  final Map<String, String> cipherByPath = new ConcurrentHashMap<>();
  final Map<String, String> bodyByPath = new ConcurrentHashMap<>();

  @BeforeEach
  void start() throws Exception {
    dns = new TinyDnsServer(Set.of("known.test"));
    // A self-signed EC certificate for localhost, its own CA.
    Path p12 = dir.resolve("server.p12");
    keytool(
        "-genkeypair",
        "-alias",
        "ca",
        "-keyalg",
        "EC",
        "-groupname",
        "secp256r1",
        "-dname",
        "CN=Enlace test CA",
        "-ext",
        "san=dns:localhost,ip:127.0.0.1",
        "-ext",
        "bc:c",
        "-validity",
        "2",
        "-keystore",
        p12.toString(),
        "-storetype",
        "PKCS12",
        "-storepass",
        STOREPASS);
    keytool(
        "-exportcert",
        "-rfc",
        "-alias",
        "ca",
        "-keystore",
        p12.toString(),
        "-storepass",
        STOREPASS,
        "-file",
        dir.resolve("ca.pem").toString());
    keytool(
        "-importcert",
        "-noprompt",
        "-alias",
        "ca",
        "-file",
        dir.resolve("ca.pem").toString(),
        "-keystore",
        dir.resolve("trust.p12").toString(),
        "-storetype",
        "PKCS12",
        "-storepass",
        STOREPASS);
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(p12)) {
      ks.load(in, STOREPASS.toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, STOREPASS.toCharArray());
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(kmf.getKeyManagers(), null, null);
    https = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    https.setHttpsConfigurator(
        new HttpsConfigurator(tls) {
          @Override
          public void configure(HttpsParameters params) {
            SSLParameters p = tls.getDefaultSSLParameters();
            p.setProtocols(new String[] {"TLSv1.2"});
            p.setCipherSuites(new String[] {ECDHE}); // ECDHE only, as most servers prefer
            params.setSSLParameters(p);
          }
        });
    https.createContext("/", this::answer);
    https.start();
  }

  private void answer(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getPath();
    cipherByPath.put(path, ((HttpsExchange) ex).getSSLSession().getCipherSuite());
    bodyByPath.put(path, new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
    byte[] body;
    int status;
    if (path.equals("/api/v1/enroll")) {
      status = 201;
      body =
          ("{\"protocolVersion\":1,\"agentId\":\"6f1d2c1e-0000-4000-8000-000000000001\","
                  + "\"secret\":\"ens_abc\",\"computerId\":7,\"establishment\":\"biblioteca\","
                  + "\"reenrolled\":false,\"machineIdTrusted\":true,"
                  + "\"serverTime\":\"2026-12-07T00:00:00Z\"}")
              .getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().add("Content-Type", "application/json");
    } else {
      status = 200;
      body = "ok".getBytes(StandardCharsets.UTF_8);
    }
    ex.sendResponseHeaders(status, body.length);
    ex.getResponseBody().write(body);
    ex.close();
  }

  @AfterEach
  void stop() {
    https.stop(0);
    dns.close();
  }

  @Test
  void theRuntimeHasTheModulesJdepsMissesAndFitsItsBudget() throws Exception {
    Result r = agentJava(List.of("--list-modules"));
    assertThat(r.out()).contains("jdk.naming.dns").contains("jdk.crypto.ec");
    long bytes;
    try (Stream<Path> files = Files.walk(runtime)) {
      bytes =
          files
              .filter(Files::isRegularFile)
              .mapToLong(
                  f -> {
                    try {
                      return Files.size(f);
                    } catch (IOException e) {
                      throw new IllegalStateException(e);
                    }
                  })
              .sum();
    }
    assertThat(bytes).as("runtime size").isLessThanOrEqualTo(40L * 1024 * 1024);
  }

  @Test
  void dnsAndHttpsChecksRunOnTheJlinkedRuntime() throws Exception {
    int port = https.getAddress().getPort();
    Path config = dir.resolve("agent.properties");
    Files.writeString(
        config,
        String.join(
            "\n",
            "dns.servers=" + dns.address(),
            "dns.names=known.test",
            "http.targets=https://localhost:" + port + "/probe",
            "tcp.targets=127.0.0.1:" + port,
            "captivePortal.url=",
            "lan.targets=",
            "check.timeout=5s",
            ""));
    Path data = Files.createDirectories(dir.resolve("data"));
    Result r =
        agentJava(
            List.of(
                "-Djavax.net.ssl.trustStore=" + dir.resolve("trust.p12"),
                "-Djavax.net.ssl.trustStorePassword=" + STOREPASS,
                "-Djavax.net.ssl.trustStoreType=PKCS12",
                "-jar",
                jar.toString(),
                "check",
                "--data-dir",
                data.toString(),
                "--config",
                config.toString()));
    assertThat(r.code()).as(r.out()).isZero();
    assertThat(r.out()).startsWith("ONLINE").contains("known.test");
    assertThat(dns.queries.get()).isPositive();
    assertThat(cipherByPath.get("/probe")).isEqualTo(ECDHE);
  }

  @Test
  void enrollmentOverHttpsWithAPrivateCaAndAUtf16TokenFile() throws Exception {
    int port = https.getAddress().getPort();
    Path config = dir.resolve("agent.properties");
    Files.writeString(config, "tls.caFile=" + dir.resolve("ca.pem") + "\n");
    // As PowerShell 5.1's `>` writes it: UTF-16LE with a byte order mark.
    Path token = dir.resolve("token.txt");
    byte[] text = "enl_from-powershell\r\n".getBytes(StandardCharsets.UTF_16LE);
    byte[] bytes = new byte[text.length + 2];
    bytes[0] = (byte) 0xff;
    bytes[1] = (byte) 0xfe;
    System.arraycopy(text, 0, bytes, 2, text.length);
    Files.write(token, bytes);
    Path data = Files.createDirectories(dir.resolve("data"));
    Result r =
        agentJava(
            List.of(
                "-jar",
                jar.toString(),
                "enroll",
                "--data-dir",
                data.toString(),
                "--config",
                config.toString(),
                "--server",
                "https://localhost:" + port,
                "--token-file",
                token.toString()));
    assertThat(r.code()).as(r.out()).isZero();
    assertThat(data.resolve("credentials.properties")).exists();
    assertThat(cipherByPath.get("/api/v1/enroll")).isEqualTo(ECDHE);
    assertThat(bodyByPath.get("/api/v1/enroll")).contains("\"token\":\"enl_from-powershell\"");
  }

  record Result(int code, String out) {}

  private Result agentJava(List<String> args) throws Exception {
    Path java = runtime.resolve("bin/java");
    assertThat(java).as("run mvn package first: the jlinked runtime").isExecutable();
    List<String> cmd = new ArrayList<>();
    cmd.add(java.toString());
    cmd.addAll(args);
    return exec(cmd);
  }

  private static void keytool(String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    cmd.addAll(List.of(args));
    Result r = exec(cmd);
    assertThat(r.code()).as(r.out()).isZero();
  }

  private static Result exec(List<String> cmd) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    for (String v : List.of("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy")) {
      pb.environment().remove(v);
    }
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Result(p.exitValue(), out);
  }
}
