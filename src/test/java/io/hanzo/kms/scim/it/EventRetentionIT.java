package io.hanzo.kms.scim.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Provisioning events older than the retention (90 days by default) are deleted in the background, in
 * batches; newer ones stay. So are invitations that ended (voided or used) before then, all but each
 * person's newest.
 */
@ExtendWith(VertxExtension.class)
class EventRetentionIT {
    private static final SecureRandom RANDOM = new SecureRandom();

    private static TestServer server;
    private static ApiClient client;

    @BeforeAll
    static void start(Vertx vertx) {
        server = TestServer.start(Map.of("SCIM_EVENTS_PRUNE_INTERVAL_SECONDS", "1"));
        client = new ApiClient(vertx, server.port());
    }

    @AfterAll
    static void stop() {
        client.close();
        server.stop();
    }

    @Test
    void eventsPastTheRetentionArePrunedAndRecentOnesKept() throws Exception {
        TestOrg org = TestOrg.create(client, "Retention Org");
        TestOrg neighbour = TestOrg.create(client, "Retention Neighbour");
        Instant now = Instant.now();
        // More than one batch of expired events, in two organisations, and events just inside the retention.
        insert(org.id(), now.minus(Duration.ofDays(120)), 2_500);
        insert(org.id(), now.minus(Duration.ofDays(91)), 100);
        insert(neighbour.id(), now.minus(Duration.ofDays(365)), 50);
        insert(org.id(), now.minus(Duration.ofDays(89)), 40);
        insert(neighbour.id(), now.minus(Duration.ofDays(1)), 10);
        // One made the ordinary way.
        assertThat(client.post(TestOrg.SCIM + "/Users", org.token(), "{\"userName\":\"kept\"}").status()).isEqualTo(201);
        Instant cutoff = now.minus(Duration.ofDays(90));

        long deadline = System.nanoTime() + 30_000_000_000L;
        long started = System.nanoTime();
        while (count(org.id(), cutoff, true) + count(neighbour.id(), cutoff, true) > 0) {
            assertThat(System.nanoTime()).as("expired events still there after 30 s").isLessThan(deadline);
            Thread.sleep(100);
        }
        long ms = (System.nanoTime() - started) / 1_000_000;
        assertThat(count(org.id(), cutoff, false)).isEqualTo(41);
        assertThat(count(neighbour.id(), cutoff, false)).isEqualTo(10);
        ApiClient.Response events = client.get("/api/v1/organizations/" + org.id() + "/scim-events?limit=100",
                TestServer.ADMIN_TOKEN);
        assertThat(events.status()).isEqualTo(200);
        System.out.printf("Event retention: 2,650 expired events in two organisations pruned within %d ms; 51 recent kept%n",
                ms);
    }

    /**
     * Ended invitations older than the retention go, in the background; each person keeps their
     * newest, even one that ended long ago, and what ended within the retention stays.
     */
    @Test
    void endedInvitationsPastTheRetentionArePrunedButEachPersonKeepsTheNewest() throws Exception {
        TestOrg org = TestOrg.create(client, "Invitation Retention Org");
        String changed = create(org, "changed-address");
        UUID current = MembershipDb.invitations(org.id(), changed).get(0).id();
        Instant now = Instant.now();
        UUID oldVoided = insert(org.id(), changed, now.minus(Duration.ofDays(200)), "voided_at", now.minus(Duration.ofDays(120)));
        UUID oldUsed = insert(org.id(), changed, now.minus(Duration.ofDays(150)), "used_at", now.minus(Duration.ofDays(100)));
        UUID recentVoided = insert(org.id(), changed, now.minus(Duration.ofDays(100)), "voided_at", now.minus(Duration.ofDays(30)));
        // A person whose only invitations ended long ago: the newest of them stays.
        String quiet = create(org, "quiet");
        UUID provisioned = MembershipDb.invitations(org.id(), quiet).get(0).id();
        void_(org.id(), provisioned, now.minus(Duration.ofDays(300)));
        UUID newestOfQuiet = insert(org.id(), quiet, now.minus(Duration.ofDays(250)), "voided_at", now.minus(Duration.ofDays(200)));

        Polling.until(Duration.ofSeconds(30), () -> assertThat(ids(org.id(), changed)).doesNotContain(oldVoided, oldUsed));
        Polling.until(Duration.ofSeconds(30), () -> assertThat(ids(org.id(), quiet)).doesNotContain(provisioned));

        assertThat(ids(org.id(), changed)).containsExactlyInAnyOrder(current, recentVoided);
        assertThat(ids(org.id(), quiet)).containsExactly(newestOfQuiet);
    }

    /** A new user of the organisation, named after {@code who}; their id. */
    private static String create(TestOrg org, String who) {
        return new ScimChecks(client).createUser(org, ScimChecks.user(who + "-" + UUID.randomUUID())).path("id").asText();
    }

    private static List<UUID> ids(String orgId, String userId) {
        return MembershipDb.invitations(orgId, userId).stream().map(MembershipDb.Invitation::id).toList();
    }

    /** An invitation of the person made at {@code created}, ended ({@code column}: voided_at or used_at) at {@code ended}. */
    private static UUID insert(String orgId, String userId, Instant created, String column, Instant ended) throws SQLException {
        UUID id = UUID.randomUUID();
        try (Connection c = MembershipDb.connect(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO invitations (org_id, id, user_id, created_at, recipient, " + column + ") "
                        + "VALUES (?, ?, ?, ?, 'old@example.com', ?)")) {
            ps.setObject(1, UUID.fromString(orgId));
            ps.setObject(2, id);
            ps.setObject(3, UUID.fromString(userId));
            ps.setObject(4, OffsetDateTime.ofInstant(created, ZoneOffset.UTC));
            ps.setObject(5, OffsetDateTime.ofInstant(ended, ZoneOffset.UTC));
            ps.executeUpdate();
        }
        return id;
    }

    /** Voids the invitation at {@code at}, and dates it back to then. */
    private static void void_(String orgId, UUID invitationId, Instant at) throws SQLException {
        try (Connection c = MembershipDb.connect(); PreparedStatement ps = c.prepareStatement(
                "UPDATE invitations SET voided_at = ?, created_at = ? WHERE org_id = ? AND id = ?")) {
            ps.setObject(1, OffsetDateTime.ofInstant(at, ZoneOffset.UTC));
            ps.setObject(2, OffsetDateTime.ofInstant(at, ZoneOffset.UTC));
            ps.setObject(3, UUID.fromString(orgId));
            ps.setObject(4, invitationId);
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }
    }

    /** {@code n} success events of the organisation made at {@code at}, with ids as made then. */
    private static void insert(String orgId, Instant at, int n) throws SQLException {
        try (Connection c = MembershipDb.connect(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO scim_events (org_id, id, at, operation, resource_type, status, outcome) "
                        + "VALUES (?, ?, ?, 'POST /Users', 'User', 201, 'success')")) {
            for (int i = 0; i < n; i++) {
                ps.setObject(1, UUID.fromString(orgId));
                ps.setObject(2, idAt(at));
                ps.setObject(3, OffsetDateTime.ofInstant(at, ZoneOffset.UTC));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static long count(String orgId, Instant cutoff, boolean older) throws SQLException {
        try (Connection c = MembershipDb.connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT count(*) FROM scim_events WHERE org_id = ? AND at " + (older ? "<" : ">=") + " ?")) {
            ps.setObject(1, UUID.fromString(orgId));
            ps.setObject(2, OffsetDateTime.ofInstant(cutoff, ZoneOffset.UTC));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** A version 7 id of the given time (RFC 9562 §5.7). */
    private static UUID idAt(Instant at) {
        long msb = (at.toEpochMilli() << 16) | (0x7L << 12) | RANDOM.nextInt(1 << 12);
        long lsb = (RANDOM.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb);
    }
}
