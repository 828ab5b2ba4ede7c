package io.hanzo.kms.scim.service;

import io.hanzo.kms.scim.admin.Organization;
import io.hanzo.kms.scim.admin.OrganizationService;
import io.hanzo.kms.scim.store.EventStore;
import io.hanzo.kms.scim.store.MemberStore;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Deletes provisioning events older than the retention, in the background: organisation by
 * organisation, in batches, so no statement holds many rows or runs long. Invitations voided or used
 * before the same cutoff go too, except each person's newest (see {@link MemberStore#pruneEndedInvitations}):
 * every change of a person's address adds one, and the address each was sent to is personal data that
 * should not be kept without end. Several instances may prune at once; they delete the same rows,
 * which costs a little and harms nothing.
 */
public final class EventRetention {
    private static final Logger LOG = LoggerFactory.getLogger(EventRetention.class);
    static final int BATCH = 1000;

    private final EventStore events;
    private final MemberStore members;
    private final OrganizationService orgs;
    private final Duration retention;
    private final AtomicBoolean running = new AtomicBoolean();

    public EventRetention(EventStore events, MemberStore members, OrganizationService orgs, Duration retention) {
        this.events = events;
        this.members = members;
        this.orgs = orgs;
        this.retention = retention;
    }

    /**
     * One pass over every organisation; a pass still running makes this one a no-op. Answers the
     * events deleted.
     */
    public Future<Long> prune() {
        if (!running.compareAndSet(false, true)) {
            return Future.succeededFuture(0L);
        }
        Instant cutoff = Instant.now().minus(retention);
        Iterator<Organization> it = orgs.all().iterator();
        long[] deleted = {0};
        long[] invitations = {0};
        return next(it, cutoff, deleted, invitations)
                .map(v -> deleted[0])
                .onSuccess(n -> {
                    if (n > 0) {
                        LOG.info("Deleted {} provisioning events older than {}", n, cutoff);
                    }
                    if (invitations[0] > 0) {
                        LOG.info("Deleted {} invitations that ended before {}", invitations[0], cutoff);
                    }
                })
                .onComplete(ar -> running.set(false));
    }

    private Future<Void> next(Iterator<Organization> it, Instant cutoff, long[] deleted, long[] invitations) {
        if (!it.hasNext()) {
            return Future.succeededFuture();
        }
        UUID orgId = it.next().id();
        return pruneOrg(orgId, cutoff, deleted)
                .compose(v -> pruneInvitations(orgId, null, cutoff, invitations))
                .compose(v -> next(it, cutoff, deleted, invitations));
    }

    private Future<Void> pruneInvitations(UUID orgId, UUID after, Instant cutoff, long[] deleted) {
        return members.pruneEndedInvitations(orgId, after, cutoff, BATCH).compose(batch -> {
            deleted[0] += batch.deleted();
            return batch.lastRead() == null ? Future.succeededFuture()
                    : pruneInvitations(orgId, batch.lastRead(), cutoff, deleted);
        });
    }

    private Future<Void> pruneOrg(UUID orgId, Instant cutoff, long[] deleted) {
        return events.pruneBefore(orgId, cutoff, BATCH).compose(n -> {
            deleted[0] += n;
            return n < BATCH ? Future.succeededFuture() : pruneOrg(orgId, cutoff, deleted);
        });
    }
}
