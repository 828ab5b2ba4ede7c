package io.hanzo.kms.scim.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hanzo.kms.scim.admin.Organization;
import io.hanzo.kms.scim.admin.OrganizationService;
import io.hanzo.kms.scim.admin.Plan;
import io.hanzo.kms.scim.protocol.ScimException;
import io.hanzo.kms.scim.store.Ids;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;

import java.util.Set;

/** Admin API: organisations and their SCIM switch (the KMS "Provisioning" tab). */
final class OrganizationsHandler {
    private final OrganizationService orgs;

    OrganizationsHandler(OrganizationService orgs) {
        this.orgs = orgs;
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
        Plan resulting = plan == null ? org.plan() : plan;
        if (enabled != null && enabled.booleanValue() && !resulting.includesScim()) {
            // Refused before anything is written: the request changes nothing.
            throw ScimException.forbidden("SCIM provisioning is a paid feature: the '" + resulting.wireName()
                    + "' plan does not include it. Upgrade to the pro or enterprise plan to enable it.");
        }
        Future<Organization> updated = plan == null ? Future.succeededFuture(org) : orgs.setPlan(org, plan);
        updated.compose(o -> enabled == null ? Future.succeededFuture(o) : orgs.setScimEnabled(o, enabled.booleanValue()))
                .onSuccess(o -> ScimResponses.sendPlainJson(ctx, 200, AdminJson.organization(o)))
                .onFailure(ctx::fail);
    }

    /** The organisation named in the path, or a 404. */
    Organization require(RoutingContext ctx) {
        String id = ctx.pathParam("orgId");
        Organization org = orgs.get(Ids.parseOrNull(id));
        if (org == null) {
            throw ScimException.notFound("Organization " + id + " not found.");
        }
        return org;
    }
}
