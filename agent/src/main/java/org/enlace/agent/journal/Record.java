package org.enlace.agent.journal;

/** One journaled observation: its sequence, when it was appended (agent clock), its bytes. */
// The journal's own word for it, used only by name inside org.enlace; the payload is compared by
// nobody (records are handed on, never put in sets or matched), so array identity is harmless.
@SuppressWarnings({"JavaLangClash", "ArrayRecordComponent"})
public record Record(long seq, long appendedAtMillis, byte[] payload) {}
