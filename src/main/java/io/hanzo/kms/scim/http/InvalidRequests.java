package io.hanzo.kms.scim.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hanzo.kms.scim.protocol.Json;
import io.hanzo.kms.scim.protocol.ScimUris;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.http.HttpServerRequest;

/**
 * Answers requests the HTTP decoder could not read (a request line or headers too long, a malformed
 * request) with an RFC 7644 error document instead of an empty body, so that a client gets the same
 * error shape for every refusal. Vert.x closes the connection after the answer.
 */
final class InvalidRequests {
    private InvalidRequests() {
    }

    static void answer(HttpServerRequest request) {
        DecoderResult result = request.decoderResult();
        Throwable cause = result == null ? null : result.cause();
        int status;
        String detail;
        if (cause instanceof TooLongHttpLineException) {
            status = 414;
            detail = "The request line (method, path and query) is too long.";
        } else if (cause instanceof TooLongHttpHeaderException) {
            status = 431;
            detail = "The request headers are too large.";
        } else if (cause instanceof CheckedRequestDecoder.Refused refused) {
            status = 400;
            detail = refused.getMessage();
        } else {
            status = 400;
            detail = "The request is not valid HTTP.";
        }
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.putArray("schemas").add(ScimUris.ERROR);
        body.put("status", Integer.toString(status));
        body.put("detail", detail);
        request.response().setStatusCode(status)
                .putHeader("Content-Type", ScimResponses.SCIM_JSON)
                .putHeader("Connection", "close")
                .end(io.vertx.core.buffer.Buffer.buffer(Json.bytes(body)));
    }
}
