package io.hanzo.kms.scim.store.pg;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hanzo.kms.scim.it.TestServer;
import io.hanzo.kms.scim.protocol.group.MemberOp;
import io.hanzo.kms.scim.store.Audit;
import io.hanzo.kms.scim.store.DuplicateKeyException;
import io.hanzo.kms.scim.store.GroupWrite;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static io.hanzo.kms.scim.store.pg.StoreFixture.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A group's creation and update go in two round trips ({@link PipelinedTransactions#twoRoundTrips}):
 * the writes with BEGIN, then the event and the change-feed row with COMMIT. The membership statements are sent before the
 * group's row lock has answered, so they must be rolled back when it finds nothing; and a failed
 * write must leave its connection outside any transaction (the pool here has one connection).
 */
class GroupWritesIT {
    private static final Audit AUDIT = new Audit(null, "PATCH /Groups");
    private static StoreFixture db;
    private static PgGroupStore groups;

    @BeforeAll
    static void start() throws SQLException {
        db = StoreFixture.open(1, "Group writes");
        groups = new PgGroupStore(db.pool);
    }

    @AfterAll
    static void stop() throws Exception {
        db.close();
    }

    @Test
    void aCreationWritesItsMembersEventAndFeedRowAndNamesWhatItSkipped() throws Exception {
        UUID a = db.user();
        UUID b = db.user();
        UUID stranger = UUID.randomUUID();
        UUID group = UUID.randomUUID();

        GroupWrite w = await(groups.insert(db.org, group, attributes("Create " + group), List.of(a.toString(), "not-an-id",
                b.toString(), stranger.toString()), AUDIT));

        assertThat(w.added()).containsExactlyInAnyOrder(a, b);
        assertThat(w.skipped()).containsExactly("not-an-id", stranger.toString());
        assertThat(members(group)).containsExactlyInAnyOrder(a.toString(), b.toString());
        assertThat(db.strings("SELECT kind || ' ' || version || ' ' || cardinality(added) FROM resource_changes "
                + "WHERE org_id = ? AND resource_id = ?", group)).containsExactly("group 1 2");
        assertThat(db.strings("SELECT status || ' ' || detail FROM scim_events WHERE org_id = ? AND resource_id = ?::text", group))
                .containsExactly("201 Skipped 2 member id(s) that name no user of the organization: not-an-id, " + stranger);
    }

    @Test
    void aCreationWhoseNameIsTakenWritesNothingAndLeavesItsConnectionReady() throws Exception {
        UUID a = db.user();
        String name = "Taken " + UUID.randomUUID();
        await(groups.insert(db.org, UUID.randomUUID(), attributes(name), List.of(), AUDIT));
        UUID second = UUID.randomUUID();

        assertThatThrownBy(() -> await(groups.insert(db.org, second, attributes(name.toUpperCase()), List.of(a.toString()), AUDIT)))
                .hasCauseInstanceOf(DuplicateKeyException.class);

        assertThat(members(second)).isEmpty();
        assertThat(db.strings("SELECT count(*) FROM resource_changes WHERE org_id = ? AND resource_id = ?", second))
                .containsExactly("0");
        StoreFixture.assertOutsideATransaction(db.pool);
        UUID third = UUID.randomUUID();
        assertThat(await(groups.insert(db.org, third, attributes("After " + third), List.of(a.toString()), AUDIT)).added())
                .as("the pool's only connection is usable after the failure").containsExactly(a);
    }

    @Test
    void anUpdateAtAVersionThatNoLongerMatchesUndoesTheMembershipStatementsSentWithIt() throws Exception {
        UUID a = db.user();
        UUID b = db.user();
        UUID group = UUID.randomUUID();
        await(groups.insert(db.org, group, attributes("Versioned " + group), List.of(a.toString()), AUDIT));

        Optional<GroupWrite> w = await(groups.update(db.org, group, attributes("Renamed " + group), 7L,
                List.of(new MemberOp(MemberOp.Kind.REMOVE, List.of(a.toString())), new MemberOp(MemberOp.Kind.ADD, List.of(b.toString()))), AUDIT));

        assertThat(w).isEmpty();
        StoreFixture.assertOutsideATransaction(db.pool);
        assertThat(members(group)).containsExactly(a.toString());
        assertThat(db.strings("SELECT version || ' ' || display_name FROM scim_groups WHERE org_id = ? AND id = ?", group))
                .containsExactly("1 Versioned " + group);
        assertThat(db.strings("SELECT count(*) FROM resource_changes WHERE org_id = ? AND resource_id = ?", group))
                .containsExactly("1");
    }

    /**
     * The stale update's membership statements are sent before its lock has answered; they must do
     * nothing when it found no row, for another writer holds the lock: an add would wait for that
     * writer's uncommitted membership, then fail on the primary key (answered as a taken
     * displayName) or deadlock with it.
     */
    @Test
    void aStaleUpdateLeavesAWriterThatHoldsTheLockAlone() throws Exception {
        UUID a = db.user();
        UUID b = db.user();
        UUID group = UUID.randomUUID();
        await(groups.insert(db.org, group, attributes("Contended " + group), List.of(), AUDIT));
        DatabaseTarget target = TestServer.database();
        try (Connection writer = DriverManager.getConnection(target.jdbcUrl(), target.user(), target.password())) {
            writer.setAutoCommit(false);
            execute(writer, "UPDATE scim_groups SET version = version + 1 WHERE org_id = ? AND id = ?", group);
            execute(writer, "INSERT INTO scim_group_members (org_id, group_id, user_id) VALUES (?, ?, ?)", group, b);

            Optional<GroupWrite> stale = groups.update(db.org, group, attributes("Stale " + group), 0L,
                    List.of(new MemberOp(MemberOp.Kind.ADD, List.of(a.toString(), b.toString()))), AUDIT)
                    .toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);

            assertThat(stale).as("answered while the other writer still holds the lock").isEmpty();
            StoreFixture.assertOutsideATransaction(db.pool);
            execute(writer, "INSERT INTO scim_group_members (org_id, group_id, user_id) VALUES (?, ?, ?)", group, a);
            writer.commit();
        }
        assertThat(members(group)).containsExactlyInAnyOrder(a.toString(), b.toString());
        assertThat(db.strings("SELECT version || ' ' || display_name FROM scim_groups WHERE org_id = ? AND id = ?", group))
                .containsExactly("2 Contended " + group);
    }

    @Test
    void anUpdateOfAGroupThatIsNotThereLeavesNoMembership() throws Exception {
        UUID a = db.user();
        UUID missing = UUID.randomUUID();

        Optional<GroupWrite> w = await(groups.update(db.org, missing, null, null, List.of(new MemberOp(MemberOp.Kind.ADD, List.of(a.toString()))), AUDIT));

        assertThat(w).isEmpty();
        StoreFixture.assertOutsideATransaction(db.pool);
        assertThat(members(missing)).isEmpty();
        assertThat(await(groups.insert(db.org, UUID.randomUUID(), attributes("Next " + missing), List.of(), AUDIT)).row())
                .as("the pool's only connection is usable afterwards").isNotNull();
    }

    @Test
    void anUpdateAppliesItsOperationsInOrder() throws Exception {
        UUID a = db.user();
        UUID b = db.user();
        UUID c = db.user();
        UUID group = UUID.randomUUID();
        await(groups.insert(db.org, group, attributes("Ordered " + group), List.of(a.toString(), b.toString()), AUDIT));

        // b is removed then added again (no net change); c is added then everything but c is replaced by c.
        GroupWrite w = await(groups.update(db.org, group, attributes("Ordered renamed " + group), 1L, List.of(
                new MemberOp(MemberOp.Kind.REMOVE, List.of(b.toString())), new MemberOp(MemberOp.Kind.ADD, List.of(b.toString(), c.toString(), "x")),
                new MemberOp(MemberOp.Kind.REPLACE_ALL, List.of(c.toString(), "y"))), AUDIT)).orElseThrow();

        assertThat(members(group)).containsExactly(c.toString());
        assertThat(w.added()).containsExactly(c);
        assertThat(w.removed()).containsExactlyInAnyOrder(a, b);
        assertThat(w.skipped()).containsExactly("x", "y");
        assertThat(w.row().version()).isEqualTo(2);
        assertThat(db.strings("SELECT version || ' ' || cardinality(added) || ' ' || cardinality(removed) FROM resource_changes "
                + "WHERE org_id = ? AND resource_id = ? ORDER BY version", group)).containsExactly("1 2 0", "2 1 2");
    }

    private static ObjectNode attributes(String displayName) {
        return JsonNodeFactory.instance.objectNode().put("displayName", displayName);
    }

    private static void execute(Connection c, String sql, UUID group, UUID... user) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, db.org);
            ps.setObject(2, group);
            for (int i = 0; i < user.length; i++) {
                ps.setObject(3 + i, user[i]);
            }
            ps.executeUpdate();
        }
    }

    private static List<String> members(UUID group) throws SQLException {
        return db.strings("SELECT user_id FROM scim_group_members WHERE org_id = ? AND group_id = ?", group);
    }
}
