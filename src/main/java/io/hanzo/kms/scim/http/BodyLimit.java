package io.hanzo.kms.scim.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

import java.util.function.ToIntFunction;

/**
 * Refuses a body announced larger than the route accepts from its {@code Content-Length} alone, before
 * a byte of it is read: 413, and the connection is closed rather than drained (see
 * {@link ScimResponses}); recorded as a refusal as the same body sent in chunks is. A chunked body
 * without a length is still cut off by the body handler's limit as it arrives.
 */
final class BodyLimit implements Handler<RoutingContext> {
    private final RefusalRecorder refusals;
    private final ToIntFunction<String> limitForPath;

    BodyLimit(RefusalRecorder refusals, ToIntFunction<String> limitForPath) {
        this.refusals = refusals;
        this.limitForPath = limitForPath;
    }

    @Override
    public void handle(RoutingContext ctx) {
        long announced = announcedLength(ctx.request());
        if (announced > limitForPath.applyAsInt(ctx.request().path())) {
            refusals.refused(ctx, 413, FailureHandler.describe(413));
            ScimResponses.sendError(ctx, 413, null, FailureHandler.describe(413));
            return;
        }
        ctx.next();
    }

    /** The Content-Length, or -1 when there is none (or it does not parse: the HTTP codec refuses those). */
    static long announcedLength(HttpServerRequest request) {
        String value = request.getHeader("Content-Length");
        if (value == null) {
            return -1;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
