package io.hanzo.kms.scim.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hanzo.kms.scim.it.TestServer;
import io.hanzo.kms.scim.store.pg.DatabaseTarget;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * SIGTERM to a server process whose database hangs (connections open, nothing answered): the stop
 * ends by its own deadline (the unready pause, the drain and 8 s), well within the chart's grace
 * period, saying in the log which steps it cut short, and the process exits 0. Each step waiting its
 * own limit would take about a minute.
 */
class HungDatabaseShutdownIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int UNREADY_SECONDS = 1;
    private static final int DRAIN_SECONDS = 2;
    /** The stop's deadline; {@code Application.STOP_AFTER_DRAIN_SECONDS} after the unready pause and the drain. */
    private static final Duration STOP_DEADLINE = Duration.ofSeconds(UNREADY_SECONDS + DRAIN_SECONDS + 8);
    /** For the JVM's exit after the deadline, on a slow and loaded machine. */
    private static final Duration MARGIN = Duration.ofSeconds(15);

    @TempDir
    Path dir;

    @Test
    void sigtermWithAHungDatabaseStopsByTheDeadline() throws Exception {
        DatabaseTarget db = TestServer.database();
        try (FreezingProxy proxy = new FreezingProxy(db.host(), db.port())) {
            Path data = Files.createDirectories(dir.resolve("data"));
            Map<String, String> env = Map.of(
                    "SCIM_DATABASE_URL", "postgresql://" + db.user() + ":" + db.password() + "@127.0.0.1:" + proxy.port()
                            + "/" + db.database(),
                    "SCIM_LOG_FORMAT", "json",
                    "SCIM_SHUTDOWN_UNREADY_SECONDS", Integer.toString(UNREADY_SECONDS),
                    "SCIM_SHUTDOWN_DRAIN_SECONDS", Integer.toString(DRAIN_SECONDS));
            ServerProcess server = ServerProcess.start(data, dir.resolve("server.log"), env);
            try {
                server.awaitReady(Duration.ofMinutes(2));
                String token = GracefulShutdownIT.provisioningToken(server.port, "Hung " + UUID.randomUUID());
                // The token's last use is then written at shut-down, which needs the database.
                RawHttp.Result list = RawHttp.send(server.port, "GET", "/api/v1/scim/Users", token, null);
                assertThat(list.status()).as(list.body()).isEqualTo(200);

                proxy.freeze();
                long sent = System.nanoTime();
                server.terminate();
                int exit = server.awaitExit(Duration.ofMinutes(3));
                Duration took = Duration.ofNanos(System.nanoTime() - sent);

                String log = server.logText();
                assertThat(took).as("stop with a hung database; log:\n%s", log).isLessThan(STOP_DEADLINE.plus(MARGIN));
                assertThat(exit).as(log).isZero();
                List<String> warnings = new ArrayList<>();
                List<String> messages = new ArrayList<>();
                for (String line : log.split("\n")) {
                    JsonNode event = JSON.readTree(line);
                    assertThat(event.isObject()).as(line).isTrue();
                    messages.add(event.path("msg").asText());
                    if (event.path("level").asText().equals("WARN")) {
                        warnings.add(event.path("msg").asText());
                    }
                }
                assertThat(warnings).as("what the deadline cut short is logged")
                        .anyMatch(w -> w.contains("cut short by the shut-down deadline (" + STOP_DEADLINE.toSeconds() + " s"));
                assertThat(messages).contains("kms-scim stopped");
            } finally {
                server.kill();
            }
        }
    }
}
