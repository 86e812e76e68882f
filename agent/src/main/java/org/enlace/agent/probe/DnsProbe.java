package org.enlace.agent.probe;

import java.time.Duration;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.naming.CommunicationException;
import javax.naming.Context;
import javax.naming.NameNotFoundException;
import javax.naming.NamingException;
import javax.naming.OperationNotSupportedException;
import javax.naming.ServiceUnavailableException;
import javax.naming.directory.Attribute;
import javax.naming.directory.Attributes;
import javax.naming.directory.DirContext;
import javax.naming.directory.InitialDirContext;
import org.jspecify.annotations.Nullable;

/**
 * Resolves one name, within the timeout.
 *
 * <p>With no {@code servers}, the system resolver (what browsers on the PC use), on the {@code
 * lookups} executor so that the timeout holds (see {@link SystemResolver}); the OS only lets us
 * tell {@code nxdomain} from {@code servfail} by the exception text, and the JVM's cache (30 s,
 * failures 10 s) may make the time ~0.
 *
 * <p>With {@code servers} ("host" or "host:port", port 53 by default), those servers are asked
 * directly over UDP with the JDK's JNDI DNS provider (module jdk.naming.dns, so a jlink'd runtime
 * must include it): first A, then AAAA only when there is no A record. JNDI asks the servers in
 * order, each for timeout / servers, without retries, so a lookup ends in time. Errors: nxdomain,
 * servfail, refused, no_address (the name exists without A/AAAA), timeout.
 */
public final class DnsProbe implements Probe<CheckResults.Dns> {
  private final String name;
  private final List<String> servers;
  private final Duration timeout;
  private final ExecutorService lookups;

  /** {@code lookups}: where system-resolver lookups run (unused when servers are given). */
  public DnsProbe(String name, List<String> servers, Duration timeout, ExecutorService lookups) {
    this.name = name;
    this.servers = servers == null ? List.of() : servers;
    this.timeout = timeout;
    this.lookups = lookups;
  }

  @Override
  public CheckResults.Dns run() {
    long start = System.nanoTime();
    String error;
    try {
      error = servers.isEmpty() ? systemLookup() : jndiLookup(start);
    } catch (RuntimeException e) { // a probe never throws
      error = "error";
    }
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    return new CheckResults.Dns(name, error == null, ms, error);
  }

  /** Returns null when the name resolved, else the error token. */
  private @Nullable String systemLookup() {
    return SystemResolver.resolve(name, timeout, lookups).error();
  }

  /** Returns null when the name resolved, else the error token. */
  // JNDI here is only the JDK's DNS provider with dns: URLs built from the configured resolvers;
  // no LDAP or RMI context is ever made, so nothing reaches Java deserialization.
  @SuppressWarnings("BanJNDI")
  private @Nullable String jndiLookup(long start) {
    String urls;
    try {
      urls =
          servers.stream()
              .map(s -> HostPort.parse(s, 53))
              .map(
                  hp ->
                      "dns://"
                          + (hp.host().contains(":") ? "[" + hp.host() + "]" : hp.host())
                          + ":"
                          + hp.port())
              .collect(Collectors.joining(" "));
    } catch (IllegalArgumentException e) {
      return "invalid_server";
    }
    for (String type : new String[] {"A", "AAAA"}) {
      long remainingMs =
          timeout.toMillis() - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      if (remainingMs <= 0) {
        return "timeout";
      }
      @SuppressWarnings("JdkObsolete") // InitialDirContext takes nothing but a Hashtable
      Hashtable<String, String> env = new Hashtable<>();
      env.put(Context.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.dns.DnsContextFactory");
      env.put(Context.PROVIDER_URL, urls);
      // JNDI waits initial * 2^i for try i at each server; one try per server keeps the sum
      // of all waits within what is left of the timeout.
      env.put(
          "com.sun.jndi.dns.timeout.initial",
          Long.toString(Math.max(1, remainingMs / servers.size())));
      env.put("com.sun.jndi.dns.timeout.retries", "1");
      @Nullable DirContext ctx = null;
      try {
        ctx = new InitialDirContext(env);
        Attributes attrs = ctx.getAttributes(name, new String[] {type});
        Attribute records = attrs.get(type);
        if (records != null && records.size() > 0) {
          return null;
        }
      } catch (NameNotFoundException e) {
        return "nxdomain";
      } catch (ServiceUnavailableException e) {
        return "servfail";
      } catch (OperationNotSupportedException e) {
        return "refused"; // REFUSED or NOTIMP from the server
      } catch (CommunicationException e) {
        return e.getRootCause() == null ? "timeout" : ProbeErrors.of(e.getRootCause());
      } catch (NamingException e) {
        return "error";
      } finally {
        close(ctx);
      }
    }
    return "no_address";
  }

  private static void close(@Nullable DirContext ctx) {
    if (ctx != null) {
      try {
        ctx.close();
      } catch (NamingException ignored) {
        // nothing held that matters
      }
    }
  }
}
