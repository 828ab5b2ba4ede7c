package io.hanzo.kms.scim.store.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * A postmaster started again that pg_ctl gives up waiting for (its crash recovery outlasting pg_ctl's
 * wait) is still starting, not failed: the supervisor waits for that very postmaster until it serves,
 * rather than clearing it away and starting over, which would restart its recovery every time.
 */
class EmbeddedSupervisorIT {
    /** A restart takes seconds; a slow, loaded machine gets much more. */
    private static final Duration BACK_WITHIN = Duration.ofSeconds(90);

    @TempDir
    Path data;

    @Test
    void aRestartPgCtlGaveUpOnIsWaitedForNotKilled() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc")), "needs Linux /proc");
        Path dir = data.resolve("postgres");
        EmbeddedPostgres pg = EmbeddedPostgres.builder()
                .setDataDirectory(dir)
                .setCleanDataDirectory(false)
                .setOverrideWorkingDirectory(data.resolve("binaries").toFile())
                .setRegisterShutdownHook(false)
                .start();
        // pg_ctl waits no time at all: every restart it makes ends in "server did not start in time".
        try (EmbeddedSupervisor supervisor = EmbeddedSupervisor.watch(pg, dir, Duration.ZERO)) {
            long killed = EmbeddedLeftovers.postmasterPid(dir);
            ProcessHandle postmaster = ProcessHandle.of(killed).orElseThrow();
            assertThat(postmaster.destroyForcibly()).isTrue();
            postmaster.onExit().join();

            long restarted = waitFor(() -> {
                long pid = EmbeddedLeftovers.postmasterPid(dir);
                return pid != killed && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) ? pid : -1;
            });
            long serving = waitFor(supervisor::servingPostmaster);

            assertThat(serving).as("the postmaster started first serves").isEqualTo(restarted);
            assertThat(ProcessHandle.of(restarted).map(ProcessHandle::isAlive)).contains(true);
            try (Connection c = pg.getPostgresDatabase().getConnection();
                 Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT 42")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(42);
            }
            assertThat(EmbeddedLeftovers.postmasterPid(dir)).isEqualTo(restarted);
        }
    }

    /** Polls {@code value} until it is positive. */
    private static long waitFor(LongSupplier value) throws InterruptedException {
        long end = System.nanoTime() + BACK_WITHIN.toNanos();
        while (true) {
            long v = value.getAsLong();
            if (v > 0) {
                return v;
            }
            assertThat(System.nanoTime()).as("waited %s", BACK_WITHIN).isLessThan(end);
            Thread.sleep(20);
        }
    }
}
