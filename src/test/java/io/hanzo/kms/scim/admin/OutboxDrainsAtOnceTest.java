package io.hanzo.kms.scim.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hanzo.kms.scim.index.DirectoryIndex;
import io.hanzo.kms.scim.index.IndexedUser;
import io.hanzo.kms.scim.index.UserDocuments;
import io.hanzo.kms.scim.protocol.Json;
import io.hanzo.kms.scim.protocol.resource.ResourceRenderer;
import io.hanzo.kms.scim.protocol.schema.UserSchemas;
import io.hanzo.kms.scim.store.MemberStore.Delivery;
import io.hanzo.kms.scim.store.UserRow;
import io.vertx.core.Future;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
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
    private static final ResourceRenderer RENDERER = new ResourceRenderer(UserSchemas.USER, "https://kms.example/scim/Users");

    private static List<UUID> create(OrganizationService orgs, int count) {
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ids.add(orgs.create("Org " + i, Plan.PRO).result().id());
        }
        return ids;
    }

    /** The outbox of those organisations, delivering through a sender that always succeeds. */
    private static MembershipService outboxOf(OutboxErasureTest.HeldOutbox outbox, OrganizationService orgs) {
        return outboxOf(outbox, orgs, new DirectoryIndex());
    }

    private static MembershipService outboxOf(OutboxErasureTest.HeldOutbox outbox, OrganizationService orgs, DirectoryIndex index) {
        return new MembershipService(outbox, orgs, index, (to, link) -> Future.succeededFuture(),
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

    /**
     * Organisations whose large backlogs use up their turns go behind the rest of the round: with as
     * many of them as there are drains, they kept every drain among themselves, and the organisations
     * of the sweep waited until those backlogs were empty.
     */
    @Test
    void largeBacklogsTakeTurnsBehindTheRestOfTheRound() {
        OrganizationService orgs = new OrganizationService(new OrganizationErasureCacheTest.Rows());
        List<UUID> swept = create(orgs, 20);
        DirectoryIndex index = new DirectoryIndex();
        OutboxErasureTest.HeldOutbox outbox = new OutboxErasureTest.HeldOutbox();
        MembershipService members = outboxOf(outbox, orgs, index);
        members.sweepAll();
        // Backlogs that never empty, of a person the index knows as active.
        Set<UUID> large = new HashSet<>(create(orgs, MembershipService.DRAINS_AT_ONCE));
        UUID person = UUID.randomUUID();
        Instant now = Instant.now();
        for (UUID orgId : large) {
            ObjectNode attributes = Json.MAPPER.createObjectNode().put("userName", "p@example.com").put("active", true);
            UserRow row = new UserRow(orgId, person, attributes, 1, now, now);
            index.users(orgId).put(IndexedUser.of(row, Json.bytes(RENDERER.render(attributes, row.meta())),
                    UserDocuments.codec(RENDERER)));
            members.invitationsQueued(orgId);
        }
        members.deliverInvitations();
        for (int answered = 0; answered < outbox.claims.size() && answered < 1_000
                && !outbox.claimed.containsAll(swept); answered++) {
            List<Delivery> batch = new ArrayList<>();
            for (int i = 0; large.contains(outbox.claimed.get(answered)) && i < 100; i++) {
                batch.add(new Delivery(UUID.randomUUID(), person, "p@example.com", "token", 0));
            }
            outbox.claims.get(answered).complete(batch);
        }
        assertThat(outbox.claimed).as("the sweep's organisations").containsAll(swept);
        List<UUID> firstTurns = outbox.claimed.subList(0, MembershipService.DRAINS_AT_ONCE * MembershipService.BATCHES_PER_TURN);
        assertThat(firstTurns).as("the large backlogs' first turns").allMatch(large::contains);
    }
}
