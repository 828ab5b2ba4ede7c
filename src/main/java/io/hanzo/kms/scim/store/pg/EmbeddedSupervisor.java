package io.hanzo.kms.scim.store.pg;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.zonky.test.db.postgres.util.LinuxUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Keeps the embedded PostgreSQL running while the server does: nothing else supervises it. Once a
 * second, off the event loop, it checks that the postmaster is still alive; when it is gone (the OOM
 * killer, kill -9, a crash) it clears what the dead postmaster left ({@link EmbeddedLeftovers}) and
 * starts it again on the same directory with the same command line, that is the same port and
 * settings, and the same password (kept in the database). PostgreSQL's crash recovery replays the
 * write-ahead log, so every acknowledged write is there again. Until then the server answers as for
 * any database outage, and its pool connects afresh once the database is back. A postmaster of the
 * directory that still runs, its recovery not over when pg_ctl stops waiting, is waited for until it is
 * ready: only a postmaster known dead is cleared away.
 * <p>
 * The directory's lock stays held by this server throughout, so no other server starts a postmaster
 * on it meanwhile, and PostgreSQL's own lock file keeps a second one from starting beside a live one.
 * Closing stops the watch before the database, so that no restart races the server's stop.
 */
final class EmbeddedSupervisor implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedSupervisor.class);
    private static final Duration CHECK_EVERY = Duration.ofSeconds(1);
    private static final int LONGEST_RETRY_SECONDS = 30;
    /**
     * As long as the first start is given: crash recovery may have much log to replay, and a postmaster
     * that takes longer is waited for all the same.
     */
    private static final Duration START_WAIT = Duration.ofSeconds(60);
    /** How long a postmaster that pg_ctl gave up on may take to write its lock file. */
    private static final Duration LOCK_FILE_WAIT = Duration.ofSeconds(10);
    /**
     * How long a stop cut short lets a postmaster just started claim its directory (its lock file comes
     * first), so that the stop that follows finds and stops it.
     */
    private static final Duration CLAIM_WAIT = Duration.ofSeconds(2);
    /** How long a stop waits for a restart under way to end, once cut short. */
    private static final Duration STOP_WAITS_FOR_RESTART = CLAIM_WAIT.plusSeconds(1);
    /** Lines of PostgreSQL's output kept to say why a start failed. */
    private static final int OUTPUT_LINES_KEPT = 5;

    private final EmbeddedPostgres postgres;
    private final Path dir;
    private final Duration startWait;
    private final Path proc = Path.of("/proc");
    private final AtomicBoolean closed = new AtomicBoolean();
    private final ScheduledExecutorService watch;
    /** Written by the watch's thread alone. */
    private volatile long postmasterPid;
    private volatile String downReason;
    private int failedAttempts;
    private long nextAttemptNanos;

    private EmbeddedSupervisor(EmbeddedPostgres postgres, Path dir, Duration startWait) {
        this.postgres = postgres;
        this.dir = EmbeddedLeftovers.realPath(dir);
        this.startWait = startWait;
        this.postmasterPid = EmbeddedLeftovers.postmasterPid(this.dir);
        // nanoTime may be negative: the first attempt is due from now, not from zero.
        this.nextAttemptNanos = System.nanoTime();
        // Only Linux shows whether the postmaster lives (/proc); elsewhere, as before, nothing restarts it.
        this.watch = Files.isDirectory(proc) && postmasterPid > 0 ? Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "embedded-postgres-watch");
            t.setDaemon(true);
            return t;
        }) : null;
    }

    /** Watches {@code postgres}, just started on {@code dir}, until closed; closing also stops it. */
    static EmbeddedSupervisor watch(EmbeddedPostgres postgres, Path dir) {
        return watch(postgres, dir, START_WAIT);
    }

    /** As {@link #watch(EmbeddedPostgres, Path)}, with pg_ctl waiting {@code startWait} for each restart. */
    static EmbeddedSupervisor watch(EmbeddedPostgres postgres, Path dir, Duration startWait) {
        EmbeddedSupervisor supervisor = new EmbeddedSupervisor(postgres, dir, startWait);
        if (supervisor.watch != null) {
            supervisor.watch.scheduleWithFixedDelay(supervisor::check, CHECK_EVERY.toMillis(), CHECK_EVERY.toMillis(),
                    TimeUnit.MILLISECONDS);
        }
        return supervisor;
    }

    private void check() {
        try {
            if (closed.get()) {
                return;
            }
            if (downReason == null) {
                String why = EmbeddedLeftovers.whyNotAPostmasterOf(proc, postmasterPid, dir);
                if (why == null) {
                    return;
                }
                downReason = "its postmaster (process " + postmasterPid + ") " + why;
                LOG.warn("The embedded PostgreSQL on port {} is down: {}. Starting it again on {}", postgres.getPort(),
                        downReason, dir);
            }
            if (awaitLivePostmaster() || System.nanoTime() - nextAttemptNanos < 0) {
                return;
            }
            restart();
        } catch (RuntimeException e) {
            // The watch goes on: an exception would end its schedule.
            LOG.warn("Checking the embedded PostgreSQL failed; checking again: {}", e.toString());
        }
    }

    /**
     * While the database is down: true when its {@code postmaster.pid} names a live postmaster of its
     * directory, typically one started here that pg_ctl gave up waiting for while its crash recovery
     * replays much log. That postmaster is waited for, never cleared away: stopping it would only start
     * the recovery over. Once it says it is ready, the database is up again.
     */
    private boolean awaitLivePostmaster() {
        long pid = livePostmaster();
        if (pid < 0) {
            return false;
        }
        if (!EmbeddedLeftovers.ready(dir)) {
            if (pid != postmasterPid) {
                LOG.info("The embedded PostgreSQL (postmaster process {}) is still starting; waiting for it", pid);
                postmasterPid = pid;
            }
            return true;
        }
        LOG.info("Embedded PostgreSQL started again on port {} (postmaster process {}) after {}", postgres.getPort(),
                pid, downReason);
        postmasterPid = pid;
        downReason = null;
        failedAttempts = 0;
        return true;
    }

    /** Clears what the dead postmaster left and starts a new one, ready or still starting. */
    private void restart() {
        int attempt = failedAttempts + 1;
        try {
            EmbeddedLeftovers.clearAfterPostmasterDeath(dir);
            if (closed.get()) {
                return;
            }
            long pid = start();
            if (!awaitLivePostmaster()) {
                throw new IOException("the new postmaster (process " + pid + ") exited as it started");
            }
        } catch (IOException | RuntimeException e) {
            if (closed.get()) {
                return;
            }
            failedAttempts = attempt;
            long delaySeconds = Math.min(LONGEST_RETRY_SECONDS, 1L << Math.min(attempt - 1, 5));
            nextAttemptNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(delaySeconds);
            LOG.warn("The embedded PostgreSQL did not start again (attempt {}, {}): {}. Next attempt in {} s", attempt,
                    downReason, e.toString(), delaySeconds);
        }
    }

    /**
     * Starts the postmaster as its last start did: pg_ctl (in a user namespace of its own when the
     * library uses one, as it does for root) with the binary and options PostgreSQL recorded in
     * {@code postmaster.opts}. Answers the new postmaster's process id once it accepts connections,
     * or once pg_ctl gave up waiting for it while it still runs (its recovery goes on).
     */
    private long start() throws IOException {
        List<String> recorded = Files.readAllLines(dir.resolve("postmaster.opts"));
        int split = recorded.isEmpty() ? -1 : recorded.get(0).indexOf(" \"");
        if (split < 0) {
            throw new IOException("postmaster.opts in " + dir + " does not hold the postmaster's command line");
        }
        String postgresBinary = recorded.get(0).substring(0, split);
        List<String> command = new ArrayList<>();
        if (LinuxUtils.isUnshareAvailable()) {
            command.addAll(List.of("unshare", "-U"));
        }
        command.addAll(List.of(Path.of(postgresBinary).resolveSibling("pg_ctl").toString(), "-D", dir.toString(),
                "-o", recorded.get(0).substring(split + 1).strip(), "-w", "-t", Long.toString(startWait.toSeconds()),
                "start"));
        Process pgCtl = new ProcessBuilder(command).redirectErrorStream(true).start();
        // The postmaster keeps pg_ctl's output as its own: read for as long as it runs, or it would block.
        Deque<String> lastLines = new ArrayDeque<>();
        Thread output = new Thread(() -> readOutput(pgCtl, lastLines), "embedded-postgres-output");
        output.setDaemon(true);
        output.start();
        try {
            if (!pgCtl.waitFor(startWait.toSeconds() + 10, TimeUnit.SECONDS)) {
                pgCtl.destroyForcibly();
                throw new IOException("pg_ctl did not finish within " + (startWait.toSeconds() + 10) + " s");
            }
            if (pgCtl.exitValue() != 0) {
                long starting = startingPostmaster();
                if (starting > 0) {
                    return starting;
                }
                // A postmaster that failed has exited: its output is complete once the reader has it all.
                output.join(2_000);
                synchronized (lastLines) {
                    throw new IOException("pg_ctl exited with status " + pgCtl.exitValue() + ": "
                            + String.join(" / ", lastLines));
                }
            }
        } catch (InterruptedException e) {
            awaitClaim();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while PostgreSQL was starting", e);
        }
        long pid = EmbeddedLeftovers.postmasterPid(dir);
        String why = EmbeddedLeftovers.whyNotAPostmasterOf(proc, pid, dir);
        if (pid < 0 || why != null) {
            throw new IOException("pg_ctl reported a start, but the postmaster (process " + pid + ") " + why);
        }
        return pid;
    }

    /**
     * After pg_ctl gave up: the postmaster it started, should it still run (pg_ctl also gives up when
     * its wait is over, and the postmaster may not have written its lock file yet), or -1.
     */
    private long startingPostmaster() throws InterruptedException {
        long deadline = System.nanoTime() + LOCK_FILE_WAIT.toNanos();
        while (!closed.get()) {
            long pid = livePostmaster();
            if (pid > 0) {
                return pid;
            }
            if (System.nanoTime() - deadline > 0) {
                break;
            }
            Thread.sleep(100);
        }
        return -1;
    }

    /** The process {@code postmaster.pid} names when it is a live postmaster of this directory, else -1. */
    private long livePostmaster() {
        long pid = EmbeddedLeftovers.postmasterPid(dir);
        return pid > 0 && EmbeddedLeftovers.whyNotAPostmasterOf(proc, pid, dir) == null ? pid : -1;
    }

    /** Waits, without giving way to the stop that interrupted it, for the new postmaster's lock file. */
    private void awaitClaim() {
        long deadline = System.nanoTime() + CLAIM_WAIT.toNanos();
        while (EmbeddedLeftovers.postmasterPid(dir) < 0 && System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }

    /** The postmaster serving the database, or -1 while it is down or still starting. */
    long servingPostmaster() {
        return downReason == null ? postmasterPid : -1;
    }

    private static void readOutput(Process pgCtl, Deque<String> lastLines) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(pgCtl.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                LOG.debug("postgres: {}", line);
                synchronized (lastLines) {
                    if (lastLines.size() == OUTPUT_LINES_KEPT) {
                        lastLines.removeFirst();
                    }
                    lastLines.addLast(line);
                }
            }
        } catch (IOException e) {
            LOG.debug("PostgreSQL's output could not be read: {}", e.toString());
        }
    }

    /**
     * Stops the watch, cutting a restart under way short (a postmaster it started is stopped with the
     * rest), then stops PostgreSQL. Safe to call more than once.
     */
    @Override
    public void close() throws IOException {
        if (closed.getAndSet(true)) {
            return;
        }
        if (watch != null) {
            // Interrupted, a restart stops waiting for pg_ctl or for the dead postmaster's processes.
            watch.shutdownNow();
            try {
                if (!watch.awaitTermination(STOP_WAITS_FOR_RESTART.toSeconds(), TimeUnit.SECONDS)) {
                    LOG.warn("The embedded PostgreSQL's restart had not ended after {} s; stopping it all the same",
                            STOP_WAITS_FOR_RESTART.toSeconds());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        postgres.close();
    }
}
