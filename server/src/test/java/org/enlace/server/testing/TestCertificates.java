package org.enlace.server.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A server certificate made as an operator makes one (the JDK's keytool, a PKCS12 keystore), and a
 * TLS context that trusts only it, as an agent with {@code tls.caFile} does.
 */
public final class TestCertificates {
  /** The key's alias in the keystore. */
  public static final String ALIAS = "enlace";

  private TestCertificates() {}

  /** A new PKCS12 keystore with a self-signed EC certificate for 127.0.0.1 and localhost. */
  public static Path selfSignedKeystore(Path p12, String password) throws IOException {
    keytool(
        "-genkeypair",
        "-alias",
        ALIAS,
        "-keyalg",
        "EC",
        "-groupname",
        "secp256r1",
        "-dname",
        "CN=enlace.test",
        "-ext",
        "SAN=ip:127.0.0.1,dns:localhost",
        "-validity",
        "2",
        "-storetype",
        "PKCS12",
        "-keystore",
        p12.toString(),
        "-storepass",
        password);
    return p12;
  }

  /** The keystore's certificate written as PEM, the file an agent's {@code tls.caFile} names. */
  public static Path exportCertificate(Path p12, String password, Path pem) throws IOException {
    keytool(
        "-exportcert",
        "-rfc",
        "-alias",
        ALIAS,
        "-keystore",
        p12.toString(),
        "-storepass",
        password,
        "-file",
        pem.toString());
    return pem;
  }

  /** The keystore's certificate. */
  public static Certificate certificate(Path p12, String password)
      throws IOException, GeneralSecurityException {
    KeyStore server = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(p12)) {
      server.load(in, password.toCharArray());
    }
    return server.getCertificate(ALIAS);
  }

  /** The certificate in a PEM file. */
  public static Certificate readPem(Path pem) throws IOException, GeneralSecurityException {
    try (InputStream in = Files.newInputStream(pem)) {
      return CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }

  /** Trusts only this certificate. */
  public static SSLContext trusting(Certificate cert) throws IOException, GeneralSecurityException {
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    trust.setCertificateEntry("enlace-ca", cert);
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }

  private static void keytool(String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IOException("keytool failed: " + out);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("keytool: " + e.getMessage());
    }
  }
}
