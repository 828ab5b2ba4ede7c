package io.hanzo.kms.scim.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;

import java.util.Iterator;

/**
 * Writes a response from chunks produced on demand, pausing while the connection's write queue is
 * full. A 100,000-member group is sent this way without ever being one object in memory.
 */
final class ChunkPump {
    private ChunkPump() {
    }

    static void start(HttpServerResponse response, int status, String contentType, Iterator<Buffer> chunks) {
        response.setStatusCode(status).setChunked(true).putHeader("Content-Type", contentType);
        pump(response, chunks);
    }

    private static void pump(HttpServerResponse response, Iterator<Buffer> chunks) {
        while (chunks.hasNext()) {
            if (response.closed()) {
                return;
            }
            if (response.writeQueueFull()) {
                response.drainHandler(v -> pump(response, chunks));
                return;
            }
            response.write(chunks.next());
        }
        response.end();
    }
}
