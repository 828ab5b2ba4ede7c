package io.hanzo.kms.scim.store.pg;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnection;
import io.vertx.pgclient.pubsub.PgSubscriber;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Keeps every server instance's organisation and token caches in step: each change to an
 * organisation or a token sends a PostgreSQL notification in its transaction, and every instance
 * listening here reloads that one record. A revoked token therefore stops working on the other
 * instances milliseconds after the revocation commits. After a lost connection everything is
 * reloaded, as notifications sent meanwhile are gone.
 *
 * <p>A listening connection that goes silent without closing (a network path dropped by a firewall
 * or NAT, a backend that no longer runs) would otherwise keep a revoked token working here for as
 * long as it lasted: the connection is asked a question every {@link #HEARTBEAT_MILLIS}, and one
 * that leaves two questions in a row unanswered for as long is replaced by a new one, which reloads
 * everything. (Two, so that a database merely slow for a moment does not set every instance
 * reloading at once.)
 */
public final class AdminChangeFeed {
    static final String CHANNEL = "kms_admin_changes";
    private static final Logger LOG = LoggerFactory.getLogger(AdminChangeFeed.class);
    static final long HEARTBEAT_MILLIS = 5_000;

    private final Vertx vertx;
    private final DatabaseTarget db;
    private final Consumer<UUID> onOrganization;
    private final BiConsumer<UUID, UUID> onToken;
    private final Supplier<Future<?>> onReconnect;
    private volatile PgSubscriber subscriber;
    /** A replacement could not connect: the next heartbeat tries again. */
    private volatile boolean replaceNext;
    /** Questions in a row the listening connection left unanswered. */
    private volatile int unanswered;
    private volatile boolean closed;
    private long heartbeat;

    private AdminChangeFeed(Vertx vertx, DatabaseTarget db, Consumer<UUID> onOrganization, BiConsumer<UUID, UUID> onToken,
                            Supplier<Future<?>> onReconnect) {
        this.vertx = vertx;
        this.db = db;
        this.onOrganization = onOrganization;
        this.onToken = onToken;
        this.onReconnect = onReconnect;
    }

    /**
     * @param onOrganization reloads one organisation (its settings and role mappings)
     * @param onToken        reloads one token (organisation id, token id)
     * @param onReconnect    reloads everything; retried until it succeeds, as the database may still
     *                       be coming back
     */
    public static Future<AdminChangeFeed> start(Vertx vertx, DatabaseTarget db, Consumer<UUID> onOrganization,
                                                BiConsumer<UUID, UUID> onToken, Supplier<Future<?>> onReconnect) {
        AdminChangeFeed feed = new AdminChangeFeed(vertx, db, onOrganization, onToken, onReconnect);
        return feed.listen(false).map(v -> {
            feed.heartbeat = vertx.setPeriodic(HEARTBEAT_MILLIS, id -> feed.checkListening());
            return feed;
        });
    }

    /**
     * Listens on a subscriber of its own, which reconnects by itself after a connection that closes and
     * then reloads everything, as notifications sent meanwhile are gone.
     *
     * @param replacing whether it replaces one that went silent: then everything is reloaded once it
     *                  listens, too
     */
    private Future<Void> listen(boolean replacing) {
        PgSubscriber listening = PgSubscriber.subscriber(vertx, db.connectOptions())
                .reconnectPolicy(attempt -> Math.min(5_000L, 100L * (attempt + 1)));
        boolean[] reloadOnSubscribe = {replacing};
        listening.channel(CHANNEL)
                .subscribeHandler(v -> {
                    if (reloadOnSubscribe[0]) {
                        LOG.info("Change feed reconnected; reloading organisations and tokens");
                        reloadUntilDone(listening, 1);
                    }
                    reloadOnSubscribe[0] = true;
                })
                .handler(this::dispatch);
        subscriber = listening;
        if (closed) {
            listening.close(); // closed meanwhile: close() may have closed the one before this
            return Future.succeededFuture();
        }
        // A connection accepted but never answered (a stalled server or pooler) must not leave this
        // instance deaf: the attempt is given up, and the next heartbeat starts another.
        return listening.connect().timeout(2 * HEARTBEAT_MILLIS, TimeUnit.MILLISECONDS)
                .onComplete(ar -> {
                    if (closed || ar.failed()) {
                        listening.close();
                    }
                });
    }

    /** The PostgreSQL backend of the listening connection, or -1 while there is none. */
    public int listeningProcessId() {
        PgConnection listening = subscriber.actualConnection();
        return listening == null ? -1 : listening.processId();
    }

    /**
     * Replaces the listening connection when it does not answer in time. Closing it is not enough: a
     * close waits for the other side, which a silent connection never gives.
     */
    private void checkListening() {
        PgSubscriber current = subscriber;
        if (closed) {
            return;
        }
        if (replaceNext) {
            replace(current);
            return;
        }
        PgConnection listening = current.actualConnection();
        if (listening == null) {
            return; // reconnecting by itself
        }
        listening.query(Sql.PING).execute().timeout(HEARTBEAT_MILLIS, TimeUnit.MILLISECONDS).onComplete(ar -> {
            if (ar.succeeded()) {
                unanswered = 0;
            } else if (!closed && subscriber == current && current.actualConnection() == listening && ++unanswered >= 2) {
                LOG.warn("The connection that hears organisation and token changes left {} questions in a row"
                        + " unanswered for {} ms; replacing it: {}", unanswered, HEARTBEAT_MILLIS, ar.cause().toString());
                replace(current);
            }
        });
    }

    private void replace(PgSubscriber silent) {
        replaceNext = false;
        unanswered = 0;
        listen(true).onFailure(e -> {
            LOG.warn("Listening for organisation and token changes failed; retrying: {}", e.toString());
            replaceNext = true;
        });
        silent.close();
    }

    private void reloadUntilDone(PgSubscriber listening, int attempt) {
        onReconnect.get().onFailure(e -> {
            if (listening.closed()) {
                return;
            }
            LOG.warn("Reloading organisations and tokens failed (attempt {}); retrying: {}", attempt, e.toString());
            vertx.setTimer(Math.min(5_000L, 250L * attempt), id -> reloadUntilDone(listening, attempt + 1));
        });
    }

    private void dispatch(String payload) {
        String[] parts = payload.split(":");
        try {
            if (parts.length == 2 && parts[0].equals("org")) {
                onOrganization.accept(UUID.fromString(parts[1]));
            } else if (parts.length == 3 && parts[0].equals("token")) {
                onToken.accept(UUID.fromString(parts[1]), UUID.fromString(parts[2]));
            }
        } catch (IllegalArgumentException e) {
            LOG.warn("Ignoring a change notification of unknown form");
        }
    }

    public Future<Void> close() {
        closed = true;
        vertx.cancelTimer(heartbeat);
        return subscriber.close();
    }

    static String organization(UUID orgId) {
        return "org:" + orgId;
    }

    static String token(UUID orgId, UUID tokenId) {
        return "token:" + orgId + ":" + tokenId;
    }

    /** Sends a notification with the client given, so that it belongs to the client's transaction. */
    static Future<Void> notify(SqlClient client, String payload) {
        return client.preparedQuery(Sql.NOTIFY_ADMIN_CHANGE).execute(Tuple.of(payload)).mapEmpty();
    }
}
