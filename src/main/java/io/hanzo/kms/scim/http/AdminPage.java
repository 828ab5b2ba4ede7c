package io.hanzo.kms.scim.http;

import io.hanzo.kms.scim.protocol.ScimException;
import io.hanzo.kms.scim.store.Ids;
import io.vertx.ext.web.RoutingContext;

import java.util.UUID;

/**
 * The cursor paging of admin lists: {@code cursor} (an id this API returned, or none for the first
 * page) and {@code limit}.
 */
record AdminPage(UUID cursor, int limit) {
    private static final int DEFAULT_LIMIT = 100;
    private static final int MAX_LIMIT = 500;

    static AdminPage of(RoutingContext ctx) {
        String c = ctx.queryParams().get("cursor");
        UUID cursor = c == null ? null : Ids.parseOrNull(c);
        if (c != null && cursor == null) {
            throw ScimException.invalidValue("'cursor' is not a cursor this API returned.");
        }
        String l = ctx.queryParams().get("limit");
        int limit = DEFAULT_LIMIT;
        if (l != null) {
            try {
                limit = Integer.parseInt(l);
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > MAX_LIMIT) {
                throw ScimException.invalidValue("'limit' must be a whole number from 1 to " + MAX_LIMIT + ".");
            }
        }
        return new AdminPage(cursor, limit);
    }
}
