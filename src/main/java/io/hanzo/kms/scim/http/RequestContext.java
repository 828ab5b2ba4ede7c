package io.hanzo.kms.scim.http;

import io.hanzo.kms.scim.protocol.Json;
import io.hanzo.kms.scim.protocol.ScimException;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.UUID;

/** What handlers read from a request once the auth handler has run. */
final class RequestContext {
    static final String ORG_ID = "kms.orgId";

    private RequestContext() {
    }

    static UUID orgId(RoutingContext ctx) {
        return ctx.get(ORG_ID);
    }

    static JsonNode jsonBody(RoutingContext ctx) {
        Buffer b = ctx.body() == null ? null : ctx.body().buffer();
        return Json.parse(b == null ? null : b.getBytes());
    }

    /** An optional integer query parameter; anything that is not a whole number is a 400. */
    static Integer intParam(RoutingContext ctx, String name) {
        String s = ctx.queryParams().get(name);
        if (s == null || s.isBlank()) {
            return null;
        }
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            try {
                // Beyond the int range the intent is still clear: as many as possible.
                return new java.math.BigInteger(s.trim()).signum() > 0 ? Integer.MAX_VALUE : Integer.MIN_VALUE;
            } catch (NumberFormatException e2) {
                throw ScimException.invalidValue("Query parameter '" + name + "' must be a whole number, not '" + s + "'.");
            }
        }
    }
}
