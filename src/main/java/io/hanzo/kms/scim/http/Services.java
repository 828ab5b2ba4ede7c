package io.hanzo.kms.scim.http;

import io.hanzo.kms.scim.admin.AdminAuth;
import io.hanzo.kms.scim.admin.MembershipService;
import io.hanzo.kms.scim.admin.OrganizationService;
import io.hanzo.kms.scim.admin.TokenService;
import io.hanzo.kms.scim.config.AppConfig;
import io.hanzo.kms.scim.ops.Operations;
import io.hanzo.kms.scim.protocol.schema.DiscoveryDocuments;
import io.hanzo.kms.scim.service.GroupService;
import io.hanzo.kms.scim.service.UserService;
import io.hanzo.kms.scim.store.EventStore;
import io.vertx.sqlclient.Pool;

/** What the HTTP verticles share: one of each per server process, safe to use from any event loop. */
public record Services(AppConfig config, Pool pool, AdminAuth adminAuth, OrganizationService orgs, TokenService tokens,
                       UserService users, GroupService groups, MembershipService members, EventStore events,
                       DiscoveryDocuments discovery, Operations ops, TokenRateLimits rateLimits,
                       RefusalRecorder refusals) {
}
