package org.enlace.server.speedtest;

/**
 * Where speedTest.maxConcurrentTests is counted beyond this process: with several replicas, in
 * their shared database ({@link DatabaseNdt7Slots}). The process's own semaphore is taken first.
 */
public interface Ndt7Slots {
  /** Counted by the process alone (one server, or tests of the ndt7 server by itself). */
  Ndt7Slots LOCAL =
      new Ndt7Slots() {
        @Override
        public boolean tryAcquire() {
          return true;
        }

        @Override
        public void release() {}
      };

  /** One slot of the cap, or false when every one is taken (or cannot be counted now). */
  boolean tryAcquire();

  /** Frees one slot this process took; slots are interchangeable. */
  void release();
}
