package io.hanzo.kms.scim.http;

import io.hanzo.kms.scim.admin.Organization;
import io.hanzo.kms.scim.admin.OrganizationService;
import io.hanzo.kms.scim.admin.RetiredTokenException;
import io.hanzo.kms.scim.admin.TokenService;
import io.hanzo.kms.scim.protocol.ScimException;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

import java.time.Instant;

/**
 * Checks the SCIM bearer token from memory and binds the request to the token's organisation; an
 * organisation with SCIM switched off gets 403. A revoked or expired token is refused (401) and
 * bound too when its refusal is to be recorded among the organisation's events (see
 * {@link RetiredTokenException#toRecord}).
 */
final class ScimAuthHandler implements Handler<RoutingContext> {
    private final TokenService tokens;
    private final OrganizationService orgs;

    ScimAuthHandler(TokenService tokens, OrganizationService orgs) {
        this.tokens = tokens;
        this.orgs = orgs;
    }

    @Override
    public void handle(RoutingContext ctx) {
        TokenService.Caller caller;
        try {
            caller = tokens.authenticate(ctx.request().getHeader("Authorization"), Instant.now());
        } catch (RetiredTokenException e) {
            // Bound to its organisation only so that the refusal is recorded for its admin to see.
            if (e.toRecord() && orgs.get(e.orgId()) != null) {
                ctx.put(RequestContext.TOKEN_ID, e.tokenId());
                ctx.put(RequestContext.ORG_ID, e.orgId());
            }
            throw e;
        }
        Organization org = orgs.get(caller.orgId());
        if (org == null) {
            throw ScimException.unauthorized("The SCIM token is not valid.");
        }
        ctx.put(RequestContext.TOKEN_ID, caller.tokenId());
        ctx.put(RequestContext.ORG_ID, org.id());
        if (!org.scimEnabled()) {
            throw ScimException.forbidden(org.plan().includesScim()
                    ? "SCIM provisioning is switched off for this organisation; an organisation admin can enable it."
                    : "SCIM provisioning is a paid feature and this organisation's plan does not include it.");
        }
        ctx.next();
    }
}
