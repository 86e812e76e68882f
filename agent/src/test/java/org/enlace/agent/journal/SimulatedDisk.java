package org.enlace.agent.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * A disk, in memory, that forgets what was not forced: the journal's {@link Storage} for power-loss
 * and disk-full tests. One directory, {@link #DIR}.
 *
 * <p>The model is POSIX's promise, not a particular file system's kindness (ext4 data=ordered would
 * often keep more):
 *
 * <ul>
 *   <li>A file's data is durable up to its last {@code force}; what was written after it lives only
 *       in the page cache.
 *   <li>Names (create, rename, delete) are durable only once the directory is forced. Until then a
 *       power loss brings back the directory as it was at its last force: a new file vanishes even
 *       if its data was forced, a renamed file is back under its old name, a deleted one is back.
 * </ul>
 *
 * <p>A power loss keeps, for each name the directory durably held, the data forced last, and may
 * add part of what was written after it, in order, as the kernel's write-back would: whole sectors
 * of it, then one torn sector (partly written, zeroed, or garbage) up to the sector's end. Bytes
 * already durable are never damaged by a later write (SQLite's "powersafe overwrite", which its
 * default assumes of modern disks). A write that would exceed the quota writes what fits and then
 * fails with "No space left on device", as write(2) does.
 */
final class SimulatedDisk implements Storage {
  static final Path DIR = Path.of("/simulated/journal");
  private static final byte[] EMPTY = {};

  /** What a power loss did to the not-yet-durable tail of a file. */
  enum Tear {
    /** Only the forced data is left. */
    NONE,
    /** Everything written was written back. */
    ALL,
    /** Written back up to a point inside a sector. */
    PARTIAL,
    /** Written back up to a sector, then a sector of zeros. */
    ZEROED,
    /** Written back up to a sector, then a sector of garbage. */
    GARBAGE,
    /** Written back up to a point inside a sector, then garbage to its end. */
    PARTIAL_GARBAGE
  }

  /** Called before every operation that changes the disk, with its index (0, 1, ...). */
  interface Listener {
    void beforeOperation(long index, String operation);
  }

  private static final class Inode {
    byte[] durable = EMPTY;
    byte[] current = EMPTY;
  }

  private final int sectorSize;

  /** The directory as it is now, and as it was when last forced. */
  private final Map<String, Inode> names = new TreeMap<>();

  private Map<String, Inode> durableNames = new HashMap<>();

  private long operations;
  private @Nullable Listener listener;
  private long quota = Long.MAX_VALUE;

  /** Shared with the disks that power losses make of this one. */
  private Map<Tear, Integer> tears = new EnumMap<>(Tear.class);

  SimulatedDisk(int sectorSize) {
    this.sectorSize = sectorSize;
  }

  void listener(@Nullable Listener listener) {
    this.listener = listener;
  }

  /** Operations that changed the disk so far. */
  long operations() {
    return operations;
  }

  /** Bytes the files may hold in all; {@code Long.MAX_VALUE} for no limit. */
  void quota(long bytes) {
    this.quota = bytes;
  }

  long usedBytes() {
    long used = 0;
    for (Inode i : new HashSet<>(names.values())) {
      used += i.current.length;
    }
    return used;
  }

  /**
   * How often each kind of tear was applied by {@link #powerLoss}, on this disk and its successors.
   */
  Map<Tear, Integer> tears() {
    return tears;
  }

  /**
   * The disk as the machine finds it after a power cut now: a new disk (this one is left as it
   * was), with {@code random} choosing how much of each file's unforced tail was written back.
   */
  SimulatedDisk powerLoss(Random random) {
    SimulatedDisk after = new SimulatedDisk(sectorSize);
    Map<Inode, byte[]> survived = new HashMap<>(); // Inode has identity equality
    for (Inode i : new HashSet<>(durableNames.values())) {
      survived.put(i, survive(i, random));
    }
    durableNames.forEach(
        (name, inode) -> {
          Inode copy = new Inode();
          copy.durable = survived.get(inode);
          copy.current = copy.durable;
          after.names.put(name, copy);
        });
    after.durableNames = new HashMap<>(after.names);
    after.quota = quota;
    after.tears = tears;
    return after;
  }

  private byte[] survive(Inode i, Random random) {
    byte[] d = i.durable;
    byte[] v = i.current;
    if (v.length <= d.length || !Arrays.equals(v, 0, d.length, d, 0, d.length)) {
      // Nothing appended since the last force, or the file was truncated and rewritten (only
      // temp files are): the forced content.
      return d;
    }
    Tear tear = Tear.values()[random.nextInt(Tear.values().length)];
    tears.merge(tear, 1, Integer::sum);
    // Whole sectors written back: up to the start of a sector between the durable end's and the
    // last written one's.
    int firstSector = d.length / sectorSize;
    int lastSector = (v.length - 1) / sectorSize;
    int sector = firstSector + random.nextInt(lastSector - firstSector + 1);
    int start = Math.max(d.length, sector * sectorSize); // where the torn sector's new bytes begin
    int end = Math.min((sector + 1) * sectorSize, v.length);
    int cut = start + 1 + random.nextInt(end - start); // in (start, end]
    byte[] out;
    switch (tear) {
      case NONE -> out = d;
      case ALL -> out = v;
      case PARTIAL -> out = Arrays.copyOf(v, cut);
      case ZEROED -> {
        out = Arrays.copyOf(v, end);
        Arrays.fill(out, start, end, (byte) 0);
      }
      case GARBAGE -> {
        out = Arrays.copyOf(v, end);
        fillRandom(random, out, start, end);
      }
      default -> {
        out = Arrays.copyOf(v, end);
        fillRandom(random, out, cut, end);
      }
    }
    return out;
  }

  private static void fillRandom(Random random, byte[] a, int from, int to) {
    for (int k = from; k < to; k++) {
      a[k] = (byte) random.nextInt(256);
    }
  }

  private void operation(String what) {
    long index = operations++;
    Listener l = listener;
    if (l != null) {
      l.beforeOperation(index, what);
    }
  }

  private static String name(Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent == null || !parent.equals(DIR)) {
      throw new NoSuchFileException(file.toString(), null, "not in " + DIR);
    }
    return file.getFileName().toString();
  }

  private Inode existing(Path file) throws IOException {
    Inode i = names.get(name(file));
    if (i == null) {
      throw new NoSuchFileException(file.toString());
    }
    return i;
  }

  private final class Handle implements WritableFile {
    private final Inode inode;
    private final String name;
    private boolean open = true;

    Handle(Inode inode, String name) {
      this.inode = inode;
      this.name = name;
    }

    @Override
    public void write(ByteBuffer src) throws IOException {
      if (!open) {
        throw new IOException("closed: " + name);
      }
      operation("write " + name);
      long room = quota == Long.MAX_VALUE ? Long.MAX_VALUE : quota - usedBytes();
      int n = (int) Math.max(0, Math.min(src.remaining(), room));
      byte[] grown = Arrays.copyOf(inode.current, inode.current.length + n);
      src.get(grown, inode.current.length, n);
      inode.current = grown;
      if (src.hasRemaining()) {
        throw new IOException("No space left on device");
      }
    }

    @Override
    public void force(boolean metaData) throws IOException {
      if (!open) {
        throw new IOException("closed: " + name);
      }
      operation("force " + name);
      inode.durable = inode.current;
    }

    @Override
    public void close() {
      open = false;
    }
  }

  @Override
  public void createDirectories(Path dir) throws IOException {
    if (!dir.toAbsolutePath().equals(DIR)) {
      throw new IOException("the simulated disk has only " + DIR + ", not " + dir);
    }
  }

  @Override
  public List<Path> list(Path dir) throws IOException {
    createDirectories(dir);
    List<Path> out = new ArrayList<>();
    names.keySet().forEach(n -> out.add(DIR.resolve(n)));
    return out;
  }

  @Override
  public byte[] read(Path file) throws IOException {
    return existing(file).current.clone();
  }

  @Override
  public WritableFile create(Path file, boolean replace) throws IOException {
    String name = name(file);
    Inode i = names.get(name);
    if (i != null && !replace) {
      throw new FileAlreadyExistsException(file.toString());
    }
    operation("create " + name);
    if (i == null) {
      i = new Inode();
      names.put(name, i);
    } else {
      i.current = EMPTY;
    }
    return new Handle(i, name);
  }

  @Override
  public WritableFile openForAppend(Path file) throws IOException {
    return new Handle(existing(file), name(file));
  }

  @Override
  public void move(Path from, Path to) throws IOException {
    Inode i = existing(from);
    operation("rename " + name(from) + " " + name(to));
    names.remove(name(from));
    names.put(name(to), i);
  }

  @Override
  public void deleteIfExists(Path file) throws IOException {
    String name = name(file);
    if (names.containsKey(name)) {
      operation("delete " + name);
      names.remove(name);
    }
  }

  @Override
  public void forceDirectory(Path dir) throws IOException {
    createDirectories(dir);
    operation("force directory");
    durableNames = new HashMap<>(names);
  }
}
