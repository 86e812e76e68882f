package org.enlace.agent.journal;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Random;

/**
 * Run by {@link JournalCrashTest} in a child JVM that gets SIGKILLed: appends (and now and then
 * acks, as the uploader would) until killed. It prints each seq only after append() returned, and
 * each ack before calling ackThrough() and again after it returned. Lines end with " end" so that
 * the parent can ignore one cut short by the kill.
 */
public final class JournalCrashChild {
  private JournalCrashChild() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    Random random = new Random(Long.parseLong(args[1]));
    PrintStream out =
        new PrintStream(
            new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 256), true);
    try (Journal journal = Journal.open(dir, JournalCrashTest.CONFIG)) {
      out.println("open end");
      while (true) {
        long seq = journal.append(JournalFixtures::small);
        out.println("a " + seq + " end");
        if (random.nextInt(8) == 0) {
          long through = seq - random.nextInt(40);
          if (through > 0) {
            out.println("t " + through + " end");
            journal.ackThrough(through);
            out.println("k " + through + " end");
          }
        }
      }
    }
  }
}
