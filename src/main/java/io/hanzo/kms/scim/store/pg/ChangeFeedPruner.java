package io.hanzo.kms.scim.store.pg;

import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Keeps the change feed small. Every transaction below a horizon a reader saw had ended when it saw
 * it, so rows below a horizon seen longer ago than the retention all committed before then and can go.
 * Every instance prunes; deleting twice is harmless. What was pruned is recorded per organisation, so
 * that a reader that was away longer reloads what it missed.
 */
final class ChangeFeedPruner {
    private static final Logger LOG = LoggerFactory.getLogger(ChangeFeedPruner.class);

    private final Pool pool;
    private final Duration retention;
    /** (when, horizon) pairs, oldest first; one per {@link #interval()} at most. Used on one context. */
    private final Deque<long[]> horizons = new ArrayDeque<>();

    ChangeFeedPruner(Pool pool, Duration retention) {
        this.pool = pool;
        this.retention = retention;
    }

    /** How often to prune, and how far apart the remembered horizons are. */
    long interval() {
        return Math.max(1_000L, retention.toMillis() / 10);
    }

    /** A horizon the reader has just read up to. */
    void saw(long horizon) {
        long now = System.nanoTime();
        if (horizons.isEmpty() || now - horizons.peekLast()[0] >= interval() * 1_000_000L) {
            horizons.addLast(new long[] {now, horizon});
        }
    }

    void prune() {
        long cutoff = System.nanoTime() - retention.toNanos();
        long below = -1;
        while (!horizons.isEmpty() && horizons.peekFirst()[0] <= cutoff) {
            below = horizons.pollFirst()[1];
        }
        if (below < 0) {
            return;
        }
        pool.preparedQuery(Sql.FEED_PRUNE).execute(Tuple.of(Long.toString(below)))
                .onFailure(e -> LOG.warn("Change feed prune failed; will retry: {}", e.getMessage()));
    }
}
