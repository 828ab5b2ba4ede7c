package io.hanzo.kms.scim.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The embedded PostgreSQL's postmaster killed with SIGKILL while the server runs: the server starts it
 * again on the same directory and port, requests succeed again without restarting the server, every
 * user written before is there (in the database, not only in the server's memory), a new write works,
 * and the server's stop leaves no PostgreSQL process running.
 */
@ExtendWith(VertxExtension.class)
class EmbeddedPostgresRestartIT {
    private static final String USERS = TestOrg.SCIM + "/Users";
    /** A restart takes seconds; a slow, loaded machine gets much more. Without one, requests fail for good. */
    private static final Duration BACK_WITHIN = Duration.ofSeconds(90);

    @TempDir
    Path data;

    @Test
    void aKilledPostmasterIsStartedAgainAndNoWriteIsLost(Vertx vertx) throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc")), "needs Linux /proc");
        Path pgDir = data.resolve("postgres");
        // No database given: the server starts its own embedded one under the data directory.
        TestServer server = TestServer.start(null, data, Map.of());
        ApiClient client = new ApiClient(vertx, server.port());
        try {
            TestOrg org = TestOrg.create(client, "Postmaster Kill Org");
            List<String> written = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                ApiClient.Response created = client.post(USERS, org.token(),
                        "{\"userName\":\"before-" + i + "@example.com\"}");
                assertThat(created.status()).as(created.text()).isEqualTo(201);
                written.add(created.json().get("id").asText());
            }

            long killed = postmasterPid(pgDir);
            ProcessHandle postmaster = ProcessHandle.of(killed).orElseThrow();
            assertThat(postmaster.destroyForcibly()).isTrue();
            postmaster.onExit().join();

            AtomicReference<String> afterId = new AtomicReference<>();
            Polling.until(BACK_WITHIN, () -> {
                ApiClient.Response created = client.post(USERS, org.token(), "{\"userName\":\"after-"
                        + UUID.randomUUID() + "@example.com\"}");
                assertThat(created.status()).as(created.text()).isEqualTo(201);
                afterId.set(created.json().get("id").asText());
            });
            Polling.until(BACK_WITHIN, () -> assertThat(client.get("/health/ready", null).status()).isEqualTo(200));

            long restarted = postmasterPid(pgDir);
            assertThat(restarted).as("a new postmaster").isNotEqualTo(killed);
            assertThat(ProcessHandle.of(restarted).map(ProcessHandle::isAlive)).contains(true);
            assertThat(idsInDatabase(pgDir, org.id())).containsAll(written).contains(afterId.get());
            for (String id : written) {
                assertThat(client.get(USERS + "/" + id, org.token()).status()).isEqualTo(200);
            }
            ApiClient.Response read = client.get(USERS + "/" + afterId.get(), org.token());
            assertThat(read.status()).as(read.text()).isEqualTo(200);
        } finally {
            client.close();
            server.stop();
        }
        Polling.until(Duration.ofSeconds(30), () -> assertThat(postgresProcessesIn(pgDir)).as("PostgreSQL processes left")
                .isEmpty());
    }

    private static long postmasterPid(Path pgDir) throws IOException {
        return Long.parseLong(Files.readAllLines(pgDir.resolve("postmaster.pid")).get(0).trim());
    }

    /** The organisation's user ids as the database holds them, read with the password the server keeps. */
    private static List<String> idsInDatabase(Path pgDir, String orgId) throws Exception {
        String password = Files.readString(pgDir.resolveSibling("postgres.password")).strip();
        List<String> ids = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://localhost:" + port(pgDir) + "/postgres",
                "postgres", password);
             PreparedStatement ps = c.prepareStatement("SELECT id FROM scim_users WHERE org_id = ?")) {
            ps.setObject(1, UUID.fromString(orgId));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
        }
        return ids;
    }

    /** The port in postmaster.pid (its fourth line). */
    private static int port(Path pgDir) throws IOException {
        return Integer.parseInt(Files.readAllLines(pgDir.resolve("postmaster.pid")).get(3).trim());
    }

    /** Processes whose working directory is {@code pgDir}: every PostgreSQL process of that data directory. */
    private static List<Long> postgresProcessesIn(Path pgDir) {
        List<Long> found = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(Path.of("/proc"),
                p -> p.getFileName().toString().matches("\\d+"))) {
            Path real = pgDir.toRealPath();
            for (Path entry : entries) {
                try {
                    if (Files.readSymbolicLink(entry.resolve("cwd")).equals(real)) {
                        found.add(Long.parseLong(entry.getFileName().toString()));
                    }
                } catch (IOException | SecurityException e) {
                    // Gone meanwhile.
                }
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return found;
    }
}
