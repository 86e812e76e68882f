package org.enlace.agent.journal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/** Segment names, record encoding, verification and compression (format in package-info). */
final class SegmentFormat {
  static final byte VERSION = 1;
  static final byte[] HEADER = {'E', 'N', 'L', 'J', VERSION};

  /** length, crc, seq, appendedAtMillis. */
  static final int RECORD_HEADER = 4 + 4 + 8 + 8;

  static final int MAX_PAYLOAD = 1 << 20;

  /** Decompression stops here: a damaged length field must not make us allocate gigabytes. */
  private static final int MAX_CONTENT = (int) JournalConfig.MAX_SEGMENT_BYTES + MAX_PAYLOAD + 64;

  private static final Pattern NAME = Pattern.compile("(\\d{20})\\.seg(\\.gz)?");

  private SegmentFormat() {}

  /** A segment file name: its first seq and whether it is compressed. */
  record Name(long firstSeq, boolean compressed) {
    String fileName() {
      return String.format("%020d.seg%s", firstSeq, compressed ? ".gz" : "");
    }

    static Optional<Name> parse(String fileName) {
      Matcher m = NAME.matcher(fileName);
      if (!m.matches()) {
        return Optional.empty();
      }
      try {
        return Optional.of(new Name(Long.parseLong(m.group(1)), m.group(2) != null));
      } catch (NumberFormatException e) {
        return Optional.empty(); // 20 digits can exceed Long.MAX_VALUE: not ours
      }
    }
  }

  /**
   * What verification found: the good records, the offset just past the last of them, and whether
   * anything follows it (a torn tail or damage).
   */
  record Scan(List<Record> records, int validEnd, boolean damaged) {}

  /** Decompressed (or raw) bytes, and whether decompression hit damage before the end. */
  @SuppressWarnings("ArrayRecordComponent") // a carrier of the bytes read, never compared
  record Content(byte[] bytes, boolean truncated) {}

  static ByteBuffer encode(long seq, long appendedAtMillis, byte[] payload) {
    ByteBuffer b = ByteBuffer.allocate(RECORD_HEADER + payload.length);
    b.putInt(payload.length).putInt(0).putLong(seq).putLong(appendedAtMillis).put(payload);
    b.putInt(4, crc(b.array(), 0, payload.length));
    return b.flip();
  }

  /** CRC32C over the record at {@code off} with this payload length, skipping the crc field. */
  private static int crc(byte[] a, int off, int payloadLength) {
    CRC32C c = new CRC32C();
    c.update(a, off, 4);
    c.update(a, off + 8, 16 + payloadLength);
    return (int) c.getValue();
  }

  /** Reads records from the start while they are whole, intact and numbered firstSeq, +1, ... */
  static Scan scan(byte[] content, long firstSeq) {
    List<Record> records = new ArrayList<>();
    if (content.length < HEADER.length
        || !Arrays.equals(content, 0, HEADER.length, HEADER, 0, HEADER.length)) {
      return new Scan(records, 0, content.length > 0);
    }
    ByteBuffer b = ByteBuffer.wrap(content);
    int pos = HEADER.length;
    while (pos < content.length
        && isRecordAt(b, pos, firstSeq + records.size(), firstSeq + records.size())) {
      int length = b.getInt(pos);
      records.add(
          new Record(
              b.getLong(pos + 8),
              b.getLong(pos + 16),
              Arrays.copyOfRange(content, pos + RECORD_HEADER, pos + RECORD_HEADER + length)));
      pos += RECORD_HEADER + length;
    }
    return new Scan(records, pos, pos < content.length);
  }

  /**
   * After damage at {@code from}, the highest seq of an intact record further on (or {@code
   * lastGood}): how many records the damage took, and a lower bound for the next seq, so that a seq
   * the server may already have is never given to another observation.
   */
  static long highestSeqAfter(byte[] content, int from, long lastGood) {
    ByteBuffer b = ByteBuffer.wrap(content);
    long highest = lastGood;
    long limit = lastGood + (content.length - from) / RECORD_HEADER + 1;
    for (int pos = from + 1; pos + RECORD_HEADER <= content.length; pos++) {
      if (isRecordAt(b, pos, highest + 1, limit)) {
        highest = b.getLong(pos + 8);
      }
    }
    return highest;
  }

  private static boolean isRecordAt(ByteBuffer b, int pos, long minSeq, long maxSeq) {
    if (b.limit() - pos < RECORD_HEADER) {
      return false;
    }
    int length = b.getInt(pos);
    long seq = b.getLong(pos + 8);
    return length >= 0
        && length <= MAX_PAYLOAD
        && length <= b.limit() - pos - RECORD_HEADER
        && seq >= minSeq
        && seq <= maxSeq
        && b.getInt(pos + 4) == crc(b.array(), b.arrayOffset() + pos, length);
  }

  static byte[] compress(byte[] raw, int length) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(length / 4 + 64);
    try (GZIPOutputStream gz =
        new GZIPOutputStream(out) {
          {
            def.setLevel(Deflater.BEST_COMPRESSION);
          }
        }) {
      gz.write(raw, 0, length);
    }
    return out.toByteArray();
  }

  /** Inflates as much as can be inflated: a damaged file still yields what precedes the damage. */
  static Content decompress(byte[] file) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(file.length * 8);
    byte[] buf = new byte[16 << 10];
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(file))) {
      for (int n; (n = in.read(buf)) > 0; ) {
        out.write(buf, 0, n);
        if (out.size() > MAX_CONTENT) {
          return new Content(out.toByteArray(), true);
        }
      }
      return new Content(out.toByteArray(), false);
    } catch (IOException | RuntimeException e) {
      return new Content(out.toByteArray(), true); // bad header, bad data, bad trailer
    }
  }
}
