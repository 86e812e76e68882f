/**
 * The agent's on-disk journal of observations: append, {@code batch}, {@code ackThrough} (the
 * Telegraf buffer protocol), built so that a PC switched off at the wall never loses an observation
 * that {@code append} returned, and never loses one silently.
 *
 * <h2>Directory layout</h2>
 *
 * <ul>
 *   <li>{@code 00000000000000000042.seg}: a raw segment whose first record has seq 42. Names are
 *       zero-padded to 20 digits so that string order is numeric order (Telegraf's WAL read {@code
 *       x.10} before {@code x.9}); the code still sorts by the parsed number. Only the newest
 *       segment is written to (the active one); it is never deleted, so its name keeps the seq
 *       counter even if the state file is lost.
 *   <li>{@code 00000000000000000042.seg.gz}: a sealed segment, the raw bytes gzipped (level 9):
 *       observations are repetitive JSON, so 30 days of them fit in a few MB. Written as {@code
 *       .tmp}, fsynced, renamed, directory fsynced, and only then the raw file deleted, so a crash
 *       at any point leaves at least one complete copy. Standard gzip so that {@code zcat} can read
 *       it in the field.
 *   <li>{@code journal.state}: last assigned seq, ack cursor ("done through", covering acked,
 *       rejected and dropped records) and the dropped counter; replaced atomically (temp, fsync,
 *       rename, directory fsync) on every ack and every drop. Prometheus lost pending data because
 *       it kept no upload cursor; Telegraf replayed its whole WAL after every restart.
 *   <li>{@code *.tmp}: leftovers of an interrupted write, deleted on open.
 * </ul>
 *
 * <h2>Segment format (version 1)</h2>
 *
 * A 5-byte header, {@code 'E' 'N' 'L' 'J'} and the format version {@code 1}, so a later agent can
 * recognise (and migrate) what an older one wrote. Then records, big-endian:
 *
 * <pre>
 *   int  payloadLength
 *   int  crc32c        over payloadLength, seq, appendedAtMillis and payload
 *   long seq           exactly firstSeq + index: segments are dense, which is checked too
 *   long appendedAtMillis
 *   byte[payloadLength] payload (the observation JSON, which embeds the seq)
 * </pre>
 *
 * <h2>Rules</h2>
 *
 * <ul>
 *   <li>Durability: with {@code syncInterval} zero every append is forced before it returns;
 *       otherwise at most that long of appends is unsynced. {@code batch} forces first, so the
 *       server never sees a record that a power cut could take back (its seq could be reused).
 *   <li>A failed write or fsync is never retried (PostgreSQL's fsyncgate): the segment is closed
 *       for good, the journal state is re-read and re-verified from disk, the error is rethrown,
 *       and the next append starts a new segment. The seq of a failed append is never reused, so
 *       such an append may or may not have been journaled.
 *   <li>Recovery on open never throws on bad data: a torn tail of the active segment is truncated;
 *       a bad record elsewhere ends that segment, which is rewritten without it; every record lost
 *       that way (as far as neighbouring seqs tell) is added to {@code dropped}.
 *   <li>Bound: past {@code maxDiskBytes} the oldest sealed segments are deleted and their pending
 *       records counted as dropped (counted once the state says so durably). Appends never block on
 *       the uploader.
 *   <li>A full disk fails the appends (as above) and leaves no temp file behind; opening needs no
 *       free space unless there is something to repair, and once space returns the journal carries
 *       on by itself.
 * </ul>
 *
 * <h2>How it is tested</h2>
 *
 * All file access goes through {@link org.enlace.agent.journal.Storage}. JournalPowerLossTest puts
 * the journal on a simulated disk that keeps only what was forced (names only once the directory
 * was forced) and tears the last sector, and cuts the power before every disk operation of seeded
 * workloads; JournalStatefulTest (jqwik) checks random sequences of appends, batches, acks,
 * restarts, kill -9, power loss, a full disk and clock jumps against a model; JournalCrashTest
 * SIGKILLs a real child JVM.
 */
package org.enlace.agent.journal;
