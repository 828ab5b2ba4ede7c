package io.hanzo.kms.scim.http;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;

import java.util.HashMap;
import java.util.Map;

/**
 * Closes a connection whose first request's headers are not complete within the deadline. The idle
 * timeout alone lets a client hold a connection open for ever by sending a byte of header now and
 * then; this bounds the time from connecting to a request. Later requests on a kept-alive connection
 * are bounded by the idle timeout. One per HTTP verticle: everything here runs on its event loop.
 */
final class HeaderDeadline {
    private final Vertx vertx;
    private final long millis;
    private final Map<HttpConnection, Long> waiting = new HashMap<>();

    HeaderDeadline(Vertx vertx, long millis) {
        this.vertx = vertx;
        this.millis = millis;
    }

    /** For {@code HttpServer.connectionHandler}: starts the clock. */
    void connected(HttpConnection conn) {
        long timer = vertx.setTimer(millis, id -> {
            if (waiting.remove(conn) != null) {
                conn.close();
            }
        });
        // No close handler to clean up: the timer always fires within the deadline and drops the entry.
        waiting.put(conn, timer);
    }

    /** Wraps the request handler: a request whose headers arrived stops its connection's clock. */
    Handler<HttpServerRequest> then(Handler<HttpServerRequest> handler) {
        return req -> {
            stop(req.connection());
            handler.handle(req);
        };
    }

    private void stop(HttpConnection conn) {
        Long timer = waiting.remove(conn);
        if (timer != null) {
            vertx.cancelTimer(timer);
        }
    }
}
