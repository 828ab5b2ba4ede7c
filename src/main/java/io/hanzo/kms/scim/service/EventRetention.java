package io.hanzo.kms.scim.service;

import io.hanzo.kms.scim.admin.OrganizationService;
import io.hanzo.kms.scim.concurrent.OneAfterAnother;
import io.hanzo.kms.scim.store.EventStore;
import io.hanzo.kms.scim.store.MemberStore;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
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
        long[] deleted = {0};
        long[] invitations = {0};
        return OneAfterAnother.forEach(orgs.all(), org -> pruneEvents(org.id(), cutoff, deleted)
                        .compose(v -> pruneInvitations(org.id(), cutoff, invitations)))
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

    /** The organisation's ended invitations, batch after batch, each after the last key the one before read. */
    private Future<Void> pruneInvitations(UUID orgId, Instant cutoff, long[] deleted) {
        UUID[] after = {null};
        return OneAfterAnother.repeat(() -> members.pruneEndedInvitations(orgId, after[0], cutoff, BATCH).map(batch -> {
            deleted[0] += batch.deleted();
            after[0] = batch.lastRead();
            return batch.lastRead() != null;
        }));
    }

    /** The organisation's events older than the cutoff, batch after batch until one is not full. */
    private Future<Void> pruneEvents(UUID orgId, Instant cutoff, long[] deleted) {
        return OneAfterAnother.repeat(() -> events.pruneBefore(orgId, cutoff, BATCH).map(n -> {
            deleted[0] += n;
            return n >= BATCH;
        }));
    }
}
