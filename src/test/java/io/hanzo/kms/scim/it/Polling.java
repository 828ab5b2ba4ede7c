package io.hanzo.kms.scim.it;

import java.time.Duration;

/** Repeats a check until it passes or a deadline is reached, for what holds "within the lag". */
final class Polling {
    private static final long PAUSE_MILLIS = 20;

    private Polling() {
    }

    /** Runs the check until it passes; past the deadline, its last failure is the test's. */
    static void until(Duration deadline, Runnable check) {
        long end = System.nanoTime() + deadline.toNanos();
        while (true) {
            try {
                check.run();
                return;
            } catch (AssertionError e) {
                if (System.nanoTime() > end) {
                    throw e;
                }
            }
            try {
                Thread.sleep(PAUSE_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("Interrupted while waiting", e);
            }
        }
    }
}
