package io.hanzo.kms.scim.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.hanzo.kms.scim.store.pg.DatabaseSetup;
import io.hanzo.kms.scim.store.pg.DatabaseTarget;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The server's PostgreSQL restarted, then stopped for 10 s, under a small concurrent load of SCIM
 * reads and writes, admin reads, readiness probes and a revoked token. Nothing is ever answered 500
 * or left hanging; while the database is down writes get 503 with Retry-After and readiness is 503;
 * once it is back writes succeed again within seconds, without restarting the server; the valid
 * token is never refused and the revoked one never accepted; a token revoked while the server could
 * not hear of it is refused once it has reloaded.
 */
@ExtendWith(VertxExtension.class)
class DatabaseOutageIT {
    private static final String USERS = TestOrg.SCIM + "/Users";
    /** The server's request deadline; no answer may take much longer. */
    private static final int REQUEST_TIMEOUT_SECONDS = 5;
    /**
     * How much longer than the server's deadline an answer may take as the client measures it: the
     * time a request waits to be read and a loaded 2-core machine's scheduling of the 11 load threads.
     * A request the server left unanswered would still exceed it, or reach the client's 30 s timeout.
     */
    private static final int ANSWER_MARGIN_SECONDS = 7;
    private static final int CONNECT_TIMEOUT_SECONDS = 2;
    private static final int WAIT_TIMEOUT_SECONDS = 3;
    /**
     * From the database up to writes succeeding for good. A write begun as it comes up can wait the
     * pool's wait timeout for a connection whose connect, begun while it was still starting, takes the
     * connect timeout to give up; then a fresh connection serves it. The margin is for a loaded
     * machine, where the reconnect competes with the load and with reloading 300 organisations' tokens.
     * Writes failing for good would still exceed it: the load goes on well past it.
     */
    private static final long RECOVERY_BOUND_MILLIS = (CONNECT_TIMEOUT_SECONDS + WAIT_TIMEOUT_SECONDS + 5) * 1000L;

    private static Path dir;
    private static int pgPort;
    private static volatile DatabaseTarget db;
    private static TestServer server;
    private static ApiClient client;
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /** One answer (or its absence, status -1) with when its request started and how long it took. */
    record Outcome(String kind, long startedNanos, long endedNanos, int status, String retryAfter, String body) {
        long millis() {
            return (endedNanos - startedNanos) / 1_000_000;
        }

        boolean write() {
            return kind.equals("create") || kind.equals("patch");
        }

        @Override
        public String toString() {
            return kind + " " + status + " in " + millis() + " ms" + (retryAfter == null ? "" : " Retry-After " + retryAfter)
                    + (status >= 500 || status < 0 ? " " + body : "");
        }
    }

    @BeforeAll
    static void start(Vertx vertx) throws IOException {
        dir = Files.createTempDirectory("kms-scim-outage");
        pgPort = TestServer.freePort();
        db = DatabaseSetup.startEmbedded(dir.resolve("postgres"), pgPort);
        server = TestServer.start(db, dir, Map.of(
                "SCIM_DATABASE_CONNECT_TIMEOUT_SECONDS", Integer.toString(CONNECT_TIMEOUT_SECONDS),
                "SCIM_DATABASE_WAIT_TIMEOUT_SECONDS", Integer.toString(WAIT_TIMEOUT_SECONDS),
                "SCIM_HTTP_REQUEST_TIMEOUT_SECONDS", Integer.toString(REQUEST_TIMEOUT_SECONDS)));
        client = new ApiClient(vertx, server.port());
    }

    @AfterAll
    static void stop() throws Exception {
        client.close();
        server.stop();
        db.embedded().close();
        TempDirectories.delete(dir);
    }

    @Test
    void anOutageIsAnswered503AndOverWithinSecondsWithoutRestartingTheServer() throws Exception {
        // Other organisations, so that reloading every token after a reconnect takes a while: long
        // enough for requests to arrive meanwhile.
        for (int i = 0; i < 300; i++) {
            assertThat(client.post("/api/v1/organizations", TestServer.ADMIN_TOKEN,
                    "{\"name\":\"Neighbour " + i + "\",\"plan\":\"pro\"}").status()).isEqualTo(201);
        }
        TestOrg org = TestOrg.create(client, "Outage Org");
        String orgPath = "/api/v1/organizations/" + org.id();
        String revoked = newToken(org.id());
        String revokedId = tokenIdOf(org.id(), 1);
        assertThat(client.delete(orgPath + "/scim-tokens/" + revokedId, TestServer.ADMIN_TOKEN).status()).isEqualTo(204);
        String silentlyRevoked = newToken(org.id());
        String silentlyRevokedId = tokenIdOf(org.id(), 1);
        assertThat(get(USERS + "?count=1", silentlyRevoked).statusCode()).isEqualTo(200);

        ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger seq = new AtomicInteger();
        List<Thread> load = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            load.add(loop(running, () -> {
                String name = "outage-" + seq.incrementAndGet() + "@example.com";
                Outcome created = call("create", "POST", USERS, org.token(), "{\"userName\":\"" + name + "\"}");
                outcomes.add(created);
                if (created.status() == 201) {
                    String id = new ApiClient.Response(201, null, created.body()).json().get("id").asText();
                    outcomes.add(call("patch", "PATCH", USERS + "/" + id, org.token(),
                            "{\"Operations\":[{\"op\":\"replace\",\"path\":\"title\",\"value\":\"t" + seq.get() + "\"}]}"));
                    outcomes.add(call("get", "GET", USERS + "/" + id, org.token(), null));
                }
            }));
        }
        for (int r = 0; r < 4; r++) {
            load.add(loop(running, () -> outcomes.add(call("lookup", "GET",
                    USERS + "?filter=" + ApiClient.encode("userName eq \"outage-1@example.com\""), org.token(), null))));
        }
        load.add(loop(running, () -> outcomes.add(call("admin", "GET", orgPath + "/members?limit=5",
                TestServer.ADMIN_TOKEN, null))));
        load.add(loop(running, () -> outcomes.add(call("revoked", "GET", USERS + "?count=1", revoked, null))));
        load.add(loop(running, () -> {
            outcomes.add(call("ready", "GET", "/health/ready", null, null));
            pause(100);
        }));
        load.forEach(Thread::start);

        pause(2_000);
        long restartBegins = System.nanoTime();
        restartDatabase();
        long restartEnds = System.nanoTime();
        pause(4_000);

        // A revocation this server does not hear of (written without a change notification), as when
        // another instance revokes while this one's change feed is disconnected.
        revokeWithoutNotification(org.id(), silentlyRevokedId);
        long downFrom = System.nanoTime();
        db.embedded().close();
        long downSince = System.nanoTime();
        pause(10_000);
        long upBegins = System.nanoTime();
        db = DatabaseSetup.startEmbedded(dir.resolve("postgres"), pgPort);
        long upSince = System.nanoTime();
        long refusedAfter = awaitRefused(silentlyRevoked, upSince);
        // Long enough after the database is up that writes failing past the recovery bound are seen.
        long loadUntil = Math.max(System.nanoTime() + 6_000_000_000L, upSince + (RECOVERY_BOUND_MILLIS + 6_000) * 1_000_000);
        pause((loadUntil - System.nanoTime()) / 1_000_000);
        running.set(false);
        for (Thread t : load) {
            t.join(30_000);
        }

        List<Outcome> all = new ArrayList<>(outcomes);
        // Never a 500 (nor any 5xx but 503), never a request left without an answer.
        assertThat(all).filteredOn(o -> o.status() < 0 || (o.status() >= 500 && o.status() != 503)).isEmpty();
        assertThat(all).filteredOn(o -> o.millis() > (REQUEST_TIMEOUT_SECONDS + ANSWER_MARGIN_SECONDS) * 1000L).isEmpty();
        // Every 503 asks to retry later.
        assertThat(all).filteredOn(o -> o.status() == 503 && !o.kind().equals("ready"))
                .allSatisfy(o -> assertThat(o.retryAfter()).as(o.toString()).isNotNull());
        // The valid token is never refused; the revoked one is never accepted.
        assertThat(all).filteredOn(o -> !o.kind().equals("revoked") && !o.kind().equals("ready"))
                .filteredOn(o -> o.status() == 401 || o.status() == 403).isEmpty();
        assertThat(all).filteredOn(o -> o.kind().equals("revoked")).isNotEmpty()
                .allSatisfy(o -> assertThat(o.status()).as(o.toString()).isEqualTo(401));

        // While the database is down (from a second after it stopped until it is started again):
        // writes and database reads answer 503, readiness is 503.
        Predicate<Outcome> whileDown = o -> o.startedNanos() > downSince + 1_000_000_000L && o.endedNanos() < upBegins;
        List<Outcome> down = all.stream().filter(whileDown).collect(Collectors.toList());
        assertThat(down).filteredOn(Outcome::write).isNotEmpty()
                .allSatisfy(o -> assertThat(o.status()).as(o.toString()).isEqualTo(503));
        assertThat(down).filteredOn(o -> o.kind().equals("admin")).isNotEmpty()
                .allSatisfy(o -> assertThat(o.status()).as(o.toString()).isEqualTo(503));
        assertThat(down).filteredOn(o -> o.kind().equals("ready")).isNotEmpty()
                .allSatisfy(o -> assertThat(o.status()).as(o.toString()).isEqualTo(503));

        // Back: writes succeed again within seconds, and keep succeeding.
        long firstWriteOk = all.stream().filter(o -> o.write() && o.startedNanos() > upSince && o.status() / 100 == 2)
                .mapToLong(Outcome::endedNanos).min().orElse(Long.MAX_VALUE);
        long lastWriteFailed = all.stream().filter(o -> o.write() && o.startedNanos() > upSince && o.status() / 100 != 2)
                .mapToLong(Outcome::endedNanos).max().orElse(upSince);
        long lastReadyDown = all.stream().filter(o -> o.kind().equals("ready") && o.startedNanos() > upSince
                && o.status() != 200).mapToLong(Outcome::endedNanos).max().orElse(upSince);
        assertThat((firstWriteOk - upSince) / 1_000_000).as("ms from database up to the first successful write")
                .isLessThan(RECOVERY_BOUND_MILLIS);
        assertThat((lastWriteFailed - upSince) / 1_000_000).as("ms from database up to the last failed write")
                .isLessThan(RECOVERY_BOUND_MILLIS);
        assertThat((lastReadyDown - upSince) / 1_000_000).as("ms from database up to ready").isLessThan(RECOVERY_BOUND_MILLIS);

        System.out.printf("Database outage: %d requests; restart took %d ms; down %d ms (stop took %d ms); "
                        + "503 answers %d (with Retry-After %d), 2xx %d, 401 for the revoked token %d; while down: %d writes "
                        + "all 503, %d reads served from memory; after the database was up: first successful write %d ms, "
                        + "last failed write %d ms, ready again %d ms, silently revoked token refused after %d ms; "
                        + "slowest answer %d ms%n",
                all.size(), (restartEnds - restartBegins) / 1_000_000, (upBegins - downSince) / 1_000_000,
                (downSince - downFrom) / 1_000_000,
                all.stream().filter(o -> o.status() == 503).count(),
                all.stream().filter(o -> o.status() == 503 && o.retryAfter() != null).count(),
                all.stream().filter(o -> o.status() / 100 == 2).count(),
                all.stream().filter(o -> o.kind().equals("revoked")).count(),
                down.stream().filter(Outcome::write).count(),
                down.stream().filter(o -> o.kind().equals("lookup") || o.kind().equals("get"))
                        .filter(o -> o.status() == 200).count(),
                (firstWriteOk - upSince) / 1_000_000, (lastWriteFailed - upSince) / 1_000_000,
                (lastReadyDown - upSince) / 1_000_000, refusedAfter,
                all.stream().mapToLong(Outcome::millis).max().orElse(0));
    }

    private static void restartDatabase() throws Exception {
        db.embedded().close();
        db = DatabaseSetup.startEmbedded(dir.resolve("postgres"), pgPort);
    }

    /** Waits until the token is refused; answers the milliseconds since {@code since}. */
    private static long awaitRefused(String token, long since) throws Exception {
        long deadline = since + 20_000_000_000L;
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = get(USERS + "?count=1", token);
            if (r.statusCode() == 401) {
                return (System.nanoTime() - since) / 1_000_000;
            }
            pause(50);
        }
        throw new AssertionError("A token revoked while the server could not hear of it was still accepted 20 s after "
                + "the database came back");
    }

    private static void revokeWithoutNotification(String orgId, String tokenId) throws Exception {
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
             PreparedStatement ps = c.prepareStatement(
                     "UPDATE scim_tokens SET revoked_at = now() WHERE org_id = ? AND id = ?")) {
            ps.setObject(1, UUID.fromString(orgId));
            ps.setObject(2, UUID.fromString(tokenId));
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }
    }

    private static String newToken(String orgId) {
        ApiClient.Response tok = client.post("/api/v1/organizations/" + orgId + "/scim-tokens", TestServer.ADMIN_TOKEN,
                "{\"description\":\"outage\"}");
        assertThat(tok.status()).as(tok.text()).isEqualTo(201);
        return tok.json().get("token").asText();
    }

    /** The id of the organisation's n-th newest token. */
    private static String tokenIdOf(String orgId, int n) {
        ApiClient.Response list = client.get("/api/v1/organizations/" + orgId + "/scim-tokens", TestServer.ADMIN_TOKEN);
        var tokens = list.json().get("tokens");
        return tokens.get(tokens.size() - n).get("id").asText();
    }

    private static Thread loop(AtomicBoolean running, Runnable step) {
        Thread t = new Thread(() -> {
            while (running.get()) {
                step.run();
            }
        });
        t.setDaemon(true);
        return t;
    }

    private static Outcome call(String kind, String method, String path, String token, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            b.header("Content-Type", "application/scim+json");
        }
        long start = System.nanoTime();
        try {
            HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Outcome(kind, start, System.nanoTime(), r.statusCode(), r.headers().firstValue("Retry-After")
                    .orElse(null), r.body());
        } catch (IOException e) {
            return new Outcome(kind, start, System.nanoTime(), -1, null, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome(kind, start, System.nanoTime(), -1, null, e.toString());
        }
    }

    private static HttpResponse<String> get(String path, String token) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
