package org.enlace.server.ingest;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Optional;

/** An observation the server will never store, and why; the agent drops it and moves on. */
@JsonInclude(JsonInclude.Include.NON_ABSENT)
public record Rejection(
    int index, Optional<Long> seq, String reason, String field, String message) {}
