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
import java.util.Map;
import java.util.UUID;

/**
 * Provisioning events older than the retention (90 days by default) are deleted in the background, in
 * batches; newer ones stay.
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
