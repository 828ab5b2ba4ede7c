package io.hanzo.kms.scim.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.hanzo.kms.scim.index.DirectoryIndex;
import io.vertx.core.Future;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * The outbox drains a few organisations at a time, whatever the number queued: the minute's sweep
 * queues every organisation, and a drain of each at once, with some thousands, overflowed the
 * database pool's queue, so that tenants' requests were answered 503 every minute.
 */
class OutboxDrainsAtOnceTest {
    private static final int ORGANISATIONS = 300;

    private static List<UUID> create(OrganizationService orgs, int count) {
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ids.add(orgs.create("Org " + i, Plan.PRO).result().id());
        }
        return ids;
    }

    /** The outbox of those organisations, delivering through a sender that always succeeds. */
    private static MembershipService outboxOf(OutboxErasureTest.HeldOutbox outbox, OrganizationService orgs) {
        return new MembershipService(outbox, orgs, new DirectoryIndex(), (to, link) -> Future.succeededFuture(),
                "https://kms.example/setup", Duration.ofDays(7), Duration.ofMinutes(5));
    }

    @Test
    void aSweepOfManyOrganisationsClaimsAFewAtATimeAndReachesEveryOne() {
        OrganizationService orgs = new OrganizationService(new OrganizationErasureCacheTest.Rows());
        Set<UUID> all = new HashSet<>(create(orgs, ORGANISATIONS));
        OutboxErasureTest.HeldOutbox outbox = new OutboxErasureTest.HeldOutbox();
        MembershipService members = outboxOf(outbox, orgs);
        members.sweepAll();
        Future<Integer> round = members.deliverInvitations();
        assertThat(outbox.claims).hasSize(MembershipService.DRAINS_AT_ONCE);

        // A poll while those drains are at work starts no more.
        assertThat(members.deliverInvitations().result()).isZero();
        assertThat(outbox.claims).hasSize(MembershipService.DRAINS_AT_ONCE);

        // Each claim answered (nothing to send) lets its drain take the next organisation.
        for (int answered = 0; answered < outbox.claims.size(); answered++) {
            int outstanding = outbox.claims.size() - answered;
            assertThat(outstanding).as("claims under way").isLessThanOrEqualTo(MembershipService.DRAINS_AT_ONCE);
            outbox.claims.get(answered).complete(List.of());
        }
        assertThat(round.succeeded()).isTrue();
        assertThat(outbox.claimed).hasSize(ORGANISATIONS).containsExactlyInAnyOrderElementsOf(all);

        // Drained: the next poll has nothing to claim, and nothing holds its room.
        assertThat(members.deliverInvitations().result()).isZero();
        assertThat(outbox.claims).hasSize(ORGANISATIONS);
        members.invitationsQueued(outbox.claimed.get(0));
        members.deliverInvitations();
        assertThat(outbox.claims).hasSize(ORGANISATIONS + 1);
    }

    /** A count of the backlog still under way makes the next one give up instead of starting another. */
    @Test
    void aCountOfTheBacklogUnderWayIsNotStartedAgain() {
        OrganizationService orgs = new OrganizationService(new OrganizationErasureCacheTest.Rows());
        create(orgs, 3);
        OutboxErasureTest.HeldOutbox outbox = new OutboxErasureTest.HeldOutbox();
        MembershipService members = outboxOf(outbox, orgs);
        Future<Long> first = members.outboxBacklog();
        assertThat(members.outboxBacklog().failed()).isTrue();
        assertThat(outbox.backlogs).hasSize(1);
        for (int i = 0; i < outbox.backlogs.size(); i++) {
            outbox.backlogs.get(i).complete(2L);
        }
        assertThat(first.result()).isEqualTo(6L);
        Future<Long> next = members.outboxBacklog();
        assertThat(outbox.backlogs).as("a count once the first has ended").hasSize(4);
        assertThat(next.isComplete()).isFalse();
    }

    /**
     * An organisation that queues invitations while the drains work through a sweep's thousands goes
     * before the rest of them: a person provisioned then waited for the whole sweep.
     */
    @Test
    void anOrganisationQueuedDuringASweepIsDrainedBeforeTheSweepsRest() {
        OrganizationService orgs = new OrganizationService(new OrganizationErasureCacheTest.Rows());
        List<UUID> all = create(orgs, ORGANISATIONS);
        OutboxErasureTest.HeldOutbox outbox = new OutboxErasureTest.HeldOutbox();
        MembershipService members = outboxOf(outbox, orgs);
        members.sweepAll();
        members.deliverInvitations();
        assertThat(outbox.claims).hasSize(MembershipService.DRAINS_AT_ONCE);
        outbox.claims.get(0).complete(List.of());
        outbox.claims.get(1).complete(List.of());
        UUID provisioned = all.stream().filter(id -> !outbox.claimed.contains(id)).findFirst().orElseThrow();
        members.invitationsQueued(provisioned);
        outbox.claims.get(2).complete(List.of());
        assertThat(outbox.claimed.get(outbox.claimed.size() - 1)).as("the next claim").isEqualTo(provisioned);
        for (int answered = 3; answered < outbox.claims.size(); answered++) {
            outbox.claims.get(answered).complete(List.of());
        }
        assertThat(outbox.claimed).as("each organisation claimed once").hasSize(ORGANISATIONS)
                .containsExactlyInAnyOrderElementsOf(all);
    }
}
