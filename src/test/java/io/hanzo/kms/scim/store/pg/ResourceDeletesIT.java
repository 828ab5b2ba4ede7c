package io.hanzo.kms.scim.store.pg;

import io.hanzo.kms.scim.it.TestServer;
import io.hanzo.kms.scim.store.Audit;
import io.hanzo.kms.scim.store.MemberStore;
import io.vertx.core.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static io.hanzo.kms.scim.store.pg.StoreFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A user's or group's delete is sent as one round trip ({@link ResourceDeletes}): the row, its feed
 * row and its event in one statement, what hangs on the row in a second one. The second statement is
 * sent before the first one's answer is known, so it must do nothing when the first deleted nothing,
 * and its own snapshot must see a membership that a write holding the row's lock committed meanwhile.
 * A deleted user's invitations go with them, also while the outbox is sending one, and migration V8
 * deletes those an earlier version kept.
 */
class ResourceDeletesIT {
    private static final Audit AUDIT = new Audit(null, "DELETE /Users");
    private static final String MIGRATION = "db/migration/V8__invitations_of_deleted_users.sql";
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
        invitation(user);
        UUID used = invitation(user);
        db.update("UPDATE invitations SET used_at = now(), token_hash = '\\x01', recipient = 'a@example.com' "
                + "WHERE org_id = ? AND id = ?", db.org, used);
        UUID neighbour = db.user();
        UUID kept = invitation(neighbour);

        boolean deleted = await(users().delete(db.org, user, 1L, AUDIT));

        assertThat(deleted).isTrue();
        assertThat(db.count("SELECT count(*) FROM scim_users WHERE org_id = ? AND id = ?", user)).isZero();
        assertThat(db.count("SELECT count(*) FROM scim_group_members WHERE org_id = ? AND user_id = ?", user)).isZero();
        assertThat(db.count("SELECT count(*) FROM invitations WHERE org_id = ? AND user_id = ?", user))
                .as("the user's invitations, open and used, with their addresses and token hashes").isZero();
        assertThat(db.count("SELECT count(*) FROM invitations WHERE org_id = ? AND id = ?", kept))
                .as("another user's invitation").isEqualTo(1);
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

    /**
     * The outbox claimed the person's invitation and is sending it when the person is deleted: the
     * invitation goes, and the outbox's report on it, sent or failed, changes nothing and fails nothing.
     */
    @Test
    void anInvitationDeletedWhileBeingSentLeavesTheOutboxsReportNothingToDo() throws Exception {
        UUID user = db.user();
        db.update("INSERT INTO invitations (org_id, id, user_id, created_at) VALUES (?, ?, ?, now())",
                db.org, UUID.randomUUID(), user);
        PgMemberStore members = new PgMemberStore(db.pool);
        Instant now = Instant.now();
        Instant claimedUntil = now.plus(Duration.ofMinutes(5));
        List<MemberStore.Delivery> claimed = await(members.claimPending(db.org, 10,
                id -> new MemberStore.MintedToken("token", new byte[] {1, 2, 3}), now, now.plus(Duration.ofDays(1)),
                claimedUntil));
        // The organisation's other tests leave invitations too: the claim may hold them as well.
        UUID invitation = claimed.stream().filter(d -> d.userId().equals(user)).findFirst().orElseThrow().invitationId();

        assertThat(await(new PgUserStore(db.pool).delete(db.org, user, null, AUDIT))).isTrue();
        assertThat(db.count("SELECT count(*) FROM invitations WHERE org_id = ? AND user_id = ?", user)).isZero();

        await(members.sent(db.org, List.of(invitation), Instant.now(), claimedUntil));
        await(members.failed(db.org, List.of(new MemberStore.Retry(invitation, Instant.now().plusSeconds(60))), claimedUntil));
        assertThat(db.count("SELECT count(*) FROM invitations WHERE org_id = ? AND user_id = ?", user)).isZero();
        assertThat(await(members.claimPending(db.org, 10, id -> new MemberStore.MintedToken("token", new byte[] {1}),
                Instant.now(), Instant.now().plus(Duration.ofDays(1)), Instant.now().plusSeconds(60))))
                .extracting(MemberStore.Delivery::userId).doesNotContain(user);
    }

    /**
     * The migration, run against tables shaped as the server's but of a schema of its own (so that
     * the rows other tests keep are left alone): nothing to do on empty tables; then it deletes the
     * invitations whose person is gone, keyed by organisation, and keeps every other one.
     */
    @Test
    void theMigrationDeletesTheInvitationsOfPeopleWhoAreGone() throws Exception {
        DatabaseTarget target = TestServer.database();
        String migration = resource(MIGRATION);
        UUID org = UUID.randomUUID();
        UUID otherOrg = UUID.randomUUID();
        UUID person = UUID.randomUUID();
        try (Connection c = DriverManager.getConnection(target.jdbcUrl(), target.user(), target.password())) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute("CREATE SCHEMA orphaned_invitations");
                s.execute("SET LOCAL search_path TO orphaned_invitations");
                s.execute("CREATE TABLE invitations (LIKE public.invitations INCLUDING ALL)");
                s.execute("CREATE TABLE scim_users (LIKE public.scim_users INCLUDING ALL)");
                assertThat(s.executeUpdate(migration)).as("rows deleted from empty tables").isZero();
            }
            execute(c, "INSERT INTO scim_users (org_id, id, user_name, active, attributes, version, created_at, updated_at) "
                    + "VALUES (?, ?, 'still-here', true, '{}', 1, now(), now())", org, person);
            UUID kept = invitation(c, org, person);
            UUID keptToo = invitation(c, org, person);
            invitation(c, org, UUID.randomUUID());
            // The same person's id, in an organisation where they are no user.
            invitation(c, otherOrg, person);
            try (Statement s = c.createStatement()) {
                assertThat(s.executeUpdate(migration)).as("rows deleted").isEqualTo(2);
                List<UUID> left = new ArrayList<>();
                try (ResultSet rs = s.executeQuery("SELECT id FROM invitations")) {
                    while (rs.next()) {
                        left.add(rs.getObject(1, UUID.class));
                    }
                }
                assertThat(left).containsExactlyInAnyOrder(kept, keptToo);
            } finally {
                c.rollback();
            }
        }
    }

    private static UUID invitation(Connection c, UUID org, UUID user) throws SQLException {
        UUID id = UUID.randomUUID();
        execute(c, "INSERT INTO invitations (org_id, id, user_id, created_at, recipient) VALUES (?, ?, ?, now(), 'a@example.com')",
                org, id, user);
        return id;
    }

    private static void execute(Connection c, String sql, Object... parameters) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                ps.setObject(i + 1, parameters[i]);
            }
            ps.executeUpdate();
        }
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = ResourceDeletesIT.class.getClassLoader().getResourceAsStream(name)) {
            assertThat(in).as(name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
