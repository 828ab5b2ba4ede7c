package io.hanzo.kms.scim.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hanzo.kms.scim.admin.Organization;
import io.hanzo.kms.scim.admin.TokenService;
import io.hanzo.kms.scim.protocol.Json;
import io.hanzo.kms.scim.protocol.ScimException;
import io.hanzo.kms.scim.store.Ids;
import io.vertx.ext.web.RoutingContext;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;

/** Admin API: an organisation's SCIM tokens. */
final class ScimTokensHandler {
    static final int MAX_TTL_DAYS = 730;

    private final TokenService tokens;
    private final OrganizationsHandler orgs;
    private final String scimUrl;
    private final Duration expiryWarning;

    ScimTokensHandler(TokenService tokens, OrganizationsHandler orgs, String scimUrl, Duration expiryWarning) {
        this.tokens = tokens;
        this.orgs = orgs;
        this.scimUrl = scimUrl;
        this.expiryWarning = expiryWarning;
    }

    void create(RoutingContext ctx) {
        Organization org = orgs.require(ctx);
        // Every field has a default, so a request with no body at all asks for the defaults.
        boolean empty = ctx.body() == null || ctx.body().length() <= 0;
        ObjectNode body = AdminJson.object(empty ? Json.MAPPER.createObjectNode() : RequestContext.jsonBody(ctx),
                Set.of("description", "ttlDays"));
        String description = AdminJson.string(body, "description", "", 256);
        JsonNode ttl = body.get("ttlDays");
        int ttlDays = 0;
        if (ttl != null && !ttl.isNull()) {
            if (!ttl.canConvertToInt() || !ttl.isIntegralNumber() || ttl.asInt() < 0 || ttl.asInt() > MAX_TTL_DAYS) {
                throw ScimException.invalidValue("Field 'ttlDays' must be a whole number from 0 (never expires) to "
                        + MAX_TTL_DAYS + ".");
            }
            ttlDays = ttl.asInt();
        }
        tokens.issue(org.id(), description, ttlDays)
                .onSuccess(issued -> {
                    Instant now = Instant.now();
                    ObjectNode out = AdminJson.token(issued.token(), now, now.plus(expiryWarning));
                    out.remove("lastUsedAt");
                    out.remove("expired");
                    out.remove("expiringSoon");
                    out.put("token", issued.secret());
                    out.put("scimUrl", scimUrl);
                    ctx.response().putHeader("Cache-Control", "no-store");
                    ScimResponses.sendPlainJson(ctx, 201, out);
                })
                .onFailure(ctx::fail);
    }

    void list(RoutingContext ctx) {
        Organization org = orgs.require(ctx);
        tokens.list(org.id()).onSuccess(all -> {
            ObjectNode out = Json.MAPPER.createObjectNode();
            ArrayNode list = out.putArray("tokens");
            Instant now = Instant.now();
            Instant warnAfter = now.plus(expiryWarning);
            all.forEach(t -> list.add(AdminJson.token(t, now, warnAfter)));
            ScimResponses.sendPlainJson(ctx, 200, out);
        }).onFailure(ctx::fail);
    }

    void delete(RoutingContext ctx) {
        Organization org = orgs.require(ctx);
        String id = ctx.pathParam("tokenId");
        UUID tokenId = Ids.parseOrNull(id);
        if (tokenId == null) {
            throw ScimException.notFound("SCIM token " + id + " not found.");
        }
        tokens.revoke(org.id(), tokenId)
                .onSuccess(found -> {
                    if (!found) {
                        ctx.fail(ScimException.notFound("SCIM token " + id + " not found."));
                    } else {
                        ctx.response().setStatusCode(204).end();
                    }
                })
                .onFailure(ctx::fail);
    }
}
