package io.hanzo.kms.scim.service;

import io.hanzo.kms.scim.admin.ManyOrganizations;
import io.hanzo.kms.scim.admin.Organization;
import io.hanzo.kms.scim.admin.OrganizationService;
import io.hanzo.kms.scim.store.EventStore;
import io.hanzo.kms.scim.store.MemberStore;
import io.hanzo.kms.scim.store.OrganizationStore;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
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
class EventRetentionPassTest {
    private static final int ORGANISATIONS = 40_000;
    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() {
        vertx.close();
    }

    @Test
    void aPassOverTensOfThousandsOfOrganisationsEndsAndTheNextOneRuns() throws Exception {
        List<Organization> all = ManyOrganizations.of(ORGANISATIONS);
        OrganizationService orgs = new OrganizationService(storeOf(OrganizationStore.class, "all", all));
        done(orgs.load());
        AtomicInteger eventBatches = new AtomicInteger();
        // Each organisation has a full batch of expired events and then some: two batches each.
        EventStore counting = (EventStore) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {EventStore.class},
                (proxy, method, args) -> {
                    int n = eventBatches.incrementAndGet();
                    return later(n % 2 == 1 ? EventRetention.BATCH : 3);
                });
        MemberStore invitations = (MemberStore) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {MemberStore.class},
                (proxy, method, args) -> later(new MemberStore.InvitationsPruned(null, 0)));
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

    /** An answer on the event loop, a moment later, as the database's are. */
    private <T> Future<T> later(T value) {
        Promise<T> p = Promise.promise();
        vertx.runOnContext(v -> p.complete(value));
        return p.future();
    }

    /** A store that answers {@code method} with {@code answer} and nothing else. */
    @SuppressWarnings("unchecked")
    private static <S> S storeOf(Class<S> type, String method, Object answer) {
        return (S) Proxy.newProxyInstance(EventRetentionPassTest.class.getClassLoader(), new Class<?>[] {type},
                (proxy, m, args) -> {
                    if (m.getName().equals(method)) {
                        return Future.succeededFuture(answer);
                    }
                    throw new UnsupportedOperationException(m.getName());
                });
    }
}
