package org.enlace.server.ingest;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.enlace.server.domain.StatusCodes;
import org.enlace.server.enrollment.AgentPrincipal;
import org.jdbi.v3.core.Handle;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Stores observations once per (agent, seq), in the caller's transaction: those whose sequence
 * number is already in their agent's {@code stored_seqs} are left out, the others are copied into
 * {@code observations} (and their details to {@code observation_details}) and added to it. The
 * caller holds the agents' row locks ({@link ObservationDao#lockAgents}), so no other commit
 * changes {@code stored_seqs} meanwhile.
 *
 * <p>The rows go in with COPY in PostgreSQL's binary format rather than an INSERT from arrays: the
 * server then spends its CPU on the rows, not on unnesting arrays, casting and evaluating
 * expressions for each of them (docs/performance.md, run 9).
 */
final class ObservationStore {
  private ObservationStore() {}

  /** An observation to store, with the agent that sent it and when its report arrived. */
  interface Item {
    AgentPrincipal agent();

    Instant receivedAt();

    Observation observation();
  }

  private static final String COPY =
      "COPY observations (observed_at, received_at, establishment_id, computer_id, agent_id, seq,"
          + " clock_offset_ms, status, time_source, latency_ms) FROM STDIN (FORMAT binary)";

  private static final String COPY_DETAILS =
      "COPY observation_details (observed_at, computer_id, agent_id, seq, reason, checks,"
          + " interface_counters) FROM STDIN (FORMAT binary)";

  /**
   * Returns the items stored now. {@code items} must hold each (agent, seq) once, sorted by agent
   * and seq. The details (reason, checks, interface counters) of those observed before {@code
   * detailsFrom} are not kept: their day is past the detail retention, and may have been dropped.
   */
  static <T extends Item> List<T> store(
      Handle h, ObservationDao dao, List<T> items, Instant detailsFrom) {
    if (items.isEmpty()) {
      return List.of();
    }
    int n = items.size();
    long[] agentIds = new long[n];
    long[] seqs = new long[n];
    for (int i = 0; i < n; i++) {
      agentIds[i] = items.get(i).agent().agentId();
      seqs[i] = items.get(i).observation().seq();
    }
    Set<ObservationDao.Key> stored = new HashSet<>(dao.alreadyStored(agentIds, seqs));
    List<T> fresh = new ArrayList<>(n);
    for (T item : items) {
      if (stored.isEmpty()
          || !stored.contains(
              new ObservationDao.Key(item.agent().agentId(), item.observation().seq()))) {
        fresh.add(item);
      }
    }
    if (fresh.isEmpty()) {
      return fresh;
    }
    copy(h, COPY, encode(fresh));
    List<T> detailed = new ArrayList<>(fresh.size());
    for (T item : fresh) {
      if (!item.observation().observedAt().isBefore(detailsFrom)) {
        detailed.add(item);
      }
    }
    if (!detailed.isEmpty()) {
      copy(h, COPY_DETAILS, encodeDetails(detailed));
    }
    settle(dao, fresh);
    return fresh;
  }

  /** Adds the stored sequence numbers to their agents' stored_seqs, as runs of consecutive ones. */
  private static void settle(ObservationDao dao, List<? extends Item> fresh) {
    List<long[]> runs = new ArrayList<>();
    long[] run = null;
    for (Item item : fresh) {
      long agent = item.agent().agentId();
      long seq = item.observation().seq();
      if (run != null && run[0] == agent && run[2] + 1 == seq) {
        run[2] = seq;
      } else {
        run = new long[] {agent, seq, seq};
        runs.add(run);
      }
    }
    long[] agents = new long[runs.size()];
    long[] firsts = new long[runs.size()];
    long[] lasts = new long[runs.size()];
    for (int i = 0; i < runs.size(); i++) {
      agents[i] = runs.get(i)[0];
      firsts[i] = runs.get(i)[1];
      lasts[i] = runs.get(i)[2];
    }
    dao.settle(agents, firsts, lasts);
  }

  private static void copy(Handle h, String sql, byte[] data) {
    try {
      CopyIn in = h.getConnection().unwrap(PGConnection.class).getCopyAPI().copyIn(sql);
      try {
        in.writeToCopy(data, 0, data.length);
        in.endCopy();
      } finally {
        if (in.isActive()) {
          in.cancelCopy();
        }
      }
    } catch (SQLException e) {
      throw new org.jdbi.v3.core.statement.UnableToExecuteStatementException(e, null);
    }
  }

  /** Microseconds from the Unix epoch to PostgreSQL's, 2000-01-01 00:00 UTC. */
  private static final long PG_EPOCH_MICROS = 946_684_800_000_000L;

  private static final byte[] SIGNATURE = {
    'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0
  };
  private static final short COLUMNS = 10;
  private static final short DETAIL_COLUMNS = 7;

  /** PostgreSQL's type oid of real (float4), which a binary array names for its elements. */
  private static final int FLOAT4_OID = 700;

  /** The rows in COPY's binary format: header, one tuple per row, trailer. */
  private static byte[] encode(List<? extends Item> rows) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(rows.size() * 128);
    DataOutputStream out = new DataOutputStream(bytes);
    try {
      header(out);
      for (Item r : rows) {
        Observation o = r.observation();
        out.writeShort(COLUMNS);
        timestamptz(out, o.observedAt());
        timestamptz(out, r.receivedAt());
        int8(out, r.agent().establishmentId());
        int8(out, r.agent().computerId());
        int8(out, r.agent().agentId());
        int8(out, o.seq());
        int8(out, o.clockOffsetMs());
        int2(out, StatusCodes.code(o.status()));
        int2(out, o.timeSource().code());
        float4Array(out, o.latencyMs());
      }
      out.writeShort(-1);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
    }
    return bytes.toByteArray();
  }

  /** The details rows, as {@link #encode}. */
  private static byte[] encodeDetails(List<? extends Item> rows) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(rows.size() * 768);
    DataOutputStream out = new DataOutputStream(bytes);
    try {
      header(out);
      for (Item r : rows) {
        Observation o = r.observation();
        out.writeShort(DETAIL_COLUMNS);
        timestamptz(out, o.observedAt());
        int8(out, r.agent().computerId());
        int8(out, r.agent().agentId());
        int8(out, o.seq());
        text(out, Optional.of(o.reason()));
        // json's binary form is its text
        text(out, Optional.of(o.checksJson()));
        text(out, o.interfaceCountersJson());
      }
      out.writeShort(-1);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static void header(DataOutputStream out) throws IOException {
    out.write(SIGNATURE);
    out.writeInt(0); // flags: no OIDs
    out.writeInt(0); // no header extension
  }

  private static void int2(DataOutputStream out, short v) throws IOException {
    out.writeInt(2);
    out.writeShort(v);
  }

  /**
   * A one-dimensional real[] (empty: no dimensions), as rollup_pending holds latencies: the rebuild
   * then reads exactly the floats the maintainer merged.
   */
  private static void float4Array(DataOutputStream out, double[] values) throws IOException {
    if (values.length == 0) {
      out.writeInt(12);
      out.writeInt(0); // dimensions
      out.writeInt(0); // no nulls
      out.writeInt(FLOAT4_OID);
      return;
    }
    out.writeInt(20 + 8 * values.length);
    out.writeInt(1);
    out.writeInt(0);
    out.writeInt(FLOAT4_OID);
    out.writeInt(values.length);
    out.writeInt(1); // lower bound
    for (double v : values) {
      out.writeInt(4);
      out.writeInt(Float.floatToIntBits((float) v));
    }
  }

  private static void int8(DataOutputStream out, long v) throws IOException {
    out.writeInt(8);
    out.writeLong(v);
  }

  private static void timestamptz(DataOutputStream out, Instant t) throws IOException {
    out.writeInt(8);
    out.writeLong(
        Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1_000)
            - PG_EPOCH_MICROS);
  }

  private static void text(DataOutputStream out, Optional<String> v) throws IOException {
    if (v.isEmpty()) {
      out.writeInt(-1);
      return;
    }
    byte[] b = v.get().getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }
}
