package org.enlace.agent.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/** The journal's storage in production: the file system, through java.nio. */
final class FileStorage implements Storage {
  static final FileStorage INSTANCE = new FileStorage();

  private FileStorage() {}

  private record Channel(FileChannel ch) implements WritableFile {
    @Override
    public void write(ByteBuffer src) throws IOException {
      while (src.hasRemaining()) {
        ch.write(src);
      }
    }

    @Override
    public void force(boolean metaData) throws IOException {
      ch.force(metaData);
    }

    @Override
    public void close() throws IOException {
      ch.close();
    }
  }

  @Override
  public void createDirectories(Path dir) throws IOException {
    Files.createDirectories(dir);
  }

  @Override
  public List<Path> list(Path dir) throws IOException {
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      files.forEach(out::add);
    }
    return out;
  }

  @Override
  public byte[] read(Path file) throws IOException {
    return Files.readAllBytes(file);
  }

  @Override
  public WritableFile create(Path file, boolean replace) throws IOException {
    return new Channel(
        replace
            ? FileChannel.open(
                file,
                StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)
            : FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE));
  }

  @Override
  public WritableFile openForAppend(Path file) throws IOException {
    FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE);
    try {
      ch.position(ch.size());
    } catch (IOException e) {
      ch.close();
      throw e;
    }
    return new Channel(ch);
  }

  @Override
  public void move(Path from, Path to) throws IOException {
    Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  @Override
  public void deleteIfExists(Path file) throws IOException {
    Files.deleteIfExists(file);
  }

  /**
   * Windows cannot open a directory (NTFS journals its metadata itself), so there a failure to open
   * is ignored; a failure to force is not.
   */
  @Override
  public void forceDirectory(Path dir) throws IOException {
    FileChannel ch;
    try {
      ch = FileChannel.open(dir, StandardOpenOption.READ);
    } catch (IOException e) {
      return;
    }
    try (ch) {
      ch.force(true);
    }
  }
}
