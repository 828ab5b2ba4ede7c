package io.hanzo.kms.scim.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hanzo.kms.scim.protocol.ScimException;
import io.hanzo.kms.scim.store.Ids;
import io.vertx.ext.web.RoutingContext;

import java.util.List;
import java.util.UUID;
import java.util.function.Function;

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

    /**
     * The page's {@code nextCursor} into {@code out}, from the rows read for it (one more than the
     * limit when there are more): the id of the page's last row, or null on the last page.
     */
    <T> void putNextCursor(ObjectNode out, List<T> rows, Function<T, UUID> id) {
        if (rows.size() > limit) {
            out.put("nextCursor", id.apply(rows.get(limit - 1)).toString());
        } else {
            out.putNull("nextCursor");
        }
    }
}
