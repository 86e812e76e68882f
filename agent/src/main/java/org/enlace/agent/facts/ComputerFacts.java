package org.enlace.agent.facts;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.enlace.agent.config.SafeFiles;

/**
 * The inventory facts the agent sends at enrollment. No personal data: nothing about the person at
 * the PC, no user names, no browsing data.
 */
public record ComputerFacts(
    String hostname,
    String machineId,
    String os,
    String osVersion,
    int cpuCount,
    long ramMb,
    String agentVersion,
    String role) {

  static final String MACHINE_ID_FILE = "machine-id";

  /** Placeholder hardware ids that cloned images and cheap boards carry (see the server's list). */
  private static final Set<String> PLACEHOLDERS =
      Set.of(
          "03000200-0400-0500-0006-000700080009",
          "00020003-0004-0005-0006-000700080009",
          "to be filled by o.e.m.",
          "default string",
          "not settable",
          "not specified",
          "none",
          "unknown",
          "system uuid",
          "invalid");

  public static ComputerFacts collect(Path dataDir, String role, String agentVersion)
      throws IOException {
    String os = System.getProperty("os.name");
    long ramMb = 0;
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean bean) {
      ramMb = bean.getTotalMemorySize() / (1024 * 1024);
    }
    return new ComputerFacts(
        localHostname(),
        machineId(dataDir, hardwareId()),
        os,
        System.getProperty("os.version"),
        Runtime.getRuntime().availableProcessors(),
        ramMb,
        agentVersion,
        role);
  }

  static String localHostname() {
    String env = System.getenv("COMPUTERNAME");
    if (env != null && !env.isBlank()) {
      return env;
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "unknown-host";
    }
  }

  /**
   * The hardware id when it is a real one; otherwise a random id generated once and kept in the
   * data directory, so that a kiosk cloned from an image is still told apart from its siblings.
   */
  static String machineId(Path dataDir, Optional<String> hardware) throws IOException {
    if (hardware.isPresent() && trusted(hardware.get())) {
      return hardware.get().trim().toLowerCase(Locale.ROOT);
    }
    Path file = dataDir.resolve(MACHINE_ID_FILE);
    if (Files.exists(file)) {
      String id = Files.readString(file, StandardCharsets.UTF_8).trim();
      if (!id.isEmpty()) {
        return id;
      }
    }
    String id = "enlace-" + UUID.randomUUID();
    SafeFiles.writeAtomically(file, id.getBytes(StandardCharsets.UTF_8), false);
    return id;
  }

  static boolean trusted(String id) {
    String n = id.trim().toLowerCase(Locale.ROOT);
    String hex = n.replaceAll("[^0-9a-z]", "");
    return n.length() >= 8
        && !PLACEHOLDERS.contains(n)
        && hex.chars().distinct().count() > 1
        && !hex.matches("(..)\\1+")
        && !hex.matches("(.{4})\\1+");
  }

  /**
   * SMBIOS system UUID (Linux sysfs, readable by root only; Windows CIM), else the Linux OS
   * install's /etc/machine-id, which a service account can read and which survives reinstalling the
   * agent. Empty when none is readable. A cloned image that shares either id is split on the server
   * as soon as both copies report.
   */
  static Optional<String> hardwareId() {
    for (Path p :
        new Path[] {Path.of("/sys/class/dmi/id/product_uuid"), Path.of("/etc/machine-id")}) {
      try {
        if (Files.isReadable(p)) {
          String id = Files.readString(p, StandardCharsets.US_ASCII).trim();
          if (trusted(id)) {
            return Optional.of(id);
          }
        }
      } catch (IOException e) {
        // not readable by this account: try the next
      }
    }
    if (System.getProperty("os.name", "").startsWith("Windows")) {
      try {
        Process p =
            new ProcessBuilder(
                    "powershell",
                    "-NoProfile",
                    "-Command",
                    "(Get-CimInstance Win32_ComputerSystemProduct).UUID")
                .redirectErrorStream(true)
                .start();
        if (p.waitFor(10, TimeUnit.SECONDS)) {
          String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
          return out.isEmpty() ? Optional.empty() : Optional.of(out);
        }
        p.destroyForcibly();
      } catch (IOException e) {
        return Optional.empty();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return Optional.empty();
  }
}
