package io.hanzo.kms.scim.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The change feed reads over connections of its own: an instance whose requests hold every pooled
 * connection still takes in what another instance commits, while they hold them.
 */
@ExtendWith(VertxExtension.class)
class ChangeFeedConnectionsIT {
    /**
     * The requests wait for a lock the test holds, for as long as the check takes however slow the
     * machine, and are let go when it unlocks (a transaction's lock: gone when their statement ends).
     */
    private static final long HOLD_KEY = 7_240_411_905L;
    private static final String HOLD = "SELECT pg_advisory_xact_lock(" + HOLD_KEY + ") /* held by ChangeFeedConnectionsIT */";

    @Test
    void anInstanceWhoseRequestsHoldEveryConnectionStillFollowsOtherInstancesWrites(Vertx vertx) throws Exception {
        TestServer busy = TestServer.start(Map.of("SCIM_DATABASE_POOL_SIZE", "2"));
        ApiClient writer = new ApiClient(vertx, TestServer.shared().port());
        ApiClient reader = new ApiClient(vertx, busy.port());
        try {
            TestOrg org = TestOrg.create(writer, "Busy reader");
            // The busy instance has seen the organisation and its token before its pool fills.
            Polling.until(SharedDirectoryIT.LAG_BOUND,
                    () -> assertThat(reader.get(TestOrg.SCIM + "/Users?count=1", org.token()).status()).isEqualTo(200));

            try (Connection lock = MembershipDb.connect(); Statement st = lock.createStatement()) {
                st.execute("SELECT pg_advisory_lock(" + HOLD_KEY + ")");
                Pool requests = busy.app().services().pool();
                List<Future<RowSet<Row>>> held = List.of(requests.query(HOLD).execute(), requests.query(HOLD).execute());
                Pool observer = TestServer.shared().app().services().pool();
                Polling.until(SharedDirectoryIT.LAG_BOUND, () -> assertThat(observer.query(
                                "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query = '"
                                        + HOLD.replace("'", "''") + "'").execute().toCompletionStage().toCompletableFuture()
                        .join().iterator().next().getLong(0)).as("both pooled connections of the busy instance held")
                        .isEqualTo(2));

                ApiClient.Response created = writer.post(TestOrg.SCIM + "/Users", org.token(),
                        "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],\"userName\":\"busy.reader@example.com\"}");
                assertThat(created.status()).as(created.text()).isEqualTo(201);
                String filter = URLEncoder.encode("userName eq \"busy.reader@example.com\"", StandardCharsets.UTF_8);
                Polling.until(SharedDirectoryIT.LAG_BOUND, () -> {
                    ApiClient.Response r = reader.get(TestOrg.SCIM + "/Users?filter=" + filter, org.token());
                    assertThat(r.status()).as(r.text()).isEqualTo(200);
                    assertThat(r.json().path("totalResults").asInt()).as("the user created on the other instance, found on "
                            + "the busy one").isEqualTo(1);
                });
                assertThat(held).as("found while the requests still held every pooled connection")
                        .noneMatch(Future::isComplete);

                st.execute("SELECT pg_advisory_unlock(" + HOLD_KEY + ")");
                for (Future<RowSet<Row>> f : held) {
                    f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
                }
            }
        } finally {
            writer.close();
            reader.close();
            busy.stop();
        }
    }
    /**
     * A listening connection that goes silent without closing (here: its backend stopped) is noticed by
     * its heartbeat and replaced, and the replacement's reload brings in a revocation made meanwhile.
     */
    @Test
    void aSilentAdminConnectionIsReplacedAndARevocationMadeMeanwhileReachesTheInstance(Vertx vertx) throws Exception {
        TestServer listener = TestServer.start(Map.of("SCIM_DATABASE_POOL_SIZE", "2"));
        ApiClient admin = new ApiClient(vertx, TestServer.shared().port());
        ApiClient reader = new ApiClient(vertx, listener.port());
        int stopped = listener.app().adminChangeFeed().listeningProcessId();
        try {
            TestOrg org = TestOrg.create(admin, "Silent listener");
            ApiClient.Response made = admin.post("/api/v1/organizations/" + org.id() + "/scim-tokens", TestServer.ADMIN_TOKEN,
                    "{\"description\":\"revoked while unheard\"}");
            assertThat(made.status()).as(made.text()).isEqualTo(201);
            String token = made.json().path("token").asText();
            Polling.until(SharedDirectoryIT.LAG_BOUND,
                    () -> assertThat(reader.get(TestOrg.SCIM + "/Users?count=1", token).status()).isEqualTo(200));

            assertThat(stopped).isPositive();
            signal("-STOP", stopped);
            ApiClient.Response revoked = admin.delete("/api/v1/organizations/" + org.id() + "/scim-tokens/"
                    + made.json().path("id").asText(), TestServer.ADMIN_TOKEN);
            assertThat(revoked.status()).as(revoked.text()).isEqualTo(204);

            // Two heartbeats, a reconnection and a reload, with room for a slow machine.
            Polling.until(java.time.Duration.ofSeconds(40),
                    () -> assertThat(reader.get(TestOrg.SCIM + "/Users?count=1", token).status()).isEqualTo(401));
            assertThat(listener.app().adminChangeFeed().listeningProcessId()).isNotEqualTo(stopped);
        } finally {
            signal("-CONT", stopped);
            admin.close();
            reader.close();
            listener.stop();
        }
    }

    private static void signal(String which, int pid) throws Exception {
        Process kill = new ProcessBuilder("kill", which, Integer.toString(pid)).inheritIO().start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).as("kill %s %d", which, pid).isZero();
    }
}
