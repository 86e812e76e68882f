package org.enlace.agent.journal;

/** One journaled observation: its sequence, when it was appended (agent clock), its bytes. */
public record Record(long seq, long appendedAtMillis, byte[] payload) {}
