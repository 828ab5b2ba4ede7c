package io.hanzo.kms.scim.store.pg;

import static io.hanzo.kms.scim.store.pg.StoreFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.hanzo.kms.scim.admin.ScimToken;
import io.hanzo.kms.scim.it.TestServer;
import io.hanzo.kms.scim.store.Audit;
import io.hanzo.kms.scim.store.Ids;
import io.hanzo.kms.scim.store.OrganizationErasedException;
import io.hanzo.kms.scim.store.ScimEvent;
import io.vertx.core.Future;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * An erasure's batches on an organisation of some size: two instances finishing it at once both
 * succeed, between them delete every row once, and leave the organisations around it as they were.
 */
class OrganizationErasureStoreIT {
    private static final int USERS = 4_000;
    private static final int GROUPS = 5;
    private static final int BATCH = 500;
    private static final List<String> TABLES = List.of("scim_users", "scim_groups", "scim_group_members", "invitations",
            "scim_events", "resource_changes");

    @Test
    void twoInstancesFinishingTheSameErasureBothSucceedAndDeleteEveryRowOnce() throws Exception {
        try (StoreFixture f = StoreFixture.open(6, "Erased at once"); StoreFixture kept = StoreFixture.open(2, "Kept")) {
            fill(f);
            kept.user();
            PgOrganizationStore store = new PgOrganizationStore(f.pool);
            PgOrganizationStore otherInstance = new PgOrganizationStore(kept.pool);
            long rows = 1;
            for (String t : TABLES) {
                rows += f.count("SELECT count(*) FROM " + t + " WHERE org_id = ?");
            }

            assertThat(await(store.erase(f.org, Instant.now()))).isTrue();
            assertThat(await(store.erase(f.org, Instant.now()))).as("erased already").isFalse();
            assertThat(await(store.find(f.org))).isNull();
            assertThat(await(store.all())).noneMatch(o -> o.id().equals(f.org));
            assertThat(await(store.erasing())).contains(f.org);

            Future<Long> one = store.finishErasure(f.org, BATCH);
            Future<Long> two = otherInstance.finishErasure(f.org, BATCH);
            long deleted = await(one) + await(two);

            assertThat(deleted).isEqualTo(rows);
            for (String t : TABLES) {
                assertThat(f.count("SELECT count(*) FROM " + t + " WHERE org_id = ?")).as(t).isZero();
            }
            assertThat(f.count("SELECT count(*) FROM organizations WHERE id = ?")).isZero();
            assertThat(await(store.erasing())).doesNotContain(f.org);
            assertThat(kept.count("SELECT count(*) FROM scim_users WHERE org_id = ?")).isEqualTo(1);
            assertThat(kept.count("SELECT count(*) FROM organizations WHERE id = ?")).isEqualTo(1);
        }
    }

    /**
     * With a snapshot open elsewhere (a dump, a report), the rows a batch deletes keep their index
     * entries: each batch goes on from the key where the one before stopped, so the index entries the
     * erasure reads grow with the organisation's rows, not with their square.
     */
    @Test
    void eachBatchGoesOnFromTheKeyWhereTheOneBeforeStopped() throws Exception {
        int events = 4_000;
        int batch = 100;
        try (StoreFixture f = StoreFixture.open(1, "Erased under a snapshot")) {
            f.update("INSERT INTO scim_events (org_id, id, at, operation, status, outcome) "
                    + "SELECT ?, gen_random_uuid(), now(), 'POST /Users', 201, 'success' FROM generate_series(1, ?)",
                    f.org, events);
            PgOrganizationStore store = new PgOrganizationStore(f.pool);
            assertThat(await(store.erase(f.org, Instant.now()))).isTrue();
            try (Connection snapshot = connect();
                 Connection statistics = connect()) {
                snapshot.setAutoCommit(false);
                snapshot.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
                try (PreparedStatement ps = snapshot.prepareStatement("SELECT count(*) FROM scim_events");
                     ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                }
                long before = eventKeyEntriesRead(statistics);
                int backend = await(f.pool.query("SELECT pg_backend_pid()").execute()).iterator().next().getInteger(0);
                assertThat(await(store.finishErasure(f.org, batch))).isEqualTo(events + 1);
                // A backend sends the statistics collector what it has read at the latest when it ends.
                await(f.pool.close());
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (backendRuns(statistics, backend)) {
                    assertThat(System.nanoTime()).as("the pool's connection ends").isLessThan(deadline);
                    Thread.sleep(10);
                }
                // The collector counts what it was sent in its own time: every entry is read at least
                // once, and the count is taken once it has stopped changing.
                long read = eventKeyEntriesRead(statistics) - before;
                long seen = -1;
                while (read < events || read != seen) {
                    assertThat(System.nanoTime()).as("the statistics arrive").isLessThan(deadline);
                    Thread.sleep(500);
                    seen = read;
                    read = eventKeyEntriesRead(statistics) - before;
                }
                // Each entry once by the batches and once by the last check; from the first key each
                // time, about events * events / batch / 2 (80,000).
                assertThat(read).isBetween((long) events, 3L * events);
                snapshot.rollback();
            }
        }
    }

    private static long eventKeyEntriesRead(Connection statistics) throws SQLException {
        try (PreparedStatement ps = statistics.prepareStatement(
                "SELECT idx_tup_read FROM pg_stat_user_indexes WHERE indexrelid = 'scim_events_pkey'::regclass");
             ResultSet rs = ps.executeQuery()) {
            assertThat(rs.next()).isTrue();
            return rs.getLong(1);
        }
    }

    private static boolean backendRuns(Connection c, int pid) throws SQLException {
        return anyActivity(c, "pid = ?", pid);
    }

    /** Whether pg_stat_activity has a row meeting {@code condition}, whose one parameter is a backend's pid. */
    private static boolean anyActivity(Connection c, String condition, int pid) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM pg_stat_activity WHERE " + condition)) {
            ps.setInt(1, pid);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getLong(1) > 0;
            }
        }
    }

    /**
     * A write that holds one of the organisation's people (a membership add locks each FOR KEY SHARE)
     * and then asks for another, while the erasure deletes them: the erasure waits for no row while it
     * holds others, so the two never wait for each other in a circle, and both succeed.
     */
    @Test
    void aWriteHoldingOnePersonAndAskingForAnotherDoesNotDeadlockWithTheErasure() throws Exception {
        try (StoreFixture f = StoreFixture.open(2, "Held during erasure")) {
            // The erasure deletes a batch in the primary key's order: the write holds the later.
            List<String> byKey = twoPeopleByKey(f);
            PgOrganizationStore store = new PgOrganizationStore(f.pool);
            assertThat(await(store.erase(f.org, Instant.now()))).isTrue();
            Future<Long> erasing;
            try (Connection writer = connect()) {
                writer.setAutoCommit(false);
                assertThat(lock(writer, f.org, byKey.get(1))).isTrue();
                erasing = store.finishErasure(f.org, BATCH);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                waitUntil("the erasure waits for the held person", deadline,
                        () -> f.someoneWaitsForALock("DELETE FROM scim_users"));
                assertThat(lock(writer, f.org, byKey.get(0))).as("deleted already").isFalse();
                writer.commit();
            }
            assertThat(await(erasing)).isEqualTo(3);
        }
    }

    /**
     * Two writes hold one person each through the first pass, which passes over both; the waiting pass
     * then waits for the first. Once it has that one and waits for the other, the write holding the
     * other asks for the first, as a membership add naming them in that order does: the waiting pass
     * holds no person while it waits for another, so it finds the first deleted already.
     */
    @Test
    void theWaitingPassHoldsNoPersonWhileItWaitsForAnother() throws Exception {
        try (StoreFixture f = StoreFixture.open(2, "Held through the first pass")) {
            List<String> byKey = twoPeopleByKey(f);
            PgOrganizationStore store = new PgOrganizationStore(f.pool);
            assertThat(await(store.erase(f.org, Instant.now()))).isTrue();
            Future<Long> erasing;
            try (Connection first = connect();
                 Connection later = connect();
                 Connection watcher = connect()) {
                first.setAutoCommit(false);
                later.setAutoCommit(false);
                assertThat(lock(first, f.org, byKey.get(0))).isTrue();
                assertThat(lock(later, f.org, byKey.get(1))).isTrue();
                int laterBackend = backend(later);
                erasing = store.finishErasure(f.org, BATCH);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                waitUntil("the waiting pass waits for the first person", deadline,
                        () -> f.someoneWaitsForALock("DELETE FROM scim_users"));
                first.commit();
                waitUntil("the waiting pass waits for the later person", deadline,
                        () -> erasureWaitsFor(watcher, laterBackend));
                assertThat(lock(later, f.org, byKey.get(0))).as("deleted already").isFalse();
                later.commit();
            }
            assertThat(await(erasing)).isEqualTo(3);
        }
    }

    /** A question to the database that a wait asks again until it answers true. */
    private interface Condition {
        boolean holds() throws SQLException;
    }

    /** Asks {@code condition} every 10 ms until it holds; fails, saying {@code what}, past the deadline. */
    private static void waitUntil(String what, long deadline, Condition condition) throws SQLException, InterruptedException {
        while (!condition.holds()) {
            assertThat(System.nanoTime()).as(what).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    /** Two people of the organisation, in the primary key's order (the erasure's batches'). */
    private static List<String> twoPeopleByKey(StoreFixture f) throws SQLException {
        f.user();
        f.user();
        return f.strings("SELECT id::text FROM scim_users WHERE org_id = ? ORDER BY id");
    }

    private static Connection connect() throws SQLException {
        DatabaseTarget target = TestServer.database();
        return DriverManager.getConnection(target.jdbcUrl(), target.user(), target.password());
    }

    private static int backend(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_backend_pid()"); ResultSet rs = ps.executeQuery()) {
            assertThat(rs.next()).isTrue();
            return rs.getInt(1);
        }
    }

    /**
     * Whether an erasure batch of the people waits for a lock that backend holds, seen from a
     * connection outside a transaction (one inside sees the activity as when it first looked).
     */
    private static boolean erasureWaitsFor(Connection c, int holder) throws SQLException {
        return anyActivity(c, "query LIKE '%DELETE FROM scim_users%' AND ? = ANY(pg_blocking_pids(pid))", holder);
    }

    /**
     * Writes that hold no row the erasure deletes first add nothing once it has begun, also through an
     * instance that has not heard of it: a refusal's record, a write that changes nothing (it reads the
     * person without holding them), a token.
     */
    @Test
    void writesThatHoldNoRowAddNothingOnceTheErasureHasBegun() throws Exception {
        try (StoreFixture f = StoreFixture.open(2, "Late writes")) {
            UUID user = f.user();
            PgOrganizationStore store = new PgOrganizationStore(f.pool);
            assertThat(await(store.erase(f.org, Instant.now()))).isTrue();

            await(new PgEventStore(f.pool).record(new ScimEvent(f.org, Ids.newId(), Instant.now(), null, "GET /Users",
                    "User", "x", 404, "refused", "late")));
            assertThat(await(new PgUserStore(f.pool).unchanged(f.org, user, 1, new Audit(null, "PUT /Users")))).isPresent();
            assertThat(f.count("SELECT count(*) FROM scim_events WHERE org_id = ?")).isZero();
            Future<ScimToken> token = new PgTokenStore(f.pool).insert(new ScimToken(f.org, Ids.newId(), new byte[32],
                    "late", Instant.now(), null, null, null));
            assertThat(token.toCompletionStage().toCompletableFuture().handle((t, e) -> e).get(30, TimeUnit.SECONDS))
                    .isInstanceOf(OrganizationErasedException.class);
            assertThat(f.count("SELECT count(*) FROM scim_tokens WHERE org_id = ?")).isZero();
            assertThat(await(store.finishErasure(f.org, BATCH))).as("the person and the organisation").isEqualTo(2);
        }
    }

    /** Locks a person as a membership add does; false when there is no such person. */
    private static boolean lock(Connection c, UUID org, String user) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT id FROM scim_users WHERE org_id = ? AND id = ?::uuid FOR KEY SHARE")) {
            ps.setObject(1, org);
            ps.setString(2, user);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** Users in groups (every user in every group), an invitation, an event and a change-feed row each. */
    private static void fill(StoreFixture f) throws Exception {
        f.update("INSERT INTO scim_users (org_id, id, user_name, active, attributes, version, created_at, updated_at) "
                + "SELECT ?, gen_random_uuid(), 'erased' || n, true, '{}', 1, now(), now() "
                + "FROM generate_series(1, ?) AS n", f.org, USERS);
        f.update("INSERT INTO scim_groups (org_id, id, display_name, attributes, version, created_at, updated_at) "
                + "SELECT ?, gen_random_uuid(), 'group' || n, '{}', 1, now(), now() FROM generate_series(1, ?) AS n",
                f.org, GROUPS);
        f.update("INSERT INTO scim_group_members (org_id, group_id, user_id) SELECT g.org_id, g.id, u.id "
                + "FROM scim_groups g JOIN scim_users u ON u.org_id = g.org_id WHERE g.org_id = ?", f.org);
        f.update("INSERT INTO invitations (org_id, id, user_id, created_at) "
                + "SELECT org_id, gen_random_uuid(), id, now() FROM scim_users WHERE org_id = ?", f.org);
        f.update("INSERT INTO scim_events (org_id, id, at, operation, status, outcome) "
                + "SELECT org_id, gen_random_uuid(), now(), 'POST /Users', 201, 'success' FROM scim_users WHERE org_id = ?",
                f.org);
        f.update("INSERT INTO resource_changes (org_id, kind, resource_id, version) "
                + "SELECT org_id, 'user', id, 1 FROM scim_users WHERE org_id = ?", f.org);
    }
}
