package io.hanzo.kms.scim.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.hanzo.kms.scim.protocol.Json;
import io.hanzo.kms.scim.protocol.ScimException;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.junit5.VertxExtension;
import io.vertx.pgclient.PgException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/** How a failure becomes an answer, through a real HTTP server and client. */
@ExtendWith(VertxExtension.class)
class FailureHandlerTest {
    @Test
    void aChangeThatKeptMeetingOthersIsA503WithRetryAfterNotAConflict(Vertx vertx) throws Exception {
        Router router = Router.router(vertx);
        router.route("/busy").handler(ctx -> ctx.fail(ScimException.busy("The user is being changed by other requests"
                + " at the same time; retry.")));
        router.route("/conflict").handler(ctx -> ctx.fail(new ScimException(409, "uniqueness", "taken")));
        router.route().failureHandler(new FailureHandler(new RefusalRecorder(null, 0, 1)));
        HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        // Held for the whole test: Vert.x closes a client nothing refers to any more.
        HttpClient client = vertx.createHttpClient();
        try {
            Answer busy = get(client, server.actualPort(), "/busy");
            assertThat(busy.status).isEqualTo(503);
            assertThat(busy.retryAfter).isEqualTo("1");
            assertThat(busy.body.path("status").asText()).isEqualTo("503");
            assertThat(busy.body.path("detail").asText()).contains("other requests");
            assertThat(busy.body.has("scimType")).isFalse();

            Answer conflict = get(client, server.actualPort(), "/conflict");
            assertThat(conflict.status).isEqualTo(409);
            assertThat(conflict.retryAfter).isNull();
            assertThat(conflict.body.path("scimType").asText()).isEqualTo("uniqueness");
        } finally {
            client.close();
            server.close();
        }
    }

    @Test
    void aTransactionRolledBackForADeadlockIsA503WithRetryAfterNotA500(Vertx vertx) throws Exception {
        Router router = Router.router(vertx);
        router.route("/deadlock").handler(ctx -> ctx.fail(new CompletionException(
                new PgException("deadlock detected", "ERROR", "40P01", "Process 1 waits for ShareLock"))));
        router.route("/serialization").handler(ctx -> ctx.fail(
                new PgException("could not serialize access", "ERROR", "40001", null)));
        router.route("/bug").handler(ctx -> ctx.fail(new PgException("syntax error", "ERROR", "42601", null)));
        router.route().failureHandler(new FailureHandler(new RefusalRecorder(null, 0, 1)));
        HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        HttpClient client = vertx.createHttpClient();
        try {
            for (String path : new String[]{"/deadlock", "/serialization"}) {
                Answer a = get(client, server.actualPort(), path);
                assertThat(a.status).as(path).isEqualTo(503);
                assertThat(a.retryAfter).as(path).isEqualTo("1");
                assertThat(a.body.path("detail").asText()).as(path).contains("retry");
                assertThat(a.body.has("scimType")).as(path).isFalse();
            }
            Answer bug = get(client, server.actualPort(), "/bug");
            assertThat(bug.status).isEqualTo(500);
            assertThat(bug.retryAfter).isNull();
        } finally {
            client.close();
            server.close();
        }
    }

    private record Answer(int status, String retryAfter, JsonNode body) {
    }

    private static Answer get(HttpClient client, int port, String path) throws Exception {
        return client.request(HttpMethod.GET, port, "127.0.0.1", path)
                .compose(req -> req.send())
                .compose(res -> res.body().map(b -> new Answer(res.statusCode(), res.getHeader("Retry-After"),
                        Json.parse(b.getBytes()))))
                .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
}
