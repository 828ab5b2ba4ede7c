package io.hanzo.kms.scim.http;

import io.hanzo.kms.scim.admin.AdminAuth;
import io.hanzo.kms.scim.protocol.ScimException;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/** Lets through only requests bearing the admin token. */
final class AdminAuthHandler implements Handler<RoutingContext> {
    private final AdminAuth auth;

    AdminAuthHandler(AdminAuth auth) {
        this.auth = auth;
    }

    @Override
    public void handle(RoutingContext ctx) {
        String header = ctx.request().getHeader("Authorization");
        if (header == null || header.length() < 7 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw ScimException.unauthorized("Authentication required: send 'Authorization: Bearer <admin token>'.");
        }
        if (!auth.accepts(header.substring(7).trim())) {
            throw ScimException.unauthorized("The admin token is not valid.");
        }
        ctx.next();
    }
}
