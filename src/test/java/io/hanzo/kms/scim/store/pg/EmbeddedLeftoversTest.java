package io.hanzo.kms.scim.store.pg;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A {@code postmaster.pid} that names no postmaster of its directory is removed before the embedded
 * PostgreSQL starts, so that a start right after kill -9 is not refused; one that may name a running
 * postmaster, or whose directory another server owns, is kept.
 */
class EmbeddedLeftoversTest {
    @TempDir
    Path dir;
    @TempDir
    Path binaries;
    private Process holder;
    private Process bystander;

    @AfterEach
    void stopHolder() {
        if (holder != null) {
            holder.destroyForcibly();
        }
        if (bystander != null) {
            bystander.destroyForcibly();
        }
    }

    @Test
    void aLockFileNamingAZombieIsRemoved() throws Exception {
        long zombie = startZombie();
        writeLockFile(zombie);

        EmbeddedLeftovers.clear(dir);

        assertThat(dir.resolve("postmaster.pid")).doesNotExist();
    }

    @Test
    void aLockFileNamingAProcessThatWorksElsewhereIsRemoved() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc")));
        holder = new ProcessBuilder("sleep", "60").start();
        writeLockFile(holder.pid());

        EmbeddedLeftovers.clear(dir);

        assertThat(dir.resolve("postmaster.pid")).doesNotExist();
        assertThat(holder.isAlive()).as("the unrelated process is left alone").isTrue();
    }

    @Test
    void aLockFileOfADirectoryAnotherServerOwnsIsKept() throws Exception {
        long zombie = startZombie();
        writeLockFile(zombie);
        withDirectoryLockHeld(() -> EmbeddedLeftovers.clear(dir));

        assertThat(dir.resolve("postmaster.pid")).exists();
    }

    /** The server that owns the directory, its postmaster dead, clears the lock file to start it again. */
    @Test
    void theOwnerClearsTheLockFileOfItsDeadPostmaster() throws Exception {
        long zombie = startZombie();
        writeLockFile(zombie);
        withDirectoryLockHeld(() -> EmbeddedLeftovers.clearAfterPostmasterDeath(dir));

        assertThat(dir.resolve("postmaster.pid")).doesNotExist();
    }

    /** PostgreSQL takes the zombie's id in its socket's lock file for a live postmaster too. */
    @Test
    void theSocketLockNamingTheZombieGoesWithTheLockFile() throws Exception {
        long zombie = startZombie();
        writeLockFile(zombie);
        Path socketLock = Files.writeString(dir.resolve(".s.PGSQL.5432.lock"), zombie + "\n" + dir + "\n");

        EmbeddedLeftovers.clear(dir);

        assertThat(dir.resolve("postmaster.pid")).doesNotExist();
        assertThat(socketLock).doesNotExist();
    }

    @Test
    void aSocketLockNamingAnotherProcessIsKept() throws Exception {
        long zombie = startZombie();
        writeLockFile(zombie);
        Path socketLock = Files.writeString(dir.resolve(".s.PGSQL.5432.lock"), holder.pid() + "\n" + dir + "\n");

        EmbeddedLeftovers.clear(dir);

        assertThat(dir.resolve("postmaster.pid")).doesNotExist();
        assertThat(socketLock).exists();
    }

    /**
     * Only the database's own processes are stopped: those running the binary its postmaster.opts
     * names. An operator's shell or {@code tail -f} working in the directory is left alone.
     */
    @Test
    void onlyProcessesRunningTheDatabasesBinaryAreStopped() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc")));
        Path sleep = Path.of("/bin/sleep").toRealPath();
        Path postgres = Files.copy(sleep, binaries.resolve("postgres"));
        Files.writeString(dir.resolve("postmaster.opts"), postgres + " \"-D\" \"" + dir + "\"\n");
        holder = new ProcessBuilder(postgres.toString(), "60").directory(dir.toFile()).start();
        bystander = new ProcessBuilder(sleep.toString(), "60").directory(dir.toFile()).start();

        withDirectoryLockHeld(() -> EmbeddedLeftovers.clearAfterPostmasterDeath(dir));

        assertThat(holder.isAlive()).as("the database's process is stopped").isFalse();
        assertThat(bystander.isAlive()).as("the other process working in the directory is left alone").isTrue();
    }

    /** Runs {@code step} while this JVM holds the directory's lock, as the server that owns it does. */
    private void withDirectoryLockHeld(Runnable step) throws Exception {
        try (RandomAccessFile file = new RandomAccessFile(dir.resolve("epg-lock").toFile(), "rw");
             FileChannel channel = file.getChannel();
             FileLock ignored = channel.lock()) {
            step.run();
        }
    }

    /** A child of a process that never waits for it: it stays a zombie while that process lives. */
    private long startZombie() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc")));
        // The child outlives the shell's exec by a second: a shell whose child exits first may reap it.
        holder = new ProcessBuilder("sh", "-c", "sleep 1 & echo $!; exec sleep 60").start();
        long pid;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.US_ASCII))) {
            pid = Long.parseLong(out.readLine().trim());
        }
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!isZombie(stat)) {
            assertThat(System.nanoTime()).as("process %d exited", pid).isLessThan(deadline);
            Thread.sleep(20);
        }
        return pid;
    }

    private static boolean isZombie(Path stat) throws Exception {
        String s = Files.readString(stat);
        return s.charAt(s.lastIndexOf(')') + 2) == 'Z';
    }

    private void writeLockFile(long pid) throws Exception {
        // Its socket, as PostgreSQL's own lines say where, in the directory itself.
        Files.writeString(dir.resolve("postmaster.pid"), pid + "\n" + dir + "\n1733450000\n5432\n" + dir
                + "\nlocalhost\n  5432001    32768\nready   \n");
    }
}
