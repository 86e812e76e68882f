package org.enlace.server.enrollment;

import java.util.Locale;
import java.util.Set;

/**
 * Tells a hardware id worth trusting as a computer's identity from the placeholders that vendors
 * and disk images put in: all zeros, all F, the well-known 03000200-0400-0500-0006-000700080009,
 * "To be filled by O.E.M." and the like. Trusting those merges every cloned kiosk into one
 * computer, as GLPI and Elastic users found.
 */
public final class MachineIds {
  private static final Set<String> PLACEHOLDERS =
      Set.of(
          "03000200-0400-0500-0006-000700080009",
          "00020003-0004-0005-0006-000700080009",
          "12345678-1234-5678-90ab-cddeefaabbcc",
          "to be filled by o.e.m.",
          "to be filled by oem",
          "default string",
          "not settable",
          "not specified",
          "not applicable",
          "none",
          "null",
          "n/a",
          "na",
          "unknown",
          "system serial number",
          "system uuid",
          "invalid",
          "0",
          "123456789",
          "1234567890");

  private MachineIds() {}

  public static String normalize(String machineId) {
    return machineId.trim().toLowerCase(Locale.ROOT);
  }

  /** True when the id may identify one physical machine. */
  public static boolean trusted(String machineId) {
    String id = normalize(machineId);
    if (id.length() < 8 || PLACEHOLDERS.contains(id)) {
      return false;
    }
    String hex = id.replaceAll("[^0-9a-z]", "");
    if (hex.isEmpty()) {
      return false;
    }
    // One repeated character (0000…, ffff…) or a single repeated byte pattern is no identity.
    if (hex.chars().distinct().count() <= 1) {
      return false;
    }
    return !hex.matches("(..)\\1+") && !hex.matches("(.{4})\\1+");
  }
}
