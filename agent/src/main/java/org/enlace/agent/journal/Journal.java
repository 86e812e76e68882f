package org.enlace.agent.journal;

import static java.util.Objects.requireNonNull;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.LongFunction;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.enlace.agent.journal.SegmentFormat.Content;
import org.enlace.agent.journal.SegmentFormat.Name;
import org.enlace.agent.journal.SegmentFormat.Scan;
import org.jspecify.annotations.Nullable;

/**
 * Append-only on-disk journal of observations (format and rules in {@code package-info.java}). One
 * thread appends while another calls {@link #batch} and {@link #ackThrough}: every method holds the
 * journal's lock, which is simple and cheap at one observation a minute.
 */
public final class Journal implements Closeable {
  private static final Logger LOG = Logger.getLogger(Journal.class.getName());

  /** How a segment is forced to disk: a seam so that tests can make fsync fail. */
  interface Forcer {
    void force(Storage.WritableFile file) throws IOException;
  }

  /**
   * The agent's wall clock (for appendedAtMillis) and a monotonic one (for the sync interval): a
   * seam so that tests can make the clocks jump.
   */
  interface Ticker {
    Ticker SYSTEM =
        new Ticker() {
          @Override
          public long millis() {
            return System.currentTimeMillis();
          }

          @Override
          public long nanos() {
            return System.nanoTime();
          }
        };

    long millis();

    long nanos();
  }

  /** One segment file; {@code count} records numbered from {@code firstSeq}, no gaps. */
  private static final class Segment {
    final long firstSeq;
    boolean compressed;
    long count;
    long bytes;

    /** Set while loading: the verified prefix to rewrite this file with (repair or sealing). */
    byte @Nullable [] rewrite;

    Segment(long firstSeq, boolean compressed) {
      this.firstSeq = firstSeq;
      this.compressed = compressed;
    }

    long lastSeq() {
      return firstSeq + count - 1;
    }

    Path path(Path dir) {
      return dir.resolve(new Name(firstSeq, compressed).fileName());
    }
  }

  private record Read(Content content, Scan scan) {
    boolean intact() {
      return !content.truncated() && !scan.damaged();
    }
  }

  private final Path dir;
  private final JournalConfig config;
  private final Storage storage;
  private final Forcer forcer;
  private final Ticker ticker;

  /** Oldest first. The last one is raw, open as {@link #active}, and never deleted. */
  private final List<Segment> segments = new ArrayList<>();

  /** Null until {@link #ensureUsable()} opens it, and again once closed or failed. */
  private Storage.@Nullable WritableFile active;

  private long lastSeq;
  private long doneThrough;
  private long dropped;
  private boolean dirty;
  private long dirtySinceNanos;

  /** After an I/O error on the active file nothing more is written to it (fsyncgate). */
  private boolean rollBeforeAppend;

  private boolean needsReload;
  private boolean closed;

  /**
   * Cached answer of {@link #oldestPendingAppendedAtMillis()}, when {@link #oldestPendingKnown}.
   */
  private Optional<Long> oldestPending = Optional.empty();

  private boolean oldestPendingKnown;

  private Journal(Path dir, JournalConfig config, Storage storage, Forcer forcer, Ticker ticker) {
    this.dir = requireNonNull(dir, "dir is null");
    this.config = requireNonNull(config, "config is null");
    this.storage = requireNonNull(storage, "storage is null");
    this.forcer = requireNonNull(forcer, "forcer is null");
    this.ticker = requireNonNull(ticker, "ticker is null");
  }

  /** Opens (creating if needed) the journal in {@code dir}, verifying and repairing it. */
  public static Journal open(Path dir, JournalConfig config) throws IOException {
    return open(dir, config, f -> f.force(true));
  }

  static Journal open(Path dir, JournalConfig config, Forcer forcer) throws IOException {
    return open(dir, config, FileStorage.INSTANCE, forcer, Ticker.SYSTEM);
  }

  static Journal open(Path dir, JournalConfig config, Storage storage, Ticker ticker)
      throws IOException {
    return open(dir, config, storage, f -> f.force(true), ticker);
  }

  private static Journal open(
      Path dir, JournalConfig config, Storage storage, Forcer forcer, Ticker ticker)
      throws IOException {
    Journal journal = new Journal(dir, config, storage, forcer, ticker);
    synchronized (journal) {
      journal.load();
    }
    return journal;
  }

  /**
   * Assigns the next sequence number, asks encoder for the record bytes (the encoder embeds the seq
   * in its JSON), appends, and makes it durable per the sync policy. Returns the seq. If this
   * throws an IOException the record may or may not be in the journal, but its seq is never given
   * to another record.
   */
  public synchronized long append(LongFunction<byte[]> encoder) throws IOException {
    ensureUsable();
    long seq = lastSeq + 1;
    byte[] payload = requireNonNull(encoder.apply(seq), "encoder returned null");
    if (payload.length > SegmentFormat.MAX_PAYLOAD) {
      throw new IllegalArgumentException(
          "record of " + payload.length + " bytes exceeds " + SegmentFormat.MAX_PAYLOAD);
    }
    ByteBuffer record = SegmentFormat.encode(seq, ticker.millis(), payload);
    // The seq is spent from here on, even if the roll below fails: a retry that rolled again to
    // the same first seq would find that segment's file already there, and fail for ever.
    lastSeq = seq;
    try {
      Segment current = last();
      if (rollBeforeAppend
          || current.bytes >= config.segmentBytes()
          || current.firstSeq + current.count != seq) {
        roll(seq);
      }
      enforceBound(record.remaining());
      activeChannel().write(record);
      last().count++;
      last().bytes += record.capacity();
      if (!dirty) {
        dirty = true;
        dirtySinceNanos = ticker.nanos();
      }
      if (ticker.nanos() - dirtySinceNanos >= config.syncInterval().toNanos()) {
        force();
      }
    } catch (IOException e) {
      throw failed(e);
    }
    if (oldestPendingKnown && oldestPending.isEmpty()) {
      oldestPendingKnown = false;
    }
    return seq;
  }

  /**
   * Oldest records not yet acknowledged, at most maxRecords and about maxBytes of payload (at least
   * one record if any), in seq order. Does not remove them. Forces unsynced appends first, so that
   * nothing the server sees can be taken back by a power cut.
   */
  public synchronized List<Record> batch(int maxRecords, long maxBytes) throws IOException {
    if (maxRecords < 1) {
      throw new IllegalArgumentException("maxRecords must be positive: " + maxRecords);
    }
    sync();
    return collect(maxRecords, maxBytes);
  }

  /**
   * Everything up to and including this seq is done (acknowledged or rejected by the server): never
   * returned by batch() again, also after a restart; segments wholly done are deleted.
   */
  public synchronized void ackThrough(long seq) throws IOException {
    ensureUsable();
    if (seq <= doneThrough) {
      return;
    }
    if (seq > lastSeq) {
      throw new IllegalArgumentException("ack of " + seq + " beyond the last seq " + lastSeq);
    }
    doneThrough = seq;
    oldestPendingKnown = false;
    writeState(); // the cursor is durable before any segment goes
    while (segments.size() > 1 && segments.get(0).lastSeq() <= doneThrough) {
      delete(segments.get(0));
    }
  }

  /** Records appended and not yet acked (nor dropped). */
  public synchronized long pending() {
    return pendingAfter(doneThrough);
  }

  /**
   * Records pending with a seq above {@code seq}: what will still wait once a batch ending at
   * {@code seq} is acknowledged (the uploader reports it as the report's queue depth).
   */
  public synchronized long pendingAfter(long seq) {
    long through = Math.max(doneThrough, seq);
    return segments.stream().mapToLong(s -> pendingIn(s, through)).sum();
  }

  /** When the oldest pending record was appended (agent clock), if any. */
  public synchronized Optional<Long> oldestPendingAppendedAtMillis() {
    if (!oldestPendingKnown) {
      Optional<Long> oldest = oldestPendingAppendedAtMillisAfter(doneThrough);
      if (oldest.isEmpty() && pending() > 0) {
        return oldest; // the read failed (logged): not cached, the next call tries again
      }
      oldestPending = oldest;
      oldestPendingKnown = true;
    }
    return oldestPending;
  }

  /**
   * When the oldest pending record with a seq above {@code seq} was appended (agent clock), if any:
   * {@link #oldestPendingAppendedAtMillis()} once a batch ending at {@code seq} is acknowledged.
   * Empty when none waits, or when the journal could not be read (logged).
   */
  public synchronized Optional<Long> oldestPendingAppendedAtMillisAfter(long seq) {
    if (seq <= doneThrough && oldestPendingKnown) {
      return oldestPending;
    }
    try {
      ensureUsable();
      if (pendingAfter(seq) == 0) {
        return Optional.empty();
      }
      return collect(seq, 1, Long.MAX_VALUE).stream().findFirst().map(Record::appendedAtMillis);
    } catch (IOException e) {
      LOG.log(Level.WARNING, "event=journal_read_failed dir=" + dir, e);
      return Optional.empty();
    }
  }

  /**
   * Records dropped because of the size bound or found damaged, ever (persisted; reported to the
   * server, never silent).
   */
  public synchronized long dropped() {
    return dropped;
  }

  /** Highest seq ever assigned (0 if none). */
  public synchronized long lastSeq() {
    return lastSeq;
  }

  /** Size of the segment and state files. */
  public synchronized long diskBytes() {
    return segments.stream().mapToLong(s -> s.bytes).sum() + JournalState.BYTES;
  }

  /** Forces pending writes now (the daemon calls it on shutdown and on a timer). */
  public synchronized void sync() throws IOException {
    ensureUsable();
    if (dirty) {
      try {
        force();
      } catch (IOException e) {
        throw failed(e);
      }
    }
  }

  @Override
  public synchronized void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (!needsReload) {
        if (dirty) {
          force();
        }
        writeState();
      }
    } finally {
      closeActive();
    }
  }

  // ---- loading and repair ----

  /**
   * (Re)reads the journal from disk: verifies every segment, counts what damage took, persists the
   * counts, then repairs (rewrites damaged files, seals raw segments left by a crash, deletes what
   * is done). Keeps in-memory counters that are higher, so a reload after an I/O error never reuses
   * a seq. Never throws on bad data, only on I/O errors.
   */
  private void load() throws IOException {
    needsReload = true;
    closeActive();
    segments.clear();
    oldestPendingKnown = false;
    storage.createDirectories(dir);
    TreeMap<Long, Boolean> found = new TreeMap<>(); // first seq -> compressed
    List<Path> leftovers = new ArrayList<>();
    for (Path p : storage.list(dir)) {
      String fileName = p.getFileName().toString();
      if (fileName.endsWith(DurableFiles.TMP)) {
        leftovers.add(p); // an interrupted write; the file it was meant to replace is intact
      }
      Name.parse(fileName)
          .ifPresent(n -> found.merge(n.firstSeq(), n.compressed(), Boolean::logicalOr));
    }
    for (Path p : leftovers) {
      storage.deleteIfExists(p);
    }
    for (var e : found.entrySet()) {
      if (e.getValue()) { // a .gz is renamed into place complete, so a raw twin is redundant
        storage.deleteIfExists(dir.resolve(new Name(e.getKey(), false).fileName()));
      }
    }

    Optional<JournalState> saved = JournalState.read(storage, dir);
    if (saved.isEmpty() && !found.isEmpty()) {
      LOG.warning(
          "event=journal_state_missing dir="
              + dir
              + " effect=resending_from_oldest_segment dropped_counter_restarts");
    }
    JournalState state =
        saved.orElse(new JournalState(0, found.isEmpty() ? 0 : found.firstKey() - 1, 0));
    lastSeq = Math.max(lastSeq, state.lastSeq());
    doneThrough = Math.max(doneThrough, state.doneThrough());
    dropped = Math.max(dropped, state.dropped());

    List<Map.Entry<Long, Boolean>> firstSeqs = new ArrayList<>(found.entrySet());
    for (int i = 0; i < firstSeqs.size(); i++) {
      Segment seg = new Segment(firstSeqs.get(i).getKey(), firstSeqs.get(i).getValue());
      byte[] file = storage.read(seg.path(dir));
      Read read = read(seg, file);
      seg.bytes = file.length;
      seg.count = read.scan().records().size();
      lastSeq = Math.max(lastSeq, seg.lastSeq());
      boolean isLast = i == firstSeqs.size() - 1;
      int validEnd = read.scan().validEnd();
      if (!read.intact() || validEnd < SegmentFormat.HEADER.length) {
        // How many records the damage took: up to the next segment, or whatever intact records
        // still follow in the newest one. A torn tail (a crash mid-append) takes none.
        long expectedLast =
            isLast
                ? SegmentFormat.highestSeqAfter(read.content().bytes(), validEnd, seg.lastSeq())
                : firstSeqs.get(i + 1).getKey() - 1;
        if (seg.compressed) {
          expectedLast = Math.max(expectedLast, seg.firstSeq); // never sealed empty
        }
        long lost = Math.max(0, expectedLast - Math.max(seg.lastSeq(), doneThrough));
        dropped += lost;
        lastSeq = Math.max(lastSeq, expectedLast);
        LOG.log(
            lost > 0 ? Level.WARNING : Level.INFO,
            "event=journal_damage segment="
                + seg.path(dir).getFileName()
                + " kept="
                + seg.count
                + " lost="
                + lost
                + " effect="
                + (lost > 0 ? "counted_as_dropped" : "torn_tail_truncated"));
        seg.rewrite = Arrays.copyOf(read.content().bytes(), validEnd);
      } else if (!seg.compressed && !isLast) {
        seg.rewrite = read.content().bytes(); // a crash interrupted its sealing
      }
      segments.add(seg);
    }
    // What damage took is counted durably before the evidence is repaired away. Unchanged, the
    // state is not rewritten: that write is what would keep a full disk from opening the journal.
    JournalState loaded = new JournalState(lastSeq, doneThrough, dropped);
    if (!saved.equals(Optional.of(loaded))) {
      loaded.write(storage, dir);
    }

    if (segments.isEmpty() || last().compressed) {
      createActive(lastSeq + 1);
    }
    for (Segment seg : List.copyOf(segments)) {
      if (seg == last()) {
        break;
      }
      if (seg.count == 0 || seg.lastSeq() <= doneThrough) {
        delete(seg);
      } else if (seg.rewrite != null) {
        writeSealed(seg, seg.rewrite);
      }
    }
    Segment newest = last();
    if (newest.rewrite != null) {
      byte[] keep =
          newest.rewrite.length < SegmentFormat.HEADER.length
              ? SegmentFormat.HEADER
              : newest.rewrite;
      DurableFiles.replace(storage, newest.path(dir), keep);
      newest.bytes = keep.length;
      newest.rewrite = null;
    }
    if (active == null) {
      Storage.WritableFile f = storage.openForAppend(newest.path(dir));
      active = f;
      forcer.force(f); // a crashed process may have left appends unsynced
    }
    dirty = false;
    rollBeforeAppend = false;
    needsReload = false;
  }

  private Read read(Segment seg, byte[] file) {
    Content content = seg.compressed ? SegmentFormat.decompress(file) : new Content(file, false);
    return new Read(content, SegmentFormat.scan(content.bytes(), seg.firstSeq));
  }

  private void ensureUsable() throws IOException {
    if (closed) {
      throw new IllegalStateException("journal is closed: " + dir);
    }
    if (needsReload) {
      load();
    }
  }

  /**
   * An I/O error on the active segment. Never retry a failed write or fsync and carry on
   * (PostgreSQL's fsyncgate: the kernel may have dropped the dirty pages already): close the file,
   * re-verify everything from disk and append to a new segment from now on.
   */
  private IOException failed(IOException e) {
    LOG.log(
        Level.SEVERE,
        "event=journal_io_error dir=" + dir + " effect=segment_closed_journal_reloaded",
        e);
    try {
      load();
    } catch (IOException | RuntimeException again) {
      e.addSuppressed(again); // needsReload stays set: the next call tries again
    }
    rollBeforeAppend = true;
    return e;
  }

  // ---- writing ----

  private Segment last() {
    return segments.get(segments.size() - 1);
  }

  /** Open whenever the journal is usable: {@link #ensureUsable()} opened it before any write. */
  private Storage.WritableFile activeChannel() throws IOException {
    Storage.WritableFile ch = active;
    if (ch == null) {
      throw new IOException("the journal in " + dir + " has no open active segment");
    }
    return ch;
  }

  private void force() throws IOException {
    forcer.force(activeChannel());
    dirty = false;
  }

  /** Starts a new active segment and seals the old one (compresses it, or deletes it if done). */
  private void roll(long firstSeq) throws IOException {
    Segment old = last();
    if (dirty) {
      force();
    }
    closeActive();
    createActive(firstSeq);
    rollBeforeAppend = false;
    if (old.count == 0 || old.lastSeq() <= doneThrough) {
      delete(old);
      return;
    }
    try {
      writeSealed(old, storage.read(old.path(dir)));
    } catch (IOException e) {
      // The raw file is complete and readable; the next open seals it.
      LOG.log(
          Level.WARNING,
          "event=journal_seal_failed segment="
              + old.path(dir).getFileName()
              + " effect=kept_uncompressed",
          e);
    }
  }

  private void createActive(long firstSeq) throws IOException {
    Segment seg = new Segment(firstSeq, false);
    Storage.WritableFile ch = storage.create(seg.path(dir), false);
    try {
      ch.write(ByteBuffer.wrap(SegmentFormat.HEADER));
      forcer.force(ch);
      storage.forceDirectory(dir);
    } catch (IOException e) {
      ch.close();
      throw e;
    }
    seg.bytes = SegmentFormat.HEADER.length;
    segments.add(seg);
    active = ch;
  }

  /** Replaces a segment by its compressed form: temp, fsync, rename, dir fsync, delete raw. */
  private void writeSealed(Segment seg, byte[] raw) throws IOException {
    byte[] gz = SegmentFormat.compress(raw, raw.length);
    Path before = seg.path(dir);
    Path sealed = dir.resolve(new Name(seg.firstSeq, true).fileName());
    DurableFiles.replace(storage, sealed, gz);
    seg.compressed = true;
    seg.bytes = gz.length;
    seg.rewrite = null;
    if (!before.equals(sealed)) {
      storage.deleteIfExists(before);
    }
  }

  /** Keeps the journal within maxDiskBytes by deleting the oldest sealed segments, counted. */
  private void enforceBound(long incoming) throws IOException {
    long bytes = diskBytes() + incoming;
    int n = 0;
    long lost = 0;
    long done = doneThrough;
    while (bytes > config.maxDiskBytes() && n < segments.size() - 1) {
      Segment s = segments.get(n++);
      bytes -= s.bytes;
      lost += pendingIn(s);
      done = Math.max(done, s.lastSeq());
    }
    if (n == 0) {
      return;
    }
    // Durable before any segment goes, and counted only once durable: a state write that fails
    // (a full disk) must not leave a count that a restart would take back, for records still here.
    new JournalState(lastSeq, done, dropped + lost).write(storage, dir);
    dropped += lost;
    doneThrough = done;
    oldestPendingKnown = false;
    LOG.warning(
        "event=journal_full max_disk_bytes="
            + config.maxDiskBytes()
            + " segments_deleted="
            + n
            + " dropped="
            + lost
            + " dropped_total="
            + dropped);
    for (int i = 0; i < n; i++) {
      delete(segments.get(0));
    }
  }

  private void delete(Segment seg) throws IOException {
    storage.deleteIfExists(seg.path(dir));
    segments.remove(seg);
  }

  private void writeState() throws IOException {
    new JournalState(lastSeq, doneThrough, dropped).write(storage, dir);
  }

  private void closeActive() {
    if (active != null) {
      try {
        active.close();
      } catch (IOException e) {
        LOG.log(Level.FINE, "event=journal_close_failed", e);
      }
      active = null;
    }
  }

  // ---- reading ----

  private long pendingIn(Segment s) {
    return pendingIn(s, doneThrough);
  }

  private static long pendingIn(Segment s, long through) {
    return Math.max(0, s.lastSeq() - Math.max(s.firstSeq - 1, through));
  }

  private List<Record> collect(int maxRecords, long maxBytes) throws IOException {
    return collect(doneThrough, maxRecords, maxBytes);
  }

  /**
   * Pending records above {@code after} (at least doneThrough) in order; damage found here (bit rot
   * since open) triggers a reload.
   */
  private List<Record> collect(long after, int maxRecords, long maxBytes) throws IOException {
    for (int attempt = 0; ; attempt++) {
      long through = Math.max(doneThrough, after);
      List<Record> out = new ArrayList<>();
      long bytes = 0;
      boolean intact = true;
      for (Segment s : segments) {
        if (s.lastSeq() <= through) {
          continue;
        }
        Read read = read(s, storage.read(s.path(dir)));
        intact = read.intact() && read.scan().records().size() == s.count;
        for (Record r : read.scan().records()) {
          if (r.seq() <= through) {
            continue;
          }
          if (!out.isEmpty()
              && (out.size() >= maxRecords || bytes + r.payload().length > maxBytes)) {
            return out;
          }
          out.add(r);
          bytes += r.payload().length;
        }
        if (!intact) {
          break;
        }
      }
      if (intact || attempt > 0) {
        return out;
      }
      LOG.warning(
          "event=journal_damage_found_while_reading dir=" + dir + " effect=reverifying_from_disk");
      load();
    }
  }
}
