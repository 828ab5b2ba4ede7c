package io.hanzo.kms.scim.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Overload never queues without end: with one pooled connection held (by a write waiting on a row
 * lock) and a wait queue of one, further database requests are answered 503 with Retry-After, at once
 * when the queue is full and after the wait timeout when queued; the held request itself gets 503
 * at the request deadline. Once the lock goes, requests succeed again.
 */
@ExtendWith(VertxExtension.class)
class DatabaseQueueIT {
    private static final int WAIT_TIMEOUT_SECONDS = 1;
    private static final int REQUEST_TIMEOUT_SECONDS = 3;

    private static TestServer server;
    private static ApiClient client;

    @BeforeAll
    static void start(Vertx vertx) {
        server = TestServer.start(Map.of(
                "SCIM_DATABASE_POOL_SIZE", "1",
                "SCIM_DATABASE_MAX_WAIT_QUEUE", "1",
                "SCIM_DATABASE_WAIT_TIMEOUT_SECONDS", Integer.toString(WAIT_TIMEOUT_SECONDS),
                "SCIM_HTTP_REQUEST_TIMEOUT_SECONDS", Integer.toString(REQUEST_TIMEOUT_SECONDS),
                "SCIM_INVITATIONS_POLL_MILLIS", "3600000"));
        client = new ApiClient(vertx, server.port());
    }

    @AfterAll
    static void stop() {
        client.close();
        server.stop();
    }

    record Timed(ApiClient.Response response, long millis) {
    }

    private static Future<Timed> timed(HttpMethod method, String path, String token, String body) {
        long start = System.nanoTime();
        return client.send(method, path, token, body).map(r -> new Timed(r, (System.nanoTime() - start) / 1_000_000));
    }

    /** Waits until a backend (the write's, holding the pool's only connection) waits on a lock {@code holder} holds. */
    private static void awaitBlockedBy(Connection holder) throws SQLException {
        int pid;
        try (Statement st = holder.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            pid = rs.getInt(1);
        }
        try (Connection c = MembershipDb.connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT count(*) FROM pg_stat_activity WHERE ? = ANY(pg_blocking_pids(pid))")) {
            ps.setInt(1, pid);
            Polling.until(Duration.ofSeconds(10), () -> {
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    assertThat(rs.getLong(1)).as("backends waiting on the test's lock").isPositive();
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
        }
    }

    @Test
    void aFullWaitQueueAnswers503WithRetryAfterAndRecovers() throws Exception {
        // The one connection is shared with the change feed's reads, so with a queue of one even set-up
        // may meet a full queue: it is retried, as a client told Retry-After would.
        AtomicReference<TestOrg> madeOrg = new AtomicReference<>();
        Polling.until(Duration.ofSeconds(10), () -> madeOrg.compareAndSet(null, TestOrg.create(client, "Queue Org")));
        TestOrg org = madeOrg.get();
        AtomicReference<String> madeUser = new AtomicReference<>();
        Polling.until(Duration.ofSeconds(10), () -> {
            ApiClient.Response created = client.post(TestOrg.SCIM + "/Users", org.token(), "{\"userName\":\"queued\"}");
            assertThat(created.status()).as(created.text()).isEqualTo(201);
            madeUser.set(created.json().get("id").asText());
        });
        String userId = madeUser.get();
        String members = "/api/v1/organizations/" + org.id() + "/members?limit=5";

        Timed held;
        List<Timed> crowd = new ArrayList<>();
        try (Connection c = MembershipDb.connect()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM scim_users WHERE org_id = ? AND id = ? FOR UPDATE")) {
                ps.setObject(1, UUID.fromString(org.id()));
                ps.setObject(2, UUID.fromString(userId));
                ps.executeQuery().close();
            }
            // This write takes the only connection and waits on the lock.
            Future<Timed> write = timed(HttpMethod.PATCH, TestOrg.SCIM + "/Users/" + userId, org.token(),
                    "{\"Operations\":[{\"op\":\"replace\",\"path\":\"title\",\"value\":\"held\"}]}");
            awaitBlockedBy(c);
            List<Future<Timed>> others = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                others.add(timed(HttpMethod.GET, members, TestServer.ADMIN_TOKEN, null));
            }
            for (Future<Timed> f : others) {
                crowd.add(ApiClient.await(f));
            }
            held = ApiClient.await(write);
            c.rollback();
        }

        for (Timed t : crowd) {
            assertThat(t.response().status()).as(t.response().text()).isEqualTo(503);
            assertThat(t.response().header("Retry-After")).isNotNull();
            assertThat(t.response().json().path("schemas").get(0).asText())
                    .isEqualTo("urn:ietf:params:scim:api:messages:2.0:Error");
        }
        long immediate = crowd.stream().filter(t -> t.millis() < WAIT_TIMEOUT_SECONDS * 1000L).count();
        assertThat(immediate).as("refused at once, the queue being full").isGreaterThanOrEqualTo(9);
        assertThat(crowd).allSatisfy(t -> assertThat(t.millis()).isLessThan((WAIT_TIMEOUT_SECONDS + 2) * 1000L));

        assertThat(held.response().status()).as(held.response().text()).isEqualTo(503);
        assertThat(held.response().header("Retry-After")).isNotNull();
        assertThat(held.response().json().path("detail").asText()).contains("retry later");
        assertThat(held.millis()).isBetween(REQUEST_TIMEOUT_SECONDS * 1000L - 200, REQUEST_TIMEOUT_SECONDS * 1000L + 2000);

        // The lock is gone: requests are served again.
        long deadline = System.nanoTime() + 10_000_000_000L;
        int status = 0;
        while (System.nanoTime() < deadline && status != 200) {
            status = client.get(members, TestServer.ADMIN_TOKEN).status();
        }
        assertThat(status).isEqualTo(200);
        System.out.printf("Pool of 1, wait queue of 1: %d of %d requests refused 503 at once (slowest %d ms), the held "
                        + "write answered 503 at the %d s deadline after %d ms%n", immediate, crowd.size(),
                crowd.stream().mapToLong(Timed::millis).max().orElse(0), REQUEST_TIMEOUT_SECONDS, held.millis());
    }
}
