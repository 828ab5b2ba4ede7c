package io.hanzo.kms.scim.store.pg;

import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Wakes every instance's change-feed reader after a commit. Sent after the commit rather than in the
 * writing transaction, as a NOTIFY in every write would serialise commits on the notification queue.
 * Coalesced: at most one notification per {@link #GAP_MILLIS}, and signals meanwhile make one more,
 * so that a burst of writes costs the readers a few rounds, not one each.
 */
final class ChangeSignal {
    private static final long GAP_MILLIS = 10;

    private final Vertx vertx;
    private final Pool pool;
    private final AtomicBoolean sending = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();

    ChangeSignal(Vertx vertx, Pool pool) {
        this.vertx = vertx;
        this.pool = pool;
    }

    void send() {
        if (!sending.compareAndSet(false, true)) {
            again.set(true);
            return;
        }
        pool.query(Sql.FEED_WAKE).execute().onComplete(ar -> vertx.setTimer(GAP_MILLIS, id -> {
            sending.set(false);
            if (again.getAndSet(false)) {
                send();
            }
        }));
    }
}
