package io.hanzo.kms.scim.http;

import io.hanzo.kms.scim.ops.Operations;
import io.hanzo.kms.scim.protocol.Json;
import io.hanzo.kms.scim.store.DatabaseUnavailable;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;

import java.util.concurrent.TimeUnit;

/**
 * Liveness answers while the process serves HTTP; readiness also needs the database to answer within
 * {@link #ANSWER_WITHIN_MILLIS} and the change feed to be following it. The index is loaded before the
 * port opens, so a server that answers at all has it.
 */
final class HealthHandler {
    static final long ANSWER_WITHIN_MILLIS = 3_000;

    private final Pool pool;
    private final Operations ops;

    HealthHandler(Pool pool, Operations ops) {
        this.pool = pool;
        this.ops = ops;
    }

    void live(RoutingContext ctx) {
        ScimResponses.sendPlainJson(ctx, 200, Json.MAPPER.createObjectNode().put("status", "UP"));
    }

    void ready(RoutingContext ctx) {
        // Shutting down: the load balancer should send nothing new while the requests in flight finish.
        if (ops.draining()) {
            ScimResponses.sendPlainJson(ctx, 503, Json.MAPPER.createObjectNode().put("status", "DOWN")
                    .put("detail", "The server is shutting down."));
            return;
        }
        // Bounded: a database that hangs rather than refusing would keep a probe waiting for the pool's
        // wait timeout, longer than load balancers and orchestrators wait.
        pool.query("SELECT 1").execute().timeout(ANSWER_WITHIN_MILLIS, TimeUnit.MILLISECONDS)
                .onSuccess(rs -> {
                    long feedSilent = ops.feedSilentFor();
                    if (feedSilent > 0) {
                        // The database answers, but this index has stopped taking in other instances' writes.
                        ScimResponses.sendPlainJson(ctx, 503, Json.MAPPER.createObjectNode().put("status", "DOWN")
                                .put("database", "UP").put("index", "BEHIND")
                                .put("detail", "The change feed has not read the database for " + feedSilent / 1000 + " s."));
                        return;
                    }
                    ScimResponses.sendPlainJson(ctx, 200,
                            Json.MAPPER.createObjectNode().put("status", "UP").put("database", "UP").put("index", "LOADED"));
                })
                .onFailure(e -> {
                    ctx.response().putHeader("Retry-After", Integer.toString(DatabaseUnavailable.RETRY_AFTER_SECONDS));
                    ScimResponses.sendPlainJson(ctx, 503,
                            Json.MAPPER.createObjectNode().put("status", "DOWN").put("database", "DOWN")
                                    .put("detail", "The database does not answer."));
                });
    }
}
