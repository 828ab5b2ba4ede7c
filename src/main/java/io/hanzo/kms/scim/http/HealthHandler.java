package io.hanzo.kms.scim.http;

import io.hanzo.kms.scim.ops.Operations;
import io.hanzo.kms.scim.protocol.Json;
import io.hanzo.kms.scim.store.DatabaseUnavailable;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;

/**
 * Liveness answers while the process serves HTTP; readiness also needs the database to answer. The
 * index is loaded before the port opens, so a server that answers at all has it.
 */
final class HealthHandler {
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
        pool.query("SELECT 1").execute()
                .onSuccess(rs -> ScimResponses.sendPlainJson(ctx, 200,
                        Json.MAPPER.createObjectNode().put("status", "UP").put("database", "UP").put("index", "LOADED")))
                .onFailure(e -> {
                    ctx.response().putHeader("Retry-After", Integer.toString(DatabaseUnavailable.RETRY_AFTER_SECONDS));
                    ScimResponses.sendPlainJson(ctx, 503,
                            Json.MAPPER.createObjectNode().put("status", "DOWN").put("database", "DOWN")
                                    .put("detail", "The database does not answer."));
                });
    }
}
