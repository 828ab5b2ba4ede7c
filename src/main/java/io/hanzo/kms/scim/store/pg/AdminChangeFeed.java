package io.hanzo.kms.scim.store.pg;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.pubsub.PgSubscriber;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.UUID;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Keeps every server instance's organisation and token caches in step: each change to an
 * organisation or a token sends a PostgreSQL notification in its transaction, and every instance
 * listening here reloads that one record. A revoked token therefore stops working on all instances
 * as soon as the revocation commits. After a lost connection everything is reloaded, as
 * notifications sent meanwhile are gone.
 */
public final class AdminChangeFeed {
    static final String CHANNEL = "kms_admin_changes";
    private static final Logger LOG = LoggerFactory.getLogger(AdminChangeFeed.class);

    private final PgSubscriber subscriber;

    private AdminChangeFeed(PgSubscriber subscriber) {
        this.subscriber = subscriber;
    }

    /**
     * @param onOrganization reloads one organisation (its settings and role mappings)
     * @param onToken        reloads one token (organisation id, token id)
     * @param onReconnect    reloads everything; retried until it succeeds, as the database may still
     *                       be coming back
     */
    public static Future<AdminChangeFeed> start(Vertx vertx, DatabaseTarget db, Consumer<UUID> onOrganization,
                                                BiConsumer<UUID, UUID> onToken, Supplier<Future<?>> onReconnect) {
        PgSubscriber subscriber = PgSubscriber.subscriber(vertx, db.connectOptions())
                .reconnectPolicy(attempt -> Math.min(5_000L, 100L * (attempt + 1)));
        boolean[] subscribedOnce = {false};
        subscriber.channel(CHANNEL)
                .subscribeHandler(v -> {
                    if (subscribedOnce[0]) {
                        LOG.info("Change feed reconnected; reloading organisations and tokens");
                        reloadUntilDone(vertx, subscriber, onReconnect, 1);
                    }
                    subscribedOnce[0] = true;
                })
                .handler(payload -> dispatch(payload, onOrganization, onToken));
        return subscriber.connect().map(v -> new AdminChangeFeed(subscriber));
    }

    private static void reloadUntilDone(Vertx vertx, PgSubscriber subscriber, Supplier<Future<?>> reload, int attempt) {
        reload.get().onFailure(e -> {
            if (subscriber.closed()) {
                return;
            }
            LOG.warn("Reloading organisations and tokens failed (attempt {}); retrying: {}", attempt, e.toString());
            vertx.setTimer(Math.min(5_000L, 250L * attempt), id -> reloadUntilDone(vertx, subscriber, reload, attempt + 1));
        });
    }

    private static void dispatch(String payload, Consumer<UUID> onOrganization, BiConsumer<UUID, UUID> onToken) {
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
