package io.hanzo.kms.scim.ops;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * What the HTTP layer needs to know about the server's life: whether it is draining for shut-down
 * or its index has stopped following the database (readiness then answers 503), and where to record
 * metrics ({@code null} when metrics are off).
 */
public final class Operations {
    private final AtomicBoolean draining = new AtomicBoolean();
    private final ServerMetrics metrics;
    private volatile LongSupplier feedSilence = () -> 0;
    private volatile long feedSilenceLimit = Long.MAX_VALUE;

    public Operations(ServerMetrics metrics) {
        this.metrics = metrics;
    }

    public boolean draining() {
        return draining.get();
    }

    /** Returns false when shut-down had already begun. */
    public boolean startDraining() {
        return draining.compareAndSet(false, true);
    }

    /**
     * @param millisSinceLastRound how long ago the change feed last completed a round
     * @param pollMillis           how often it reads when nothing wakes it
     * @param silenceLimitMillis   longer than this without a completed round (or three poll intervals,
     *                             when longer), the index no longer follows the database
     */
    public void followFeed(LongSupplier millisSinceLastRound, long pollMillis, long silenceLimitMillis) {
        feedSilenceLimit = Math.max(silenceLimitMillis, 3 * pollMillis);
        feedSilence = millisSinceLastRound;
    }

    /**
     * Milliseconds since the change feed last read the database, when that is longer than the limit
     * given to {@link #followFeed} (its connection gone silent, say): this instance's filters no
     * longer see what the others write, and it should get no traffic. 0 otherwise.
     */
    public long feedSilentFor() {
        long silent = feedSilence.getAsLong();
        return silent > feedSilenceLimit ? silent : 0;
    }

    public ServerMetrics metrics() {
        return metrics;
    }
}
