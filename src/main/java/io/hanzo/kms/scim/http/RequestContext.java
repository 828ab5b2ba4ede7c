package io.hanzo.kms.scim.http;

import io.hanzo.kms.scim.protocol.Json;
import io.hanzo.kms.scim.protocol.ScimException;
import io.hanzo.kms.scim.protocol.resource.Precondition;
import io.hanzo.kms.scim.protocol.tolerance.IdpTolerance;
import io.hanzo.kms.scim.store.Audit;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Locale;
import java.util.UUID;

/** What handlers read from a request once the auth handler has run. */
final class RequestContext {
    static final String ORG_ID = "kms.orgId";
    static final String BODY_LIMIT = "kms.bodyLimit";
    static final String TOKEN_ID = "kms.tokenId";
    static final String SENT_METHOD = "kms.sentMethod";

    private RequestContext() {
    }

    static UUID orgId(RoutingContext ctx) {
        return ctx.get(ORG_ID);
    }

    static UUID tokenId(RoutingContext ctx) {
        return ctx.get(TOKEN_ID);
    }

    /** The method the client sent: a HEAD request is routed as GET, and is still a HEAD in logs and events. */
    static String sentMethod(RoutingContext ctx) {
        String sent = ctx.get(SENT_METHOD);
        return sent != null ? sent : ctx.request().method().name();
    }

    /**
     * The conditions a change of one resource was sent with; both headers, as RFC 9110 §13.1 has a
     * server evaluate them on a write, If-None-Match too.
     */
    static Precondition precondition(RoutingContext ctx) {
        return new Precondition(ctx.request().getHeader("If-Match"), ctx.request().getHeader("If-None-Match"));
    }

    /** The request as a provisioning event names it: method and resource type, such as {@code PATCH /Groups}. */
    static Audit audit(RoutingContext ctx, String resourceType) {
        return new Audit(tokenId(ctx), ctx.request().method().name() + " /" + resourceType);
    }

    static JsonNode jsonBody(RoutingContext ctx) {
        Integer limit = ctx.get(BODY_LIMIT);
        return jsonBody(ctx, limit == null ? Integer.MAX_VALUE : limit);
    }

    /** The body as JSON; larger than {@code limit} bytes is a 413, malformed a 400. */
    static JsonNode jsonBody(RoutingContext ctx, int limit) {
        if (!IdpTolerance.ANY_JSON_REQUEST_MEDIA_TYPE.accepted() && !isScimJson(JsonBodies.sentContentType(ctx))) {
            throw new ScimException(415, null, "The request body must be sent as " + ScimResponses.SCIM_JSON + ".");
        }
        Buffer b = ctx.body() == null ? null : ctx.body().buffer();
        if (b != null && b.length() > limit) {
            throw new ScimException(413, null, "The request body is larger than " + limit + " bytes.");
        }
        return Json.parse(b == null ? null : b.getBytes());
    }

    private static boolean isScimJson(String contentType) {
        return contentType != null && contentType.trim().toLowerCase(Locale.ROOT).startsWith(ScimResponses.SCIM_JSON);
    }
}
