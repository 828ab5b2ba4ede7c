package io.hanzo.kms.scim.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hanzo.kms.scim.admin.Organization;
import io.hanzo.kms.scim.admin.OrganizationService;
import io.hanzo.kms.scim.admin.Plan;
import io.hanzo.kms.scim.protocol.Json;
import io.hanzo.kms.scim.protocol.ScimException;
import io.hanzo.kms.scim.store.Ids;
import io.vertx.ext.web.RoutingContext;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.UUID;

/** Admin API: organisations and their SCIM switch (the KMS "Provisioning" tab). */
final class OrganizationsHandler {
    private final OrganizationService orgs;
    private final String scimUrl;

    OrganizationsHandler(OrganizationService orgs, String scimUrl) {
        this.orgs = orgs;
        this.scimUrl = scimUrl;
    }

    void create(RoutingContext ctx) {
        ObjectNode body = AdminJson.object(RequestContext.jsonBody(ctx), Set.of("name", "plan"));
        String name = AdminJson.string(body, "name", null, 200);
        if (name.isEmpty()) {
            throw ScimException.invalidValue("Field 'name' must not be empty.");
        }
        String planName = AdminJson.string(body, "plan", "free", 20);
        Plan plan = Plan.fromWireName(planName);
        if (plan == null) {
            throw ScimException.invalidValue("Field 'plan' must be one of free, pro, enterprise.");
        }
        orgs.create(name, plan)
                .onSuccess(o -> {
                    ctx.response().putHeader("Location", "/api/v1/organizations/" + o.id());
                    ScimResponses.sendPlainJson(ctx, 201, AdminJson.organization(o));
                })
                .onFailure(ctx::fail);
    }

    /** An organisation with its name in lower case, made once per list; in the list's order (by that, then by id). */
    private record Listed(String key, Organization org) implements Comparable<Listed> {
        static Listed of(Organization o) {
            return new Listed(o.name().toLowerCase(Locale.ROOT), o);
        }

        @Override
        public int compareTo(Listed other) {
            int byName = key.compareTo(other.key);
            return byName != 0 ? byName : org.id().compareTo(other.org.id());
        }
    }

    /**
     * The organisations whose name contains {@code name} (any letter case), by name, a page of
     * {@code limit} (100 unless asked) after the organisation {@code cursor} names, with the cursor
     * of the next page (null on the last); with the SCIM base URL, which the console shows before any
     * token exists.
     */
    void list(RoutingContext ctx) {
        String name = ctx.queryParams().get("name");
        String needle = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        AdminPage page = AdminPage.of(ctx);
        Organization known = page.cursor() == null ? null : orgs.get(page.cursor());
        if (page.cursor() == null || known != null) {
            sendPage(ctx, needle, page, known);
            return;
        }
        // One created through another instance a moment ago may not have reached this one yet.
        orgs.refresh(page.cursor()).onComplete(ar -> {
            Organization after = orgs.get(page.cursor());
            if (after == null) {
                ctx.fail(ScimException.invalidValue("'cursor' names no organization (it was erased since): list from the start."));
            } else {
                sendPage(ctx, needle, page, after);
            }
        });
    }

    /** The page of those whose name contains {@code needle} after {@code after} (null: from the first). */
    private void sendPage(RoutingContext ctx, String needle, AdminPage page, Organization after) {
        // The page and one more, kept as they are found (a heap whose top is the last of them): all
        // organisations are read, none sorted but those (tens of thousands per page otherwise).
        Listed from = after == null ? null : Listed.of(after);
        PriorityQueue<Listed> kept = new PriorityQueue<>(Comparator.reverseOrder());
        for (Organization o : orgs.all()) {
            Listed l = Listed.of(o);
            if (l.key().contains(needle) && (from == null || l.compareTo(from) > 0)) {
                kept.add(l);
                if (kept.size() > page.limit() + 1) {
                    kept.poll();
                }
            }
        }
        List<Organization> found = kept.stream().sorted().map(Listed::org).toList();
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("scimUrl", scimUrl);
        ArrayNode list = out.putArray("organizations");
        found.stream().limit(page.limit()).forEach(o -> list.add(AdminJson.organization(o)));
        page.putNextCursor(out, found, Organization::id);
        ScimResponses.sendPlainJson(ctx, 200, out);
    }

    void get(RoutingContext ctx) {
        ScimResponses.sendPlainJson(ctx, 200, AdminJson.organization(require(ctx)));
    }

    void update(RoutingContext ctx) {
        Organization org = require(ctx);
        ObjectNode body = AdminJson.object(RequestContext.jsonBody(ctx), Set.of("scimEnabled", "plan"));
        JsonNode enabled = body.get("scimEnabled");
        JsonNode planName = body.get("plan");
        if (enabled == null && planName == null) {
            throw ScimException.invalidValue("Send 'scimEnabled' (true or false), 'plan', or both.");
        }
        if (enabled != null && !enabled.isBoolean()) {
            throw ScimException.invalidValue("Field 'scimEnabled' must be true or false.");
        }
        Plan plan = null;
        if (planName != null) {
            plan = Plan.fromWireName(planName.asText());
            if (plan == null || !planName.isTextual()) {
                throw ScimException.invalidValue("Field 'plan' must be one of free, pro, enterprise.");
            }
        }
        // Both fields in one change, decided on the stored row: a refusal (403) changes nothing.
        orgs.update(org.id(), plan, enabled == null ? null : enabled.booleanValue())
                .onSuccess(o -> ScimResponses.sendPlainJson(ctx, 200, AdminJson.organization(o)))
                .onFailure(ctx::fail);
    }

    /**
     * Erases the organisation: 204 once it is unreachable on this instance and told to the others; its
     * rows go afterwards. Decided on the stored row, not this cache: one created on another instance a
     * moment ago is erased too, and of two erasures at once one answers 404.
     */
    void delete(RoutingContext ctx) {
        String id = ctx.pathParam("orgId");
        UUID orgId = Ids.parseOrNull(id);
        if (orgId == null) {
            throw notFound(id);
        }
        orgs.erase(orgId)
                .onSuccess(erased -> {
                    if (erased) {
                        ctx.response().setStatusCode(204).end();
                    } else {
                        ctx.fail(notFound(id));
                    }
                })
                .onFailure(ctx::fail);
    }

    private static ScimException notFound(String id) {
        return ScimException.notFound("Organization " + id + " not found.");
    }

    /** The organisation named in the path, or a 404. */
    Organization require(RoutingContext ctx) {
        String id = ctx.pathParam("orgId");
        Organization org = orgs.get(Ids.parseOrNull(id));
        if (org == null) {
            throw notFound(id);
        }
        return org;
    }
}
