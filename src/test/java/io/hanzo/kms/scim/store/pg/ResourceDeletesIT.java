package io.hanzo.kms.scim.store.pg;

import io.hanzo.kms.scim.it.TestServer;
import io.hanzo.kms.scim.store.Audit;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A user's or group's delete is sent as one round trip ({@link ResourceDeletes}): the row, its feed
 * row and its event in one statement, what hangs on the row in a second one. The second statement is
 * sent before the first one's answer is known, so it must do nothing when the first deleted nothing,
 * and its own snapshot must see a membership that a write holding the row's lock committed meanwhile.
 */
class ResourceDeletesIT {
    private static final Audit AUDIT = new Audit(null, "DELETE /Users");
    private static Vertx vertx;
    private static Pool pool;
    private static Connection db;
    private static UUID org;

    @BeforeAll
    static void start() throws SQLException {
        DatabaseTarget target = TestServer.database();
        DatabaseSetup.migrate(target);
        vertx = Vertx.vertx();
        pool = DatabaseSetup.pool(vertx, target, 2);
        db = DriverManager.getConnection(target.jdbcUrl(), target.user(), target.password());
        org = UUID.randomUUID();
        update("INSERT INTO organizations (id, name, plan, scim_enabled, created_at, updated_at) "
                + "VALUES (?, 'Deletes', 'pro', true, now(), now())", org);
    }

    @AfterAll
    static void stop() throws Exception {
        db.close();
        await(pool.close());
        await(vertx.close());
    }

    @Test
    void aUserDeletedAtAVersionThatNoLongerMatchesKeepsItsMembershipsAndInvitations() throws Exception {
        UUID user = user();
        UUID group = group();
        member(group, user);
        UUID invitation = invitation(user);

        boolean deleted = await(new PgUserStore(pool).delete(org, user, 7L, AUDIT));

        assertThat(deleted).isFalse();
        assertThat(count("SELECT count(*) FROM scim_users WHERE org_id = ? AND id = ?", user)).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM scim_group_members WHERE org_id = ? AND user_id = ?", user)).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM invitations WHERE org_id = ? AND id = ? AND voided_at IS NULL", invitation))
                .isEqualTo(1);
        assertThat(count("SELECT count(*) FROM resource_changes WHERE org_id = ? AND resource_id = ?", user)).isZero();
        assertThat(count("SELECT count(*) FROM scim_events WHERE org_id = ? AND resource_id = ?::text", user)).isZero();
    }

    @Test
    void aUserDeletedTakesItsMembershipsInvitationsFeedRowAndEventWithIt() throws Exception {
        UUID user = user();
        UUID group = group();
        member(group, user);
        UUID invitation = invitation(user);
        UUID used = invitation(user);
        update("UPDATE invitations SET used_at = now() WHERE org_id = ? AND id = ?", org, used);

        boolean deleted = await(new PgUserStore(pool).delete(org, user, 1L, AUDIT));

        assertThat(deleted).isTrue();
        assertThat(count("SELECT count(*) FROM scim_users WHERE org_id = ? AND id = ?", user)).isZero();
        assertThat(count("SELECT count(*) FROM scim_group_members WHERE org_id = ? AND user_id = ?", user)).isZero();
        assertThat(count("SELECT count(*) FROM invitations WHERE org_id = ? AND id = ? AND voided_at IS NOT NULL", invitation))
                .isEqualTo(1);
        assertThat(count("SELECT count(*) FROM invitations WHERE org_id = ? AND id = ? AND voided_at IS NULL", used))
                .as("an invitation already used stays as it was").isEqualTo(1);
        assertThat(strings("SELECT kind || ' ' || version FROM resource_changes WHERE org_id = ? AND resource_id = ?", user))
                .containsExactly("user-deleted 2");
        assertThat(strings("SELECT operation || ' ' || resource_type || ' ' || status || ' ' || outcome FROM scim_events "
                + "WHERE org_id = ? AND resource_id = ?::text", user)).containsExactly("DELETE /Users User 204 success");
    }

    @Test
    void aDeleteWithoutAuditWritesNoEventAndAMissingUserIsNotDeleted() throws Exception {
        UUID user = user();
        assertThat(await(new PgUserStore(pool).delete(org, user, null, null))).isTrue();
        assertThat(count("SELECT count(*) FROM scim_events WHERE org_id = ? AND resource_id = ?::text", user)).isZero();
        assertThat(strings("SELECT kind FROM resource_changes WHERE org_id = ? AND resource_id = ?", user))
                .containsExactly("user-deleted");

        assertThat(await(new PgUserStore(pool).delete(org, user, null, AUDIT))).isFalse();
        assertThat(count("SELECT count(*) FROM resource_changes WHERE org_id = ? AND resource_id = ?", user)).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM scim_events WHERE org_id = ? AND resource_id = ?::text", user)).isZero();
    }

    /**
     * A membership batch locks its users, then adds them; a delete waits for that lock. Its second
     * statement must see what the batch committed, or the membership would outlive its user.
     */
    @Test
    void aMembershipCommittedWhileTheDeleteWaitedForTheUsersLockGoesWithTheUser() throws Exception {
        UUID user = user();
        UUID group = group();
        DatabaseTarget target = TestServer.database();
        try (Connection adder = DriverManager.getConnection(target.jdbcUrl(), target.user(), target.password())) {
            adder.setAutoCommit(false);
            try (PreparedStatement lock = adder.prepareStatement(
                    "SELECT 1 FROM scim_users WHERE org_id = ? AND id = ? FOR KEY SHARE")) {
                lock.setObject(1, org);
                lock.setObject(2, user);
                lock.executeQuery().close();
            }
            Future<Boolean> deleting = new PgUserStore(pool).delete(org, user, null, AUDIT);
            waitForLockWait();
            assertThat(deleting.isComplete()).as("the delete waits for the adder's lock").isFalse();
            try (PreparedStatement add = adder.prepareStatement(
                    "INSERT INTO scim_group_members (org_id, group_id, user_id) VALUES (?, ?, ?)")) {
                add.setObject(1, org);
                add.setObject(2, group);
                add.setObject(3, user);
                add.executeUpdate();
            }
            adder.commit();
            assertThat(await(deleting)).isTrue();
        }
        assertThat(count("SELECT count(*) FROM scim_group_members WHERE org_id = ? AND user_id = ?", user)).isZero();
    }

    @Test
    void aGroupDeletedAtAVersionThatNoLongerMatchesKeepsItsMembers() throws Exception {
        UUID user = user();
        UUID group = group();
        member(group, user);

        assertThat(await(new PgGroupStore(pool).delete(org, group, 5L, AUDIT))).isFalse();
        assertThat(count("SELECT count(*) FROM scim_group_members WHERE org_id = ? AND group_id = ?", group)).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM resource_changes WHERE org_id = ? AND resource_id = ?", group)).isZero();

        assertThat(await(new PgGroupStore(pool).delete(org, group, 1L, new Audit(null, "DELETE /Groups")))).isTrue();
        assertThat(count("SELECT count(*) FROM scim_groups WHERE org_id = ? AND id = ?", group)).isZero();
        assertThat(count("SELECT count(*) FROM scim_group_members WHERE org_id = ? AND group_id = ?", group)).isZero();
        assertThat(count("SELECT count(*) FROM scim_users WHERE org_id = ? AND id = ?", user)).isEqualTo(1);
        assertThat(strings("SELECT kind || ' ' || version FROM resource_changes WHERE org_id = ? AND resource_id = ?", group))
                .containsExactly("group-deleted 2");
        assertThat(strings("SELECT operation || ' ' || resource_type FROM scim_events WHERE org_id = ? AND resource_id = ?::text",
                group)).containsExactly("DELETE /Groups Group");
    }

    /** Until a backend of this database waits for a row lock (up to 10 s). */
    private static void waitForLockWait() throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < until) {
            try (PreparedStatement ps = db.prepareStatement(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%DELETE FROM scim_users%'");
                 ResultSet rs = ps.executeQuery()) {
                if (rs.next() && rs.getLong(1) > 0) {
                    return;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no backend waited for the user's lock");
    }

    private static UUID user() throws SQLException {
        UUID id = UUID.randomUUID();
        update("INSERT INTO scim_users (org_id, id, user_name, active, attributes, version, created_at, updated_at) "
                + "VALUES (?, ?, ?, true, '{}', 1, now(), now())", org, id, "delete-" + id);
        return id;
    }

    private static UUID group() throws SQLException {
        UUID id = UUID.randomUUID();
        update("INSERT INTO scim_groups (org_id, id, display_name, attributes, version, created_at, updated_at) "
                + "VALUES (?, ?, ?, '{}', 1, now(), now())", org, id, "delete-" + id);
        return id;
    }

    private static void member(UUID group, UUID user) throws SQLException {
        update("INSERT INTO scim_group_members (org_id, group_id, user_id) VALUES (?, ?, ?)", org, group, user);
    }

    private static UUID invitation(UUID user) throws SQLException {
        UUID id = UUID.randomUUID();
        update("INSERT INTO invitations (org_id, id, user_id, created_at) VALUES (?, ?, ?, now())", org, id, user);
        return id;
    }

    private static void update(String sql, Object... parameters) throws SQLException {
        try (PreparedStatement ps = prepared(sql, parameters)) {
            ps.executeUpdate();
        }
    }

    /** The statement's first parameter is the organisation; {@code more} are the next ones. */
    private static long count(String sql, Object... more) throws SQLException {
        return Long.parseLong(strings(sql, more).get(0));
    }

    /** The first column of every row; the statement's first parameter is the organisation. */
    private static List<String> strings(String sql, Object... more) throws SQLException {
        Object[] parameters = new Object[more.length + 1];
        parameters[0] = org;
        System.arraycopy(more, 0, parameters, 1, more.length);
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = prepared(sql, parameters); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    private static PreparedStatement prepared(String sql, Object... parameters) throws SQLException {
        PreparedStatement ps = db.prepareStatement(sql);
        for (int i = 0; i < parameters.length; i++) {
            ps.setObject(i + 1, parameters[i]);
        }
        return ps;
    }

    private static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
}
