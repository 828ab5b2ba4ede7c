package io.hanzo.kms.scim.store.pg;

import static io.hanzo.kms.scim.store.pg.Rows.instant;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hanzo.kms.scim.concurrent.OneAfterAnother;
import io.hanzo.kms.scim.protocol.Json;
import io.hanzo.kms.scim.store.ResourceChange;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.pgclient.pubsub.PgSubscriber;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Follows the {@code resource_changes} table, so that every instance's index sees every commit.
 *
 * <p>The reader's position is a transaction id and a row number. Each round reads, in one snapshot,
 * the horizon below which every transaction has ended and the rows from the position up to it; rows
 * below a horizon can no longer appear, so moving the position to the horizon skips nothing and
 * nothing is read twice. Rounds run every {@code pollMillis} and whenever a notification says that
 * an instance committed something; notifications only wake the reader, the table is the data.
 *
 * <p>Rows older than the retention are pruned. A reader that was away longer than that (paused, cut
 * off from the database) finds, in the per-organisation record of what was pruned, the organisations
 * whose rows it may have missed, and has them reloaded.
 */
public final class ResourceChangeFeed {
    static final String CHANNEL = "kms_resource_changes";
    private static final Logger LOG = LoggerFactory.getLogger(ResourceChangeFeed.class);
    private static final int BATCH = 1000;

    /** Where the changes go: reloads first, then the round's changes in order. */
    public interface Sink {
        Future<Void> apply(List<ResourceChange> changes);

        Future<Void> reload(Set<UUID> orgIds);

        /**
         * True when applying this version of the user would change nothing: the index holds it or a
         * newer one already, or saw the user deleted. Such rows (this instance's own writes, mostly)
         * are passed over without parsing their attributes.
         */
        default boolean holdsUser(UUID orgId, UUID userId, long version) {
            return false;
        }

        /**
         * As {@link #holdsUser} for a group write: true when the index holds that version of the group
         * or a newer one, or saw it deleted, so that applying the row would change nothing. Such rows
         * (this instance's own membership batches, mostly) are passed over without parsing them.
         */
        default boolean holdsGroup(UUID orgId, UUID groupId, long version) {
            return false;
        }
    }

    /**
     * The feed's own connections: one for its rounds, which never overlap, and one so that a prune
     * or a wake-up signal does not wait for a round (or a round for them).
     */
    static final int CONNECTIONS = 2;

    private final Vertx vertx;
    private final Context context;
    /** The feed's own pool of {@link #CONNECTIONS}, closed with it. */
    private final Pool pool;
    private final Sink sink;
    private final PgSubscriber subscriber;
    /** What was pruned per organisation when this reader last looked (transaction id). */
    private final Map<UUID, Long> prunedSeen = new HashMap<>();
    private final ChangeFeedPruner pruner;
    private final ChangeSignal signal;
    private final List<Long> timers = new ArrayList<>();

    // Touched only on the feed's context.
    private long positionXid;
    private long positionSeq;
    private boolean running;
    private boolean again;
    private boolean paused;
    private boolean failing;
    /** Pauses waiting for the round under way to end. */
    private final List<Promise<Void>> pausing = new ArrayList<>();

    private final AtomicLong applied = new AtomicLong();
    private final AtomicLong reloads = new AtomicLong();
    private volatile boolean closed;
    private volatile long lastLagMillis;
    private volatile long lastRoundNanos = System.nanoTime();

    private ResourceChangeFeed(Vertx vertx, Pool pool, PgSubscriber subscriber, Sink sink, Duration retention) {
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext();
        this.pool = pool;
        this.subscriber = subscriber;
        this.sink = sink;
        this.pruner = new ChangeFeedPruner(pool, retention);
        this.signal = new ChangeSignal(vertx, pool);
    }

    /**
     * Takes the position to follow from: call before the index is loaded, so that every change the
     * load may miss is read after it. Rounds begin with {@link #follow}.
     *
     * <p>The feed reads, prunes and signals over connections of its own ({@link #CONNECTIONS}), not
     * the requests' pool: when requests hold every pooled connection (a write storm, slow statements)
     * a round queued behind them would leave this instance's index behind what others committed,
     * for as long as they hold them. They give up on a wait or a connection attempt after the same
     * times as the requests' pool ({@code database.wait-timeout-seconds},
     * {@code database.connect-timeout-seconds}), so that a round fails and is retried as before.
     */
    public static Future<ResourceChangeFeed> open(Vertx vertx, DatabaseTarget db, Sink sink, Duration retention,
                                                  int waitTimeoutSeconds, int connectTimeoutSeconds) {
        Pool pool = DatabaseSetup.pool(vertx, db, CONNECTIONS, new PoolOptions().getMaxWaitQueueSize(),
                waitTimeoutSeconds, connectTimeoutSeconds);
        PgSubscriber subscriber = PgSubscriber.subscriber(vertx, db.connectOptions())
                .reconnectPolicy(attempt -> Math.min(5_000L, 100L * (attempt + 1)));
        ResourceChangeFeed feed = new ResourceChangeFeed(vertx, pool, subscriber, sink, retention);
        return pool.query(Sql.FEED_HORIZON).execute()
                .compose(rs -> {
                    feed.positionXid = Long.parseLong(rs.iterator().next().getString(0));
                    return pool.preparedQuery(Sql.FEED_PRUNED).execute(Tuple.of(0L));
                })
                .map(rs -> {
                    for (Row r : rs) {
                        feed.prunedSeen.put(r.getUUID(0), r.getLong(1));
                    }
                    return feed;
                })
                .recover(e -> pool.close().transform(x -> Future.failedFuture(e)));
    }

    /**
     * Catches up with everything committed so far, then keeps following: every {@code pollMillis},
     * on every notification, and after a reconnection. Prunes what is older than the retention.
     */
    public Future<Void> follow(long pollMillis) {
        return catchUp().compose(v -> {
            timers.add(vertx.setPeriodic(pollMillis, id -> wake()));
            timers.add(vertx.setPeriodic(pruner.interval(), id -> context.runOnContext(x -> pruner.prune())));
            subscriber.channel(CHANNEL)
                    .subscribeHandler(x -> wake())
                    .handler(payload -> wake());
            return subscriber.connect().recover(e -> {
                // Polling still follows; notifications come back when the subscriber reconnects.
                LOG.warn("Change feed notifications unavailable, polling only: {}", e.getMessage());
                return Future.succeededFuture();
            });
        });
    }

    /** Rounds until the reader has passed everything committed when it was called (before following). */
    private Future<Void> catchUp() {
        return OneAfterAnother.repeat(() -> {
            Promise<Boolean> full = Promise.promise();
            context.runOnContext(v -> round().onComplete(full));
            return full.future();
        });
    }

    /** Asks for a round soon; rounds never overlap, and one asked for during a round follows it. */
    public void wake() {
        context.runOnContext(v -> {
            if (running) {
                again = true;
            } else if (!paused && !closed) {
                runRounds();
            }
        });
    }

    private void runRounds() {
        running = true;
        again = false;
        round().onComplete(ar -> {
            running = false;
            pausing.forEach(Promise::complete);
            pausing.clear();
            if (ar.failed() && !closed) {
                // Once per outage, not once per poll.
                if (!failing) {
                    LOG.warn("Change feed round failed; retrying every poll: {}", ar.cause().toString());
                }
                failing = true;
                return;
            }
            if (failing && ar.succeeded()) {
                LOG.info("Change feed reads again");
                failing = false;
            }
            if (ar.succeeded() && (ar.result() || again) && !paused && !closed) {
                runRounds();
            }
        });
    }

    /** One read and its application; true when the batch was full and more may be waiting. */
    private Future<Boolean> round() {
        long fromXid = positionXid;
        long fromSeq = positionSeq;
        return pool.preparedQuery(Sql.FEED_READ).execute(Tuple.of(Long.toString(fromXid), fromSeq, BATCH))
                .compose(rs -> pool.preparedQuery(Sql.FEED_PRUNED).execute(Tuple.of(fromXid)).compose(pruned -> {
                    // Read after the rows: a prune that deleted rows this read did not see shows here.
                    Set<UUID> reload = new LinkedHashSet<>();
                    Map<UUID, Long> seen = new HashMap<>();
                    for (Row r : pruned) {
                        UUID org = r.getUUID(0);
                        long maxXid = r.getLong(1);
                        Long before = prunedSeen.get(org);
                        if ((before == null || maxXid > before) && maxXid >= fromXid) {
                            reload.add(org);
                        }
                        seen.put(org, maxXid);
                    }
                    List<ResourceChange> changes = new ArrayList<>(rs.size());
                    long horizon = -1;
                    long lastXid = -1;
                    long lastSeq = 0;
                    int rows = 0;
                    Instant lastAt = null;
                    for (Row r : rs) {
                        horizon = Long.parseLong(r.getString(0));
                        if (r.getString(1) != null) {
                            lastXid = Long.parseLong(r.getString(1));
                            lastSeq = r.getLong(2);
                            rows++;
                            lastAt = instant(r.getOffsetDateTime(12));
                            if (!held(r)) {
                                changes.add(change(r));
                            }
                        }
                    }
                    boolean full = rows == BATCH;
                    long nextXid = full ? lastXid : horizon;
                    long nextSeq = full ? lastSeq : 0;
                    long h = horizon;
                    int read = rows;
                    Instant readAt = lastAt;
                    Future<Void> reloaded = reload.isEmpty() ? Future.succeededFuture() : reload(reload);
                    return reloaded.compose(v -> sink.apply(changes)).map(v -> {
                        prunedSeen.putAll(seen);
                        if (nextXid > positionXid || (nextXid == positionXid && nextSeq > positionSeq)) {
                            positionXid = nextXid;
                            positionSeq = nextSeq;
                        }
                        // What was pruned below the position decides nothing any more: any later prune of
                        // the organisation that reaches the position has it reloaded, remembered or not.
                        // So an erased organisation's entry goes too, once the position has passed it.
                        prunedSeen.values().removeIf(x -> x < positionXid);
                        finished(read, readAt, h);
                        return full;
                    });
                }));
    }

    private Future<Void> reload(Set<UUID> orgs) {
        LOG.warn("Change feed: this instance fell further behind than the feed keeps; reloading {} organisation(s)",
                orgs.size());
        return sink.reload(orgs).onSuccess(v -> reloads.addAndGet(orgs.size()));
    }

    private void finished(int rows, Instant lastAt, long horizon) {
        lastRoundNanos = System.nanoTime();
        if (rows > 0) {
            applied.addAndGet(rows);
            lastLagMillis = Math.max(0, Instant.now().toEpochMilli() - lastAt.toEpochMilli());
        }
        pruner.saw(horizon);
    }

    /** A user or group row the sink already holds (or newer): nothing to parse or apply. */
    private boolean held(Row r) {
        String kind = r.getString(4);
        if (ResourceChange.Kind.USER.wireName().equals(kind)) {
            return sink.holdsUser(r.getUUID(3), r.getUUID(5), r.getLong(6));
        }
        return ResourceChange.Kind.GROUP.wireName().equals(kind) && sink.holdsGroup(r.getUUID(3), r.getUUID(5), r.getLong(6));
    }

    /** Drops what the reader remembers of an erased organisation. */
    public void forget(UUID orgId) {
        context.runOnContext(v -> prunedSeen.remove(orgId));
    }

    /** Tells every instance's reader, this one's included, that something was committed. */
    public void signal() {
        if (!closed) {
            signal.send();
        }
    }

    /**
     * Stops reading until {@link #resume}; the position is kept. Completes once no round is under
     * way, from when nothing more is read or applied; for a feed that follows, not during the
     * catch-up that {@code follow} begins with, which does not look at the pause.
     */
    public Future<Void> pause() {
        Promise<Void> done = Promise.promise();
        context.runOnContext(v -> {
            paused = true;
            if (running) {
                pausing.add(done);
            } else {
                done.complete();
            }
        });
        return done.future();
    }

    public void resume() {
        context.runOnContext(v -> {
            paused = false;
            wake();
        });
    }

    /** Changes this instance has applied from the feed. */
    public long appliedChanges() {
        return applied.get();
    }

    /** Organisations reloaded because the feed had pruned changes this instance had not read. */
    public long reloadedOrganizations() {
        return reloads.get();
    }

    /** From the write of the most recently applied change to its application here, in milliseconds. */
    public long lagMillis() {
        return lastLagMillis;
    }

    /** Since the last completed round; grows when the reader cannot reach the database. */
    public long millisSinceLastRound() {
        return (System.nanoTime() - lastRoundNanos) / 1_000_000L;
    }

    public Future<Void> close() {
        closed = true;
        timers.forEach(vertx::cancelTimer);
        return subscriber.close().transform(x -> pool.close());
    }

    private static ResourceChange change(Row r) {
        String attributes = r.getString(7);
        ObjectNode parsed = attributes == null ? null
                : (ObjectNode) Json.parse(attributes.getBytes(StandardCharsets.UTF_8));
        return new ResourceChange(r.getUUID(3), ResourceChange.Kind.fromWireName(r.getString(4)), r.getUUID(5),
                r.getLong(6), parsed, instant(r.getOffsetDateTime(8)), instant(r.getOffsetDateTime(9)),
                uuids(r.getArrayOfUUIDs(10)), uuids(r.getArrayOfUUIDs(11)), instant(r.getOffsetDateTime(12)));
    }

    private static Set<UUID> uuids(UUID[] ids) {
        if (ids == null) {
            return Set.of();
        }
        Set<UUID> out = new HashSet<>(ids.length * 2);
        for (UUID u : ids) {
            out.add(u);
        }
        return out;
    }
}
