package io.hanzo.kms.scim.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hanzo.kms.scim.admin.Organization;
import io.hanzo.kms.scim.protocol.Json;
import io.hanzo.kms.scim.protocol.ScimException;
import io.hanzo.kms.scim.store.EventStore;
import io.hanzo.kms.scim.store.ScimEvent;
import io.vertx.ext.web.RoutingContext;

import java.util.Set;

/** Admin API: the organisation's provisioning events, newest first, with cursor paging. */
final class EventsHandler {
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
        AdminPage page = AdminPage.of(ctx);
        int pageSize = page.limit();
        events.page(org.id(), page.cursor(), outcome, resourceType, pageSize + 1).onSuccess(rows -> {
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
            page.putNextCursor(out, rows, ScimEvent::id);
            ScimResponses.sendPlainJson(ctx, 200, out);
        }).onFailure(ctx::fail);
    }
}
