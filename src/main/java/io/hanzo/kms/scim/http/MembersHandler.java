package io.hanzo.kms.scim.http;

import io.hanzo.kms.scim.protocol.CaseFold;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hanzo.kms.scim.admin.MembershipService;
import io.hanzo.kms.scim.admin.Organization;
import io.hanzo.kms.scim.admin.Role;
import io.hanzo.kms.scim.protocol.Json;
import io.hanzo.kms.scim.protocol.ScimException;
import io.hanzo.kms.scim.store.Ids;
import io.vertx.ext.web.RoutingContext;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** Admin API: members with their set-up state, invitations, role mappings; and account set-up. */
final class MembersHandler {
    private static final Set<String> STATES = Set.of("invited", "accepted");

    private final MembershipService members;
    private final OrganizationsHandler orgs;

    MembersHandler(MembershipService members, OrganizationsHandler orgs) {
        this.members = members;
        this.orgs = orgs;
    }

    void list(RoutingContext ctx) {
        Organization org = orgs.require(ctx);
        String state = ctx.queryParams().get("state");
        if (state != null && !STATES.contains(state)) {
            throw ScimException.invalidValue("'state' must be invited or accepted.");
        }
        AdminPage paging = AdminPage.of(ctx);
        members.members(org.id(), state, paging.cursor(), paging.limit())
                .onSuccess(page -> ScimResponses.sendPlainJson(ctx, 200, page))
                .onFailure(ctx::fail);
    }

    void reissueInvitation(RoutingContext ctx) {
        Organization org = orgs.require(ctx);
        String id = ctx.pathParam("memberId");
        UUID memberId = Ids.parseOrNull(id);
        if (memberId == null) {
            throw ScimException.notFound("Member " + id + " not found.");
        }
        members.reissue(org.id(), memberId)
                .onSuccess(invitationId -> ScimResponses.sendPlainJson(ctx, 202,
                        Json.MAPPER.createObjectNode().put("invitationId", invitationId.toString()).put("status", "queued")))
                .onFailure(ctx::fail);
    }

    void getRoleMappings(RoutingContext ctx) {
        ScimResponses.sendPlainJson(ctx, 200, members.roleMappingsJson(orgs.require(ctx).id()));
    }

    void putRoleMappings(RoutingContext ctx) {
        Organization org = orgs.require(ctx);
        ObjectNode body = AdminJson.object(RequestContext.jsonBody(ctx), Set.of("defaultRole", "mappings"));
        Role defaultRole = role(body.get("defaultRole") == null ? "member" : body.get("defaultRole").asText(), "defaultRole");
        JsonNode list = body.get("mappings");
        if (list == null || !list.isArray()) {
            throw ScimException.invalidValue("Field 'mappings' must be an array of {\"group\": \"...\", \"role\": \"...\"}.");
        }
        Map<String, Role> mappings = new HashMap<>();
        Set<String> seen = new HashSet<>();
        for (JsonNode m : list) {
            if (!m.isObject()) {
                throw ScimException.invalidValue("Each mapping needs a 'group' name (at most 512 characters) and a 'role'.");
            }
            ObjectNode mapping = AdminJson.object(m, Set.of("group", "role"));
            String group = AdminJson.string(mapping, "group", null, 512);
            if (group.isEmpty()) {
                throw ScimException.invalidValue("Each mapping needs a 'group' name (at most 512 characters) and a 'role'.");
            }
            if (!seen.add(CaseFold.lowerValue(group))) {
                throw ScimException.invalidValue("Group '" + group + "' is mapped twice.");
            }
            mappings.put(group, role(mapping.path("role").asText(), "role"));
        }
        members.replaceRoleMappings(org.id(), defaultRole, mappings)
                .onSuccess(written -> ScimResponses.sendPlainJson(ctx, 200, written))
                .onFailure(ctx::fail);
    }

    void setup(RoutingContext ctx) {
        members.completeSetup(RequestContext.jsonBody(ctx))
                .onSuccess(v -> ScimResponses.sendPlainJson(ctx, 200, Json.MAPPER.createObjectNode().put("setupState", "accepted")))
                .onFailure(ctx::fail);
    }

    /** What the set-up page shows about an invitation; the token travels in the body, never in the URL. */
    void describeInvitation(RoutingContext ctx) {
        members.describeInvitation(RequestContext.jsonBody(ctx))
                .onSuccess(view -> {
                    ctx.response().putHeader("Cache-Control", "no-store");
                    ScimResponses.sendPlainJson(ctx, 200, view);
                })
                .onFailure(ctx::fail);
    }

    private static Role role(String name, String field) {
        Role r = Role.fromWireName(name);
        if (r == null) {
            throw ScimException.invalidValue("'" + field + "' must be one of admin, member, viewer, no-access.");
        }
        return r;
    }
}
