package org.enlace.agent.probe;

/**
 * One small check (node_exporter / Telegraf style: one class per check, one instance per target).
 * {@link #run()} never throws: "it did not work" is the normal answer of a connectivity probe, so
 * it is reported as a value ({@code ok = false} and an {@code error} token such as timeout,
 * refused, nxdomain), never as an exception.
 */
@FunctionalInterface
public interface Probe<T> {
  T run();
}
