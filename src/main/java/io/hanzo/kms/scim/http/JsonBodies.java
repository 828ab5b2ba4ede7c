package io.hanzo.kms.scim.http;

import io.hanzo.kms.scim.protocol.tolerance.IdpTolerance;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

import java.util.Locale;

/**
 * Every body this server reads is JSON, whatever its Content-Type says. A client that labels JSON as a
 * form ({@code curl -d} does by default) would otherwise have it decoded as form fields before any
 * handler sees it, and a long value fails that decoding. So a form media type is taken off the request
 * before the body is read; {@link RequestContext} still sees what the client sent.
 */
final class JsonBodies {
    /** Where the Content-Type the client sent is kept when it was taken off the request. */
    static final String SENT_CONTENT_TYPE = "kms.sentContentType";

    private JsonBodies() {
    }

    static void handle(RoutingContext ctx) {
        String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
        if (type != null && IdpTolerance.ANY_JSON_REQUEST_MEDIA_TYPE.accepted() && isForm(type)) {
            ctx.put(SENT_CONTENT_TYPE, type);
            ctx.request().headers().remove(HttpHeaders.CONTENT_TYPE);
        }
        ctx.next();
    }

    /** The Content-Type the client sent, including one taken off as a form type. */
    static String sentContentType(RoutingContext ctx) {
        String kept = ctx.get(SENT_CONTENT_TYPE);
        return kept != null ? kept : ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
    }

    private static boolean isForm(String type) {
        String t = type.trim().toLowerCase(Locale.ROOT);
        return t.startsWith("application/x-www-form-urlencoded") || t.startsWith("multipart/");
    }
}
