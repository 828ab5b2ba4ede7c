package io.hanzo.kms.scim.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hanzo.kms.scim.admin.Organization;
import io.hanzo.kms.scim.protocol.Json;
import io.hanzo.kms.scim.protocol.ScimException;
import io.hanzo.kms.scim.store.EventStore;
import io.hanzo.kms.scim.store.Ids;
import io.hanzo.kms.scim.store.ScimEvent;
import io.vertx.ext.web.RoutingContext;

import java.util.Set;
import java.util.UUID;

/** Admin API: the organisation's provisioning events, newest first, with cursor paging. */
final class EventsHandler {
    private static final int MAX_PAGE = 500;
    private static final Set<String> OUTCOMES = Set.of("success", "refused");
    private static final Set<String> TYPES = Set.of("User", "Group");

    private final EventStore events;
    private final OrganizationsHandler orgs;

    EventsHandler(EventStore events, OrganizationsHandler orgs) {
        this.events = events;
        this.orgs = orgs;
    }

    void list(RoutingContext ctx) {
        Organization org = orgs.require(ctx);
        String outcome = ctx.queryParams().get("outcome");
        if (outcome != null && !OUTCOMES.contains(outcome)) {
            throw ScimException.invalidValue("'outcome' must be success or refused.");
        }
        String resourceType = ctx.queryParams().get("resourceType");
        if (resourceType != null && !TYPES.contains(resourceType)) {
            throw ScimException.invalidValue("'resourceType' must be User or Group.");
        }
        String cursor = ctx.queryParams().get("cursor");
        UUID before = cursor == null ? null : Ids.parseOrNull(cursor);
        if (cursor != null && before == null) {
            throw ScimException.invalidValue("'cursor' is not a cursor this API returned.");
        }
        int limit = 100;
        String l = ctx.queryParams().get("limit");
        if (l != null) {
            try {
                limit = Integer.parseInt(l);
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > MAX_PAGE) {
                throw ScimException.invalidValue("'limit' must be a whole number from 1 to " + MAX_PAGE + ".");
            }
        }
        int pageSize = limit;
        events.page(org.id(), before, outcome, resourceType, pageSize + 1).onSuccess(rows -> {
            ObjectNode out = Json.MAPPER.createObjectNode();
            ArrayNode list = out.putArray("events");
            for (int i = 0; i < Math.min(pageSize, rows.size()); i++) {
                ScimEvent e = rows.get(i);
                ObjectNode o = list.addObject();
                o.put("id", e.id().toString());
                o.put("at", e.at().toString());
                o.put("tokenId", e.tokenId() == null ? null : e.tokenId().toString());
                o.put("operation", e.operation());
                o.put("resourceType", e.resourceType());
                o.put("resourceId", e.resourceId());
                o.put("status", e.status());
                o.put("outcome", e.outcome());
                o.put("detail", e.detail());
            }
            if (rows.size() > pageSize) {
                out.put("nextCursor", rows.get(pageSize - 1).id().toString());
            } else {
                out.putNull("nextCursor");
            }
            ScimResponses.sendPlainJson(ctx, 200, out);
        }).onFailure(ctx::fail);
    }
}
