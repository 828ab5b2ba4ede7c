package io.hanzo.kms.scim.http;

import io.hanzo.kms.scim.service.RefusedOperations;
import io.hanzo.kms.scim.store.EventStore;
import io.hanzo.kms.scim.store.Ids;
import io.hanzo.kms.scim.store.ScimEvent;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import java.util.function.LongConsumer;

/**
 * Records refused SCIM requests as provisioning events, so that an admin can see why an IdP's
 * requests fail: the 4xx answers, and the 501 for what the server never serves ({@code /Me}), which
 * the IdP's configuration can stop asking for as it can a wrong path. Not the 503s (the request
 * deadline, a busy resource, the database unavailable) nor the rate limit's 429: they come in floods,
 * when the server or the database has least to spare, and a record for each would add a database
 * write to every one of them (none can be written while the database is down); the metrics count
 * them by status.
 * Only requests whose token named an organisation can be recorded; the response does not wait for
 * the record. Each organisation's refusals, those of bulk operations with them, are recorded one by
 * one within a budget ({@link RefusalBudget}), and counted beyond it; one recorder serves all HTTP
 * verticles, so the budget is per instance, and {@link #recordDue()} is to be called every second or so.
 */
public final class RefusalRecorder implements RefusedOperations {
    private static final Logger LOG = LoggerFactory.getLogger(RefusalRecorder.class);

    private final EventStore events;
    private final RefusalBudget budget;
    private volatile LongConsumer onSummarised = n -> { };

    /**
     * @param perSecond 0 records every refusal one by one
     */
    public RefusalRecorder(EventStore events, int perSecond, int burst) {
        this.events = events;
        this.budget = new RefusalBudget(perSecond, burst);
    }

    /** Told how many refused requests each count written stands for, once it is written. */
    public void onSummarised(LongConsumer listener) {
        this.onSummarised = listener;
    }

    /** Writes the counts of organisations whose budget has room again. */
    public void recordDue() {
        budget.due(System.nanoTime()).forEach(this::write);
    }

    /** Drops what is counted for an erased organisation: it would be written into nothing. */
    public void forget(UUID orgId) {
        budget.forget(orgId);
    }

    /** Writes every count still held, whatever the budget: at shut-down, once no request comes in. */
    public Future<Void> recordAllCounted() {
        return Future.all(budget.drain().stream().map(this::write).toList()).mapEmpty();
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
        refused(event);
    }

    @Override
    public void refused(ScimEvent refusal) {
        RefusalBudget.Row row = budget.admit(refusal, System.nanoTime());
        if (row != null) {
            write(row);
        }
    }

    /** A row not written is put back, so that the next count written carries it: not lost, not counted twice. */
    private Future<Void> write(RefusalBudget.Row row) {
        return events.record(row.event()).onSuccess(v -> {
            if (row.summarised() > 0) {
                onSummarised.accept(row.summarised());
            }
        }).onFailure(e -> {
            budget.putBack(row, System.nanoTime());
            LOG.warn("A refused request could not be recorded; it is counted in the next event: {}", e.getMessage());
        });
    }

    /** A path segment as recorded: its first 100 characters, a client's path being as long as it likes. */
    private static String cut(String segment) {
        return segment != null && segment.length() > 100 ? segment.substring(0, 100) : segment;
    }
}
