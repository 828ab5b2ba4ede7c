package io.hanzo.kms.scim.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.hanzo.kms.scim.store.OrganizationStore;
import io.vertx.core.Future;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.function.UnaryOperator;

/**
 * The organisation cache after an erasure another instance made: one no longer found is forgotten
 * and its listeners told, whether a notification or a reload (after lost notifications) finds it
 * gone, and a read begun before the erasure does not bring it back.
 */
class OrganizationErasureCacheTest {
    /** Organisations in memory; an erased one is found no more. */
    static final class Rows implements OrganizationStore {
        final Map<UUID, Organization> live = new ConcurrentHashMap<>();

        @Override
        public Future<Organization> insert(Organization org) {
            live.put(org.id(), org);
            return Future.succeededFuture(org);
        }

        @Override
        public Future<Organization> update(UUID id, UnaryOperator<Organization> change, Instant now) {
            return Future.succeededFuture(live.computeIfPresent(id, (k, o) -> change.apply(o)));
        }

        @Override
        public Future<Organization> find(UUID id) {
            return Future.succeededFuture(live.get(id));
        }

        @Override
        public Future<List<Organization>> all() {
            return Future.succeededFuture(List.copyOf(live.values()));
        }

        @Override
        public Future<Boolean> erase(UUID id, Instant at) {
            return Future.succeededFuture(live.remove(id) != null);
        }

        @Override
        public Future<List<UUID>> erasing() {
            return Future.succeededFuture(List.of());
        }

        @Override
        public Future<Long> finishErasure(UUID id, int batch) {
            return Future.succeededFuture(0L);
        }
    }

    @Test
    void anOrganisationErasedUnheardIsForgottenByTheNextReload() {
        Rows rows = new Rows();
        OrganizationService orgs = new OrganizationService(rows);
        Organization erased = orgs.create("Leaving", Plan.PRO).result();
        Organization kept = orgs.create("Staying", Plan.PRO).result();
        List<UUID> told = new ArrayList<>();
        orgs.onErased(told::add);

        rows.live.remove(erased.id());
        assertThat(orgs.load().succeeded()).isTrue();

        assertThat(orgs.get(erased.id())).isNull();
        assertThat(orgs.get(kept.id())).isNotNull();
        assertThat(told).containsExactly(erased.id());
        // A read from before the erasure, answered late, brings nothing back.
        orgs.cache(erased);
        assertThat(orgs.get(erased.id())).isNull();
        assertThat(orgs.all()).containsExactly(kept);
    }

    @Test
    void aNotificationOfAnErasureForgetsTheOrganisationOnce() {
        Rows rows = new Rows();
        OrganizationService orgs = new OrganizationService(rows);
        Organization erased = orgs.create("Leaving", Plan.PRO).result();
        List<UUID> told = new ArrayList<>();
        orgs.onErased(told::add);

        rows.live.remove(erased.id());
        orgs.refresh(erased.id());
        orgs.refresh(erased.id());

        assertThat(orgs.get(erased.id())).isNull();
        assertThat(told).containsExactly(erased.id());
    }

    /**
     * A write caching its organisation on one event loop while another forgets it as erased: whichever
     * comes first, the organisation stays forgotten.
     */
    @Test
    void aWriteCachingTheOrganisationAsItIsForgottenDoesNotBringItBack() throws Exception {
        for (int attempt = 0; attempt < 5_000; attempt++) {
            Rows rows = new Rows();
            OrganizationService orgs = new OrganizationService(rows);
            Organization erased = orgs.create("Leaving", Plan.PRO).result();
            rows.live.remove(erased.id());
            CyclicBarrier start = new CyclicBarrier(2);
            Thread writer = new Thread(() -> {
                awaitQuietly(start);
                orgs.cache(erased);
            });
            writer.start();
            start.await();
            orgs.refresh(erased.id());
            writer.join();
            assertThat(orgs.get(erased.id())).as("attempt %d", attempt).isNull();
        }
    }

    private static void awaitQuietly(CyclicBarrier barrier) {
        try {
            barrier.await();
        } catch (InterruptedException | BrokenBarrierException e) {
            throw new IllegalStateException(e);
        }
    }
}
