package io.hanzo.kms.scim.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.hanzo.kms.scim.index.DirectoryIndex;
import io.hanzo.kms.scim.store.MemberStore;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/**
 * The outbox of an organisation erased while a drain of it is under way: what the drain then holds
 * back or fails to claim is not tried again, so the outbox leaves the erasure alone.
 */
class OutboxErasureTest {
    /** An outbox whose claims are answered when the test says, and which records nothing else. */
    static final class HeldOutbox implements MemberStore {
        final List<Promise<List<Delivery>>> claims = new ArrayList<>();
        /** The organisation of each claim, in the order of {@link #claims}. */
        final List<UUID> claimed = new ArrayList<>();
        /** Counts of an organisation's backlog, answered when the test says. */
        final List<Promise<Long>> backlogs = new ArrayList<>();

        @Override
        public Future<List<Delivery>> claimPending(UUID orgId, int limit, Function<UUID, MintedToken> mint, Instant now,
                                                   Instant expiresAt, Instant claimedUntil) {
            Promise<List<Delivery>> p = Promise.promise();
            claims.add(p);
            claimed.add(orgId);
            return p.future();
        }

        @Override
        public Future<Void> sent(UUID orgId, List<UUID> invitationIds, Instant now, Instant claimedUntil) {
            return Future.succeededFuture();
        }

        @Override
        public Future<Void> failed(UUID orgId, List<Retry> retries, Instant claimedUntil) {
            return Future.succeededFuture();
        }

        @Override
        public Future<List<MemberRow>> page(UUID orgId, UUID after, String state, int limit) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Future<Long> outboxBacklog(UUID orgId) {
            Promise<Long> p = Promise.promise();
            backlogs.add(p);
            return p.future();
        }

        @Override
        public Future<Reissue> reissue(UUID orgId, UUID userId, Instant now) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Future<SetupRefusal> completeSetup(UUID orgId, UUID invitationId, Function<byte[], Boolean> tokenMatches,
                                                  KeyMaterial keys, Instant now) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Future<InvitationView> peek(UUID orgId, UUID invitationId, Function<byte[], Boolean> tokenMatches, Instant now) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Future<InvitationsPruned> pruneEndedInvitations(UUID orgId, UUID after, Instant cutoff, int batch) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Future<RoleMappings> roleMappings(UUID orgId) {
            return Future.succeededFuture(null);
        }

        @Override
        public Future<Organization> replaceRoleMappings(UUID orgId, String defaultRole, Map<String, String> mappings,
                                                        Instant now) {
            throw new UnsupportedOperationException();
        }
    }

    @Test
    void aDrainUnderWayWhenTheOrganisationIsErasedLeavesNothingToTryAgain() throws Exception {
        OrganizationErasureCacheTest.Rows rows = new OrganizationErasureCacheTest.Rows();
        OrganizationService orgs = new OrganizationService(rows);
        UUID held = orgs.create("Held back", Plan.PRO).result().id();
        UUID failing = orgs.create("Failing", Plan.PRO).result().id();
        HeldOutbox outbox = new HeldOutbox();
        MembershipService members = new MembershipService(outbox, orgs, new DirectoryIndex(),
                (to, link) -> Future.succeededFuture(), "https://kms.example/setup", Duration.ofDays(7), Duration.ofMinutes(5));
        orgs.onErased(members::forget);
        members.invitationsQueued(held);
        members.invitationsQueued(failing);
        Future<Integer> drained = members.deliverInvitations();
        assertThat(outbox.claims).hasSize(2);

        rows.live.clear();
        orgs.refresh(held);
        orgs.refresh(failing);
        Instant answered = Instant.now();
        // A person the index does not know is held back, to be tried again a second later.
        outbox.claims.get(0).complete(List.of(new MemberStore.Delivery(UUID.randomUUID(), UUID.randomUUID(),
                "a@example.com", "token", 0)));
        outbox.claims.get(1).fail("the database is down");
        assertThat(drained.succeeded()).isTrue();

        // Past the hold, both would be due again.
        while (!Instant.now().isAfter(answered.plusSeconds(2))) {
            Thread.sleep(100);
        }
        Future<Integer> after = members.deliverInvitations();
        assertThat(outbox.claims).as("claims after the erasure").hasSize(2);
        assertThat(after.succeeded()).isTrue();
    }
}
