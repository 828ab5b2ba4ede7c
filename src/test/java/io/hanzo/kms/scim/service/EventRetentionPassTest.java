package io.hanzo.kms.scim.service;

import io.hanzo.kms.scim.admin.ManyOrganizations;
import io.hanzo.kms.scim.admin.Organization;
import io.hanzo.kms.scim.admin.OrganizationService;
import io.hanzo.kms.scim.admin.StoreStubs;
import io.hanzo.kms.scim.store.EventStore;
import io.hanzo.kms.scim.store.MemberStore;
import io.hanzo.kms.scim.store.OrganizationStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A pass of the retention over many organisations ends, and the next pass runs. Walked as a
 * recursion of futures, the pass over 19,400 organisations overflowed the stack as it ended: it never
 * completed, and no later pass ran until a restart.
 */
@ExtendWith(VertxExtension.class)
class EventRetentionPassTest {
    private static final int ORGANISATIONS = 40_000;

    @Test
    void aPassOverTensOfThousandsOfOrganisationsEndsAndTheNextOneRuns(Vertx vertx) throws Exception {
        List<Organization> all = ManyOrganizations.of(ORGANISATIONS);
        OrganizationService orgs = new OrganizationService(
                StoreStubs.answering(OrganizationStore.class, "all", args -> Future.succeededFuture(all)));
        done(orgs.load());
        AtomicInteger eventBatches = new AtomicInteger();
        // Each organisation has a full batch of expired events and then some: two batches each.
        EventStore counting = StoreStubs.answering(EventStore.class, "pruneBefore",
                args -> StoreStubs.later(vertx, eventBatches.incrementAndGet() % 2 == 1 ? EventRetention.BATCH : 3));
        MemberStore invitations = StoreStubs.answering(MemberStore.class, "pruneEndedInvitations",
                args -> StoreStubs.later(vertx, new MemberStore.InvitationsPruned(null, 0)));
        EventRetention retention = new EventRetention(counting, invitations, orgs, Duration.ofDays(90));

        Long first = done(vertx.<Void>executeBlocking(() -> null).compose(v -> retention.prune()));
        assertThat(first).isEqualTo((long) ORGANISATIONS * (EventRetention.BATCH + 3));
        assertThat(eventBatches).hasValue(2 * ORGANISATIONS);

        Long second = done(retention.prune());
        assertThat(second).as("the next pass ran").isEqualTo((long) ORGANISATIONS * (EventRetention.BATCH + 3));
    }

    private static <T> T done(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(90, TimeUnit.SECONDS);
    }
}
