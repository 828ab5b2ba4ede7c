package io.hanzo.kms.scim.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.hanzo.kms.scim.cluster.HaproxyConfig;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * The repository's HAProxy configuration, rendered for three server instances on the shared database
 * and run by a real HAProxy: requests go through it, one token's requests stay on one instance, and
 * when that instance stops they move to another one with no error, and back once it is healthy again.
 * Which instance served a request is read from HAProxy's own per-server counters (its statistics CSV).
 * Skipped when HAProxy is not installed (.ci/run installs it).
 */
@ExtendWith(VertxExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HaproxyClusterIT {
    private static final Path TEMPLATE = Path.of("deploy/haproxy/haproxy.cfg.tmpl");
    private static final int INSTANCES = 3;
    private static final HttpClient STATS_HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private static final List<TestServer> servers = new ArrayList<>();
    private static final int[] ports = new int[INSTANCES];
    private static Process haproxy;
    private static Path workDir;
    private static int proxyPort;
    private static int statsPort;
    private static ApiClient proxy;
    private static TestOrg org;
    /** The instance (scim1..scim3) the organisation's token is sent to while all are healthy. */
    private static String home;

    @BeforeAll
    static void start(Vertx vertx) throws Exception {
        Optional<Path> binary = haproxyBinary();
        assumeTrue(binary.isPresent(), "HAProxy is not installed (apt-get install haproxy; .ci/run does it): "
                + "skipping the load balancer tests");
        proxyPort = freePort();
        statsPort = freePort();
        for (int i = 0; i < INSTANCES; i++) {
            TestServer s = TestServer.start(Map.of("SCIM_PUBLIC_URL", "http://localhost:" + proxyPort,
                    "SCIM_SHUTDOWN_UNREADY_SECONDS", "2"));
            servers.add(s);
            ports[i] = s.port();
        }
        workDir = Files.createTempDirectory("kms-scim-haproxy");
        Path config = workDir.resolve("haproxy.cfg");
        HaproxyConfig.render(TEMPLATE, config, "127.0.0.1:" + proxyPort, "127.0.0.1:" + statsPort,
                Arrays.stream(ports).mapToObj(p -> "127.0.0.1:" + p).toList());

        Process check = new ProcessBuilder(binary.get().toString(), "-c", "-f", config.toString())
                .redirectErrorStream(true).redirectOutput(workDir.resolve("check.log").toFile()).start();
        assertThat(check.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(check.exitValue()).as(Files.readString(workDir.resolve("check.log"))).isZero();

        File log = workDir.resolve("haproxy.log").toFile();
        haproxy = new ProcessBuilder(binary.get().toString(), "-db", "-f", config.toString())
                .redirectErrorStream(true).redirectOutput(log).start();
        awaitStats(rows -> INSTANCES == rows.stream().filter(r -> r.server().startsWith("scim") && r.status().equals("UP")).count(),
                "all three instances UP");
        proxy = new ApiClient(vertx, proxyPort);
    }

    @AfterAll
    static void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        if (haproxy != null) {
            haproxy.destroy();
            if (!haproxy.waitFor(10, TimeUnit.SECONDS)) {
                haproxy.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        for (TestServer s : servers) {
            s.stop();
        }
        TempDirectories.delete(workDir);
    }

    @Test
    @Order(1)
    void requestsGoThroughAndOneTokenStaysOnOneInstance() throws Exception {
        org = TestOrg.create(proxy, "Behind HAProxy");
        // The token was made on the admin token's instance; the others learn it by notification.
        awaitStatus(() -> proxy.get(TestOrg.SCIM + "/Users", org.token()).status(), 200);

        Map<String, Long> before = requestCounts();
        for (int i = 0; i < 20; i++) {
            ApiClient.Response r = proxy.get(TestOrg.SCIM + "/Users?count=1", org.token());
            assertThat(r.status()).as(r.text()).isEqualTo(200);
        }
        Map<String, Long> served = grown(before, requestCounts());
        assertThat(served).as("requests per instance").hasSize(1).containsValue(20L);
        home = served.keySet().iterator().next();

        ApiClient.Response created = proxy.post(TestOrg.SCIM + "/Users", org.token(),
                "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],\"userName\":\"ha.one@example.com\"}");
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        assertThat(created.header("Location")).startsWith("http://localhost:" + proxyPort + "/api/v1/scim/Users/");
        String id = created.json().path("id").asText();
        ApiClient.Response read = proxy.get(TestOrg.SCIM + "/Users/" + id, org.token());
        assertThat(read.status()).as(read.text()).isEqualTo(200);
        assertThat(read.json().path("userName").asText()).isEqualTo("ha.one@example.com");
    }

    @Test
    @Order(2)
    void whenItsInstanceStopsTheTokenMovesToAnotherWithoutAnError() throws Exception {
        assumeTrue(home != null, "needs the first test's token and instance");
        // Writes keep coming while the instance stops: it answers readiness 503 for a while before its
        // port closes, so HAProxy stops sending it requests first, and none is refused or cut off.
        List<String> outcomes = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean stopped = new AtomicBoolean();
        AtomicInteger seq = new AtomicInteger();
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < 8; w++) {
            Thread t = new Thread(() -> {
                while (!stopped.get()) {
                    String name = "ha.drain-" + seq.incrementAndGet() + "@example.com";
                    try {
                        ApiClient.Response r = proxy.post(TestOrg.SCIM + "/Users", org.token(),
                                "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],\"userName\":\"" + name + "\"}");
                        outcomes.add(r.status() == 201 ? "201" : r.status() + " " + r.text());
                    } catch (RuntimeException e) {
                        outcomes.add(name + ": " + e);
                    }
                }
            });
            writers.add(t);
            t.start();
        }
        Polling.until(Duration.ofSeconds(10), () -> assertThat(outcomes).hasSizeGreaterThan(40));
        int beforeStop = outcomes.size();
        // The stop's first step, readiness 503, is taken here, and its port closes only once HAProxy
        // has seen it DOWN: the configured pause (2 s) outlasts HAProxy's checks (next check within
        // 1 s, the second 250 ms later) on an idle machine, but a loaded one can delay them past it.
        TestServer stopping = server(home);
        stopping.app().services().ops().startDraining();
        awaitStats(rows -> row(rows, home).status().startsWith("DOWN"), home + " DOWN before its port closes");
        stopping.stop();
        int whileStopping = outcomes.size() - beforeStop;
        stopped.set(true);
        for (Thread t : writers) {
            t.join();
        }
        assertThat(whileStopping).as("writes answered while %s stopped", home).isPositive();
        assertThat(outcomes).as("writes sent around the stop of %s", home).allMatch("201"::equals);

        // At once: the others answer (a connection HAProxy still tried on it, refused, is retried on another).
        Map<String, Long> before = requestCounts();
        for (int i = 0; i < 10; i++) {
            ApiClient.Response r = proxy.get(TestOrg.SCIM + "/Users?count=1", org.token());
            assertThat(r.status()).as("request %d right after the stop: %s", i, r.text()).isEqualTo(200);
        }
        // HAProxy counts the refused attempts on the stopped instance too; the answers came from the others.
        Map<String, Long> answered = grown(before, requestCounts());
        answered.remove(home);
        assertThat(answered.values().stream().mapToLong(Long::longValue).sum()).as("answered by the others: %s", answered)
                .isEqualTo(10);

        // HAProxy keeps it out, and the token settles on one of the others.
        awaitStats(rows -> row(rows, home).status().startsWith("DOWN"), home + " DOWN");
        before = requestCounts();
        for (int i = 0; i < 20; i++) {
            ApiClient.Response r = proxy.get(TestOrg.SCIM + "/Users?count=1", org.token());
            assertThat(r.status()).as(r.text()).isEqualTo(200);
        }
        Map<String, Long> served = grown(before, requestCounts());
        assertThat(served).as("requests per instance with %s down", home).hasSize(1).containsValue(20L)
                .doesNotContainKey(home);

        ApiClient.Response created = proxy.post(TestOrg.SCIM + "/Users", org.token(),
                "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],\"userName\":\"ha.two@example.com\"}");
        assertThat(created.status()).as(created.text()).isEqualTo(201);
    }

    @Test
    @Order(3)
    void whenItIsHealthyAgainTheTokenGoesBackToIt() throws Exception {
        assumeTrue(home != null, "needs the first test's token and instance");
        int index = Integer.parseInt(home.substring("scim".length())) - 1;
        Map<String, String> env = new HashMap<>();
        env.put("SCIM_HTTP_PORT", Integer.toString(ports[index]));
        env.put("SCIM_PUBLIC_URL", "http://localhost:" + proxyPort);
        servers.set(index, TestServer.start(env));

        awaitStats(rows -> row(rows, home).status().equals("UP"), home + " UP again");
        Map<String, Long> before = requestCounts();
        for (int i = 0; i < 20; i++) {
            ApiClient.Response r = proxy.get(TestOrg.SCIM + "/Users?count=1", org.token());
            assertThat(r.status()).as(r.text()).isEqualTo(200);
        }
        assertThat(grown(before, requestCounts())).as("requests per instance").containsOnlyKeys(home).containsValue(20L);
    }

    private static TestServer server(String name) {
        return servers.get(Integer.parseInt(name.substring("scim".length())) - 1);
    }

    /** One line of HAProxy's statistics: a server's name, status (UP, DOWN, "UP 1/2"...) and total requests. */
    record StatsRow(String server, String status, long requests) {
    }

    private static StatsRow row(List<StatsRow> rows, String server) {
        return rows.stream().filter(r -> r.server().equals(server)).findFirst()
                .orElseThrow(() -> new AssertionError("No statistics for " + server + ": " + rows));
    }

    /** The servers of the backend, from the CSV at {@code /;csv}; the columns are named in its first line. */
    private static List<StatsRow> stats() throws IOException, InterruptedException {
        HttpResponse<String> r = STATS_HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + statsPort + "/;csv"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        String[] lines = r.body().split("\n");
        List<String> columns = List.of(lines[0].replaceFirst("^# ", "").split(",", -1));
        int proxyName = columns.indexOf("pxname");
        int server = columns.indexOf("svname");
        int status = columns.indexOf("status");
        int total = columns.indexOf("stot");
        List<StatsRow> rows = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            String[] f = lines[i].split(",", -1);
            if (f.length > total && f[proxyName].equals("instances") && f[server].startsWith("scim")) {
                rows.add(new StatsRow(f[server], f[status], Long.parseLong(f[total])));
            }
        }
        return rows;
    }

    private static Map<String, Long> requestCounts() throws IOException, InterruptedException {
        Map<String, Long> out = new HashMap<>();
        for (StatsRow r : stats()) {
            out.put(r.server(), r.requests());
        }
        return out;
    }

    /** The servers whose request count grew, with by how much. */
    private static Map<String, Long> grown(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> out = new HashMap<>();
        after.forEach((server, n) -> {
            long d = n - before.getOrDefault(server, 0L);
            if (d != 0) {
                out.put(server, d);
            }
        });
        return out;
    }

    private static void awaitStats(Predicate<List<StatsRow>> condition, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        List<StatsRow> last = List.of();
        while (System.nanoTime() < deadline) {
            if (!haproxy.isAlive()) {
                throw new AssertionError("HAProxy ended: " + Files.readString(workDir.resolve("haproxy.log")));
            }
            try {
                last = stats();
                if (condition.test(last)) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError("HAProxy did not show " + what + " within 30 s: " + last);
    }

    private static void awaitStatus(java.util.function.IntSupplier status, int wanted) throws InterruptedException {
        int last = -1;
        for (int i = 0; i < 100 && last != wanted; i++) {
            last = status.getAsInt();
            if (last != wanted) {
                Thread.sleep(50);
            }
        }
        assertThat(last).isEqualTo(wanted);
    }

    /** haproxy on the PATH, or where Debian puts it (/usr/sbin is not on every user's PATH). */
    private static Optional<Path> haproxyBinary() {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
        dirs.addAll(List.of("/usr/sbin", "/usr/local/sbin"));
        return dirs.stream().filter(d -> !d.isEmpty()).map(d -> Path.of(d, "haproxy")).filter(Files::isExecutable).findFirst();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
