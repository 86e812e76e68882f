package org.enlace.agent.probe;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Which HTTP proxy the agent's requests go through: the explicit setting, else the environment,
 * else the JVM default ({@link ProxySelector#getDefault()}: -Dhttp.proxyHost / -Dhttps.proxyHost,
 * or the Windows settings with -Djava.net.useSystemProxies=true).
 *
 * <p>Environment (names as curl / Go use them; upper case first):
 *
 * <ul>
 *   <li>http:// URLs use HTTP_PROXY / http_proxy;
 *   <li>https:// URLs use HTTPS_PROXY / https_proxy, and HTTP_PROXY when neither is set, because an
 *       administrator who sets one proxy variable expects all web traffic to use it;
 *   <li>NO_PROXY / no_proxy: comma- or space-separated; "*" bypasses everything; "gov.co",
 *       ".gov.co" and "*.gov.co" all match gov.co and every name under it (curl's reading);
 *       "host:port" matches that port only; IP literals match exactly (no CIDR ranges). It applies
 *       to an explicit proxy too. Loopback is not bypassed implicitly.
 * </ul>
 *
 * <p>A proxy is "http://host[:port]" or "host[:port]" (port 80 by default). The agent speaks plain
 * HTTP to the proxy (CONNECT for https), so https:// and socks proxies are refused with
 * IllegalArgumentException, as are unparsable values: better a clear error at start-up than probes
 * that silently bypass the proxy. Credentials in the URL are ignored.
 */
public final class ProxySupport {
  /** Every request direct (tests, and a JVM without a default selector). */
  public static final ProxySelector DIRECT_ONLY = ProxySelector.of(null);

  private ProxySupport() {}

  /**
   * The proxy for one request, passed to {@link java.net.URL#openConnection(Proxy)}, so that each
   * connection uses exactly the chosen one and no JVM-wide setting is touched. The first of the
   * selector's choices; direct when it has none.
   */
  public static Proxy proxyFor(ProxySelector selector, URI uri) {
    List<Proxy> choices = selector.select(uri);
    return choices == null || choices.isEmpty() || choices.get(0) == null
        ? Proxy.NO_PROXY
        : choices.get(0);
  }

  /** Explicit {@code proxy} if present, else the environment, else the JVM default. */
  public static ProxySelector selector(Optional<URI> proxy, Map<String, String> env) {
    NoProxy noProxy = NoProxy.parse(first(env, "NO_PROXY", "no_proxy"));
    if (proxy.isPresent()) {
      InetSocketAddress p = address(proxy.get().toString());
      return new Selector(Optional.of(p), Optional.of(p), noProxy);
    }
    Optional<InetSocketAddress> http =
        Optional.ofNullable(first(env, "HTTP_PROXY", "http_proxy")).map(ProxySupport::address);
    Optional<InetSocketAddress> https =
        Optional.ofNullable(first(env, "HTTPS_PROXY", "https_proxy"))
            .map(ProxySupport::address)
            .or(() -> http);
    if (http.isEmpty() && https.isEmpty()) {
      ProxySelector def = ProxySelector.getDefault();
      return def != null ? def : DIRECT_ONLY;
    }
    return new Selector(http, https, noProxy);
  }

  /**
   * The status with which a proxy refused to open a tunnel for an https:// URL (407: it wants a
   * password, 403: blocked, 502: upstream unreachable), or -1 when {@code e} is not that.
   * HttpURLConnection reports the refusal as an IOException that names the proxy's status line; for
   * the agent it is an answer (the proxy speaking), as the same status for http:// is.
   */
  public static int tunnelRefusal(IOException e) {
    String m = e.getMessage();
    if (m == null || !m.startsWith("Unable to tunnel through proxy")) {
      return -1;
    }
    int http = m.indexOf("HTTP/");
    int space = http < 0 ? -1 : m.indexOf(' ', http);
    if (space < 0 || space + 4 > m.length()) {
      return -1;
    }
    try {
      int status = Integer.parseInt(m.substring(space + 1, space + 4));
      return status >= 100 && status <= 599 ? status : -1;
    } catch (NumberFormatException notAStatus) {
      return -1;
    }
  }

  /** {@link #selector} with no explicit proxy. */
  public static ProxySelector fromEnvironment(Map<String, String> env) {
    return selector(Optional.empty(), env);
  }

  private static @Nullable String first(Map<String, String> env, String... names) {
    for (String n : names) {
      String v = env.get(n);
      if (v != null && !v.isBlank()) {
        return v.strip();
      }
    }
    return null;
  }

  /** "http://proxy:3128", "proxy:3128", "proxy" → an unresolved address (resolved per use). */
  static InetSocketAddress address(String value) {
    String v = value.strip();
    URI uri;
    try {
      uri = URI.create(v.contains("://") ? v : "http://" + v);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "proxy '" + value + "' is not a URL like http://host:3128");
    }
    String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http")) {
      throw new IllegalArgumentException(
          "proxy '"
              + value
              + "': only http:// proxies are "
              + "supported (the agent cannot use "
              + scheme
              + " proxies)");
    }
    if (uri.getHost() == null) {
      throw new IllegalArgumentException("proxy '" + value + "' has no host");
    }
    int port = uri.getPort() == -1 ? 80 : uri.getPort();
    return InetSocketAddress.createUnresolved(HostPort.normalizeHost(uri.getHost()), port);
  }

  /** A parsed NO_PROXY; an entry's port 0 means any port. Unparsable entries are skipped. */
  record NoProxy(boolean all, List<HostPort> entries) {
    private static final Pattern SEPARATORS = Pattern.compile("[,\\s]+");

    static NoProxy parse(@Nullable String value) {
      if (value == null || value.isBlank()) {
        return new NoProxy(false, List.of());
      }
      boolean all = false;
      List<HostPort> entries = new ArrayList<>();
      for (String raw : SEPARATORS.splitAsStream(value).toList()) {
        String s = raw.strip();
        if (s.equals("*")) {
          all = true;
        } else if (!s.isEmpty()) {
          try {
            HostPort e = HostPort.parse(s, 0);
            // "*.gov.co" and ".gov.co" mean the same as "gov.co": the domain and below it
            String d =
                e.host().startsWith("*.")
                    ? e.host().substring(2)
                    : e.host().startsWith(".") ? e.host().substring(1) : e.host();
            if (!d.isEmpty()) {
              entries.add(new HostPort(d, e.port()));
            }
          } catch (IllegalArgumentException ignored) {
            // a typo in one entry must not disable the others
          }
        }
      }
      return new NoProxy(all, List.copyOf(entries));
    }

    boolean bypass(String host, int port) {
      if (all) {
        return true;
      }
      String h = HostPort.normalizeHost(host);
      for (HostPort e : entries) {
        boolean portMatches = e.port() == 0 || e.port() == port;
        if (portMatches && (h.equals(e.host()) || h.endsWith("." + e.host()))) {
          return true;
        }
      }
      return false;
    }
  }

  /** Chooses per scheme, bypassing NO_PROXY hosts. */
  private static final class Selector extends ProxySelector {
    private static final List<Proxy> DIRECT = List.of(Proxy.NO_PROXY);
    private final Optional<Proxy> http;
    private final Optional<Proxy> https;
    private final NoProxy noProxy;

    Selector(Optional<InetSocketAddress> http, Optional<InetSocketAddress> https, NoProxy noProxy) {
      this.http = http.map(a -> new Proxy(Proxy.Type.HTTP, a));
      this.https = https.map(a -> new Proxy(Proxy.Type.HTTP, a));
      this.noProxy = noProxy;
    }

    @Override
    public List<Proxy> select(URI uri) {
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      Optional<Proxy> proxy =
          switch (scheme) {
            case "http", "ws" -> http;
            case "https", "wss" -> https;
            default -> Optional.empty();
          };
      if (proxy.isEmpty() || uri.getHost() == null) {
        return DIRECT;
      }
      int port =
          uri.getPort() != -1
              ? uri.getPort()
              : scheme.equals("https") || scheme.equals("wss") ? 443 : 80;
      return noProxy.bypass(uri.getHost(), port) ? DIRECT : List.of(proxy.get());
    }

    @Override
    public void connectFailed(URI uri, SocketAddress sa, IOException ioe) {
      // nothing to fail over to; the probe reports the error
    }

    @Override
    public String toString() {
      return "ProxySupport.Selector[http=" + http + ", https=" + https + ", " + noProxy + "]";
    }
  }
}
