package io.hanzo.kms.scim.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hanzo.kms.scim.store.pg.DatabaseSetup;
import io.hanzo.kms.scim.store.pg.DatabaseTarget;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * SIGTERM to a server process that is still starting on its embedded PostgreSQL: it exits 0 without
 * waiting for the start to finish, leaves no PostgreSQL process running on its data directory, and
 * the next start on that directory works without finding leftovers to clear.
 */
class StopDuringStartupIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HOLD = "hold-startup";

    @TempDir
    Path dir;
    private final List<ServerProcess> started = new ArrayList<>();

    @AfterEach
    void stopLeftovers() {
        started.forEach(ServerProcess::kill);
    }

    @Test
    void sigtermWhileLoadingStopsItsPostgresAndTheNextStartWorks() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        Path pgDir = data.resolve("postgres");
        // A transaction prepared on the server's own database holds a lock on the organisations
        // across restarts, so the server's start stays in its index load until the test lets it go.
        withDatabase(pgDir, "ALTER SYSTEM SET max_prepared_transactions = 2");
        withDatabase(pgDir, "BEGIN; LOCK TABLE organizations IN ACCESS EXCLUSIVE MODE; PREPARE TRANSACTION '" + HOLD + "'");

        Map<String, String> env = Map.of("SCIM_LOG_FORMAT", "json");
        ServerProcess starting = start(data, env);
        awaitTrue(Duration.ofMinutes(2), () -> foldingLogged(starting), "start-up reached the index load");
        assertThat(postgresProcessesIn(pgDir)).as("the server's PostgreSQL runs").isNotEmpty();
        starting.terminate();
        int exit = starting.awaitExit(Duration.ofMinutes(1));
        started.remove(starting);

        assertThat(exit).as(starting.logText()).isZero();
        assertThat(messages(starting)).contains("kms-scim did not finish starting: stopped on request while loading "
                + "the caches and the index", "Embedded PostgreSQL stopped");
        awaitTrue(Duration.ofSeconds(30), () -> postgresProcessesIn(pgDir).isEmpty(), "no PostgreSQL process left");

        withDatabase(pgDir, "ROLLBACK PREPARED '" + HOLD + "'");
        ServerProcess next = start(data, env);
        next.awaitReady(Duration.ofMinutes(2));
        assertThat(next.logText()).doesNotContain("left running");
        next.terminate();
        assertThat(next.awaitExit(Duration.ofMinutes(1))).isZero();
        started.remove(next);
    }

    private ServerProcess start(Path data, Map<String, String> env) throws IOException {
        ServerProcess p = ServerProcess.start(data, dir.resolve("server-" + started.size() + ".log"), env);
        started.add(p);
        return p;
    }

    /** Runs {@code sql} on the data directory's PostgreSQL, started for it and stopped after. */
    private static void withDatabase(Path pgDir, String sql) throws Exception {
        DatabaseTarget db = DatabaseSetup.startEmbedded(pgDir, 0);
        try {
            DatabaseSetup.migrate(db);
            try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
                 Statement s = c.createStatement()) {
                s.execute(sql);
            }
        } finally {
            db.embedded().close();
        }
    }

    private static void awaitTrue(Duration timeout, Callable<Boolean> condition, String what) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        while (!condition.call()) {
            assertThat(System.nanoTime()).as(what + " within " + timeout).isLessThan(end);
            Thread.sleep(100);
        }
    }

    private static boolean foldingLogged(ServerProcess p) throws IOException {
        return messages(p).stream().anyMatch(m -> m.startsWith("Names fold as the database's lower() does"));
    }

    /** The messages of the process's log, every line of which must be one JSON object. */
    private static List<String> messages(ServerProcess p) throws IOException {
        List<String> out = new ArrayList<>();
        for (String line : p.logText().split("\n")) {
            if (line.isBlank() || line.startsWith(" ")) {
                // The generated admin token's notice is not a log line; the server is given none here.
                continue;
            }
            JsonNode event = JSON.readTree(line);
            assertThat(event.isObject()).as(line).isTrue();
            out.add(event.path("msg").asText());
        }
        return out;
    }

    /** Processes whose working directory is {@code pgDir}: every PostgreSQL process of that data directory. */
    private static List<Long> postgresProcessesIn(Path pgDir) throws IOException {
        Path real = pgDir.toRealPath();
        List<Long> found = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path entry : entries) {
                try {
                    if (Files.readSymbolicLink(entry.resolve("cwd")).equals(real)) {
                        found.add(Long.parseLong(entry.getFileName().toString()));
                    }
                } catch (IOException | SecurityException e) {
                    // Gone meanwhile.
                }
            }
        }
        return found;
    }
}
