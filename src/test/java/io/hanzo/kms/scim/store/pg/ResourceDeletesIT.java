package io.hanzo.kms.scim.store.pg;

import io.hanzo.kms.scim.it.TestServer;
import io.hanzo.kms.scim.store.Audit;
import io.vertx.core.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static io.hanzo.kms.scim.store.pg.StoreFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A user's or group's delete is sent as one round trip ({@link ResourceDeletes}): the row, its feed
 * row and its event in one statement, what hangs on the row in a second one. The second statement is
 * sent before the first one's answer is known, so it must do nothing when the first deleted nothing,
 * and its own snapshot must see a membership that a write holding the row's lock committed meanwhile.
 */
class ResourceDeletesIT {
    private static final Audit AUDIT = new Audit(null, "DELETE /Users");
    private static StoreFixture db;

    @BeforeAll
    static void start() throws SQLException {
        db = StoreFixture.open(2, "Deletes");
    }

    @AfterAll
    static void stop() throws Exception {
        db.close();
    }

    @Test
    void aUserDeletedAtAVersionThatNoLongerMatchesKeepsItsMembershipsAndInvitations() throws Exception {
        UUID user = db.user();
        UUID group = group();
        member(group, user);
        UUID invitation = invitation(user);

        boolean deleted = await(users().delete(db.org, user, 7L, AUDIT));

        assertThat(deleted).isFalse();
        assertThat(db.count("SELECT count(*) FROM scim_users WHERE org_id = ? AND id = ?", user)).isEqualTo(1);
        assertThat(db.count("SELECT count(*) FROM scim_group_members WHERE org_id = ? AND user_id = ?", user)).isEqualTo(1);
        assertThat(db.count("SELECT count(*) FROM invitations WHERE org_id = ? AND id = ? AND voided_at IS NULL", invitation))
                .isEqualTo(1);
        assertThat(db.count("SELECT count(*) FROM resource_changes WHERE org_id = ? AND resource_id = ?", user)).isZero();
        assertThat(db.count("SELECT count(*) FROM scim_events WHERE org_id = ? AND resource_id = ?::text", user)).isZero();
    }

    @Test
    void aUserDeletedTakesItsMembershipsInvitationsFeedRowAndEventWithIt() throws Exception {
        UUID user = db.user();
        UUID group = group();
        member(group, user);
        UUID invitation = invitation(user);
        UUID used = invitation(user);
        db.update("UPDATE invitations SET used_at = now() WHERE org_id = ? AND id = ?", db.org, used);

        boolean deleted = await(users().delete(db.org, user, 1L, AUDIT));

        assertThat(deleted).isTrue();
        assertThat(db.count("SELECT count(*) FROM scim_users WHERE org_id = ? AND id = ?", user)).isZero();
        assertThat(db.count("SELECT count(*) FROM scim_group_members WHERE org_id = ? AND user_id = ?", user)).isZero();
        assertThat(db.count("SELECT count(*) FROM invitations WHERE org_id = ? AND id = ? AND voided_at IS NOT NULL", invitation))
                .isEqualTo(1);
        assertThat(db.count("SELECT count(*) FROM invitations WHERE org_id = ? AND id = ? AND voided_at IS NULL", used))
                .as("an invitation already used stays as it was").isEqualTo(1);
        assertThat(db.strings("SELECT kind || ' ' || version FROM resource_changes WHERE org_id = ? AND resource_id = ?", user))
                .containsExactly("user-deleted 2");
        assertThat(db.strings("SELECT operation || ' ' || resource_type || ' ' || status || ' ' || outcome FROM scim_events "
                + "WHERE org_id = ? AND resource_id = ?::text", user)).containsExactly("DELETE /Users User 204 success");
    }

    @Test
    void aDeleteWithoutAuditWritesNoEventAndAMissingUserIsNotDeleted() throws Exception {
        UUID user = db.user();
        assertThat(await(users().delete(db.org, user, null, null))).isTrue();
        assertThat(db.count("SELECT count(*) FROM scim_events WHERE org_id = ? AND resource_id = ?::text", user)).isZero();
        assertThat(db.strings("SELECT kind FROM resource_changes WHERE org_id = ? AND resource_id = ?", user))
                .containsExactly("user-deleted");

        assertThat(await(users().delete(db.org, user, null, AUDIT))).isFalse();
        assertThat(db.count("SELECT count(*) FROM resource_changes WHERE org_id = ? AND resource_id = ?", user)).isEqualTo(1);
        assertThat(db.count("SELECT count(*) FROM scim_events WHERE org_id = ? AND resource_id = ?::text", user)).isZero();
    }

    /**
     * A membership batch locks its users, then adds them; a delete waits for that lock. Its second
     * statement must see what the batch committed, or the membership would outlive its user.
     */
    @Test
    void aMembershipCommittedWhileTheDeleteWaitedForTheUsersLockGoesWithTheUser() throws Exception {
        UUID user = db.user();
        UUID group = group();
        DatabaseTarget target = TestServer.database();
        try (Connection adder = DriverManager.getConnection(target.jdbcUrl(), target.user(), target.password())) {
            adder.setAutoCommit(false);
            try (PreparedStatement lock = adder.prepareStatement(
                    "SELECT 1 FROM scim_users WHERE org_id = ? AND id = ? FOR KEY SHARE")) {
                lock.setObject(1, db.org);
                lock.setObject(2, user);
                lock.executeQuery().close();
            }
            Future<Boolean> deleting = users().delete(db.org, user, null, AUDIT);
            waitForTheDeleteToWait();
            assertThat(deleting.isComplete()).as("the delete waits for the adder's lock").isFalse();
            try (PreparedStatement add = adder.prepareStatement(
                    "INSERT INTO scim_group_members (org_id, group_id, user_id) VALUES (?, ?, ?)")) {
                add.setObject(1, db.org);
                add.setObject(2, group);
                add.setObject(3, user);
                add.executeUpdate();
            }
            adder.commit();
            assertThat(await(deleting)).isTrue();
        }
        assertThat(db.count("SELECT count(*) FROM scim_group_members WHERE org_id = ? AND user_id = ?", user)).isZero();
    }

    @Test
    void aGroupDeletedAtAVersionThatNoLongerMatchesKeepsItsMembers() throws Exception {
        UUID user = db.user();
        UUID group = group();
        member(group, user);
        PgGroupStore groups = new PgGroupStore(db.pool);

        assertThat(await(groups.delete(db.org, group, 5L, AUDIT))).isFalse();
        assertThat(db.count("SELECT count(*) FROM scim_group_members WHERE org_id = ? AND group_id = ?", group)).isEqualTo(1);
        assertThat(db.count("SELECT count(*) FROM resource_changes WHERE org_id = ? AND resource_id = ?", group)).isZero();

        assertThat(await(groups.delete(db.org, group, 1L, new Audit(null, "DELETE /Groups")))).isTrue();
        assertThat(db.count("SELECT count(*) FROM scim_groups WHERE org_id = ? AND id = ?", group)).isZero();
        assertThat(db.count("SELECT count(*) FROM scim_group_members WHERE org_id = ? AND group_id = ?", group)).isZero();
        assertThat(db.count("SELECT count(*) FROM scim_users WHERE org_id = ? AND id = ?", user)).isEqualTo(1);
        assertThat(db.strings("SELECT kind || ' ' || version FROM resource_changes WHERE org_id = ? AND resource_id = ?", group))
                .containsExactly("group-deleted 2");
        assertThat(db.strings("SELECT operation || ' ' || resource_type FROM scim_events WHERE org_id = ? AND resource_id = ?::text",
                group)).containsExactly("DELETE /Groups Group");
    }

    private static PgUserStore users() {
        return new PgUserStore(db.pool);
    }

    /** Until the delete's backend waits for the user's row lock (up to 10 s). */
    private static void waitForTheDeleteToWait() throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < until) {
            if (db.someoneWaitsForALock("DELETE FROM scim_users")) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no backend waited for the user's lock");
    }

    private static UUID group() throws SQLException {
        UUID id = UUID.randomUUID();
        db.update("INSERT INTO scim_groups (org_id, id, display_name, attributes, version, created_at, updated_at) "
                + "VALUES (?, ?, ?, '{}', 1, now(), now())", db.org, id, "delete-" + id);
        return id;
    }

    private static void member(UUID group, UUID user) throws SQLException {
        db.update("INSERT INTO scim_group_members (org_id, group_id, user_id) VALUES (?, ?, ?)", db.org, group, user);
    }

    private static UUID invitation(UUID user) throws SQLException {
        UUID id = UUID.randomUUID();
        db.update("INSERT INTO invitations (org_id, id, user_id, created_at) VALUES (?, ?, ?, now())", db.org, id, user);
        return id;
    }
}
