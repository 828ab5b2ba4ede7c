package io.hanzo.kms.scim.http;

import io.hanzo.kms.scim.store.EventStore;
import io.hanzo.kms.scim.store.Ids;
import io.hanzo.kms.scim.store.ScimEvent;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/**
 * Records refused SCIM requests as provisioning events, so that an admin can see why an IdP's
 * requests fail: the 4xx answers, and the 501 for what the server never serves ({@code /Me}), which
 * the IdP's configuration can stop asking for as it can a wrong path. Not the 503s (the request
 * deadline, a busy resource, the database unavailable) nor the rate limit's 429: they come in floods,
 * when the server or the database has least to spare, and a record for each would add a database
 * write to every one of them (none can be written while the database is down); the metrics count
 * them by status.
 * Only requests whose token named an organisation can be recorded; the response does not wait for
 * the record.
 */
final class RefusalRecorder {
    private static final Logger LOG = LoggerFactory.getLogger(RefusalRecorder.class);

    private final EventStore events;

    RefusalRecorder(EventStore events) {
        this.events = events;
    }

    void refused(RoutingContext ctx, int status, String detail) {
        UUID orgId = RequestContext.orgId(ctx);
        if (orgId == null || status < 400 || status >= 500 && status != 501) {
            return;
        }
        // /api/v1/scim/Users/{id}: the resource type and id, when the path names them.
        String rest = ctx.request().path().substring(Math.min(ctx.request().path().length(), ApiRouter.SCIM_BASE.length()));
        String[] parts = rest.replaceAll("^/+", "").split("/+");
        String type = cut(parts.length > 0 && !parts[0].isEmpty() ? parts[0] : null);
        String resourceType = "Users".equals(type) ? "User" : "Groups".equals(type) ? "Group" : type;
        String resourceId = cut(parts.length > 1 ? parts[1] : null);
        String operation = RequestContext.sentMethod(ctx) + " /" + (type == null ? "" : type);
        ScimEvent event = new ScimEvent(orgId, Ids.newId(), Instant.now().truncatedTo(ChronoUnit.MILLIS),
                RequestContext.tokenId(ctx), operation, resourceType, resourceId, status, "refused", detail);
        events.record(event).onFailure(e -> LOG.warn("A refused request could not be recorded: {}", e.getMessage()));
    }

    /** A path segment as recorded: its first 100 characters, a client's path being as long as it likes. */
    private static String cut(String segment) {
        return segment != null && segment.length() > 100 ? segment.substring(0, 100) : segment;
    }
}
