package org.enlace.agent.config;

import java.net.URI;

/**
 * The {@code speedTest.*} settings (docs/agent.md, "Speed tests").
 *
 * @param enabled whether the daemon runs the tests the server schedules
 * @param connections parallel WebSockets per subtest when the server does not say (1 = plain ndt7,
 *     comparable with M-Lab)
 * @param mlabEnabled whether each scheduled test is paired with one against M-Lab
 * @param mlabLocateUrl M-Lab's locate API v2 for ndt7
 * @param mlabMaxBytes data allowance of an M-Lab test run on its own ({@code speedtest --mlab}
 *     without a slot); a paired test uses its slot's allowance
 */
public record SpeedTestConfig(
    boolean enabled, int connections, boolean mlabEnabled, URI mlabLocateUrl, long mlabMaxBytes) {
  public static final String DEFAULT_LOCATE_URL =
      "https://locate.measurementlab.net/v2/nearest/ndt/ndt7";

  public SpeedTestConfig {
    if (connections < 1 || connections > 16) {
      throw new IllegalArgumentException(
          "speedTest.connections: '" + connections + "' must be between 1 and 16");
    }
    // Under 1 MiB a test on its own measures nothing but its start; over 1 GiB one test could eat
    // a metered link's month.
    if (mlabMaxBytes < 1L << 20 || mlabMaxBytes > 1L << 30) {
      throw new IllegalArgumentException(
          "speedTest.mlab.maxBytes: '" + mlabMaxBytes + "' must be between 1MiB and 1024MiB");
    }
  }
}
