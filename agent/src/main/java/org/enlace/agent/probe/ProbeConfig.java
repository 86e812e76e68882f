package org.enlace.agent.probe;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What one round of checks probes. Defaults come from {@code AgentConfig}; every target is
 * configurable so that tests (and municipalities) point them where they need.
 *
 * @param dnsNames names to resolve (e.g. www.gov.co)
 * @param dnsServers optional resolvers as host[:port]; empty means the system resolver
 * @param httpTargets URLs that must answer (the Enlace server's /api/v1/ping, the municipal
 *     website, the national government portal)
 * @param captivePortalUrl a URL known to answer 204 with an empty body (or {@code
 *     captivePortalExpectedBody} with 200); anything else means something intercepts. Empty: no
 *     captive-portal check (a network where the known URL is blocked on purpose)
 * @param captivePortalExpectedBody empty for a 204 check, else the exact expected body
 * @param tcpTargets host:port pairs for TCP connect latency
 * @param lanTargets host:port pairs on the local network (the router) that tell "limited" (LAN
 *     works, internet does not) from "offline" (no network at all)
 * @param timeout per probe
 */
public record ProbeConfig(
    List<String> dnsNames,
    List<String> dnsServers,
    List<URI> httpTargets,
    Optional<URI> captivePortalUrl,
    String captivePortalExpectedBody,
    List<String> tcpTargets,
    List<String> lanTargets,
    Duration timeout) {}
