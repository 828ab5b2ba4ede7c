package io.hanzo.kms.scim.store.pg;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Clears what an embedded PostgreSQL left running when the JVM that owned it died without stopping it
 * (the kernel's OOM killer, kill -9). Its postmaster, or only its backends if the postmaster was killed
 * too, keep the data directory and its shared memory, and a new postmaster on the same directory would
 * refuse to start. Every PostgreSQL process works with the data directory as its current directory and
 * runs the binary named in its {@code postmaster.opts}, which is how they are found here (Linux /proc):
 * any other process working there (an operator's shell, an editor) is left alone. They are stopped
 * only when no live process holds the directory's lock, that is, when the JVM that started them is gone.
 */
final class EmbeddedLeftovers {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedLeftovers.class);
    /** The file the embedded library locks while a JVM owns the directory. */
    private static final String OWNER_LOCK = "epg-lock";
    private static final Duration CLEAN_STOP = Duration.ofSeconds(15);
    private static final Duration FORCED_STOP = Duration.ofSeconds(10);

    private EmbeddedLeftovers() {
    }

    /**
     * Stops processes left running on {@code dataDir} by a JVM that is gone, and removes their stale
     * lock file. Does nothing when no such process exists or the directory is still owned.
     */
    static void clear(Path dataDir) {
        clear(dataDir, false);
    }

    /**
     * For the server that owns {@code dataDir} (it holds the directory's lock), once the postmaster it
     * started there has died: stops that postmaster's processes still running (backends that have not
     * yet noticed, which would keep its shared memory in use) and removes its stale lock file, so that
     * it can be started again.
     */
    static void clearAfterPostmasterDeath(Path dataDir) {
        clear(dataDir, true);
    }

    private static void clear(Path dataDir, boolean ownedHere) {
        Path proc = Path.of("/proc");
        if (!Files.isDirectory(proc) || !Files.isDirectory(dataDir)) {
            return;
        }
        Path dir = realPath(dataDir);
        List<ProcessHandle> leftovers = processesOf(proc, dir);
        if (leftovers.isEmpty()) {
            removeLockOfGonePostmaster(proc, dir, ownedHere);
            return;
        }
        if (!ownedHere && ownedByLiveProcess(dir)) {
            throw new IllegalStateException("The embedded PostgreSQL in " + dir
                    + " belongs to another running kms-scim process; stop it first or set another data.dir.");
        }
        if (ownedHere) {
            LOG.warn("Found {} process(es) of the dead postmaster still running in {}; stopping them", leftovers.size(),
                    dir);
        } else {
            LOG.warn("Found {} PostgreSQL process(es) left running in {} by a server that stopped without "
                    + "closing it; stopping them before starting again", leftovers.size(), dir);
        }
        // A fast, clean stop when the postmaster survived; crash recovery on the next start otherwise.
        leftovers.stream().filter(p -> p.parent().map(parent -> !leftovers.contains(parent)).orElse(true))
                .forEach(ProcessHandle::destroy);
        if (!waitForExit(leftovers, CLEAN_STOP)) {
            LOG.warn("Leftover PostgreSQL processes did not stop within {} s; killing them", CLEAN_STOP.toSeconds());
            leftovers.forEach(ProcessHandle::destroyForcibly);
            if (!waitForExit(leftovers, FORCED_STOP)) {
                throw new IllegalStateException("Leftover PostgreSQL processes in " + dir + " could not be stopped");
            }
        }
        try {
            // No process is left that could own it, and a reused pid must not make it look alive.
            removeLockFiles(dir);
        } catch (IOException e) {
            LOG.warn("Could not remove the stale postmaster.pid in {}: {}", dir, e.toString());
        }
        LOG.info("Leftover PostgreSQL processes in {} stopped", dir);
    }

    /**
     * With no PostgreSQL process left in the directory, its {@code postmaster.pid} may still name a
     * process that PostgreSQL takes for a running postmaster: the killed postmaster itself while it is
     * a zombie (until its new parent reaps it, which can take a second or more after kill -9), or an
     * unrelated process that reused the id (a container restarted on a kept volume). PostgreSQL then
     * refuses to start. The file (and the lock of its Unix socket) is removed in those cases only; an
     * id whose process cannot be inspected is left for PostgreSQL to judge.
     */
    private static void removeLockOfGonePostmaster(Path proc, Path dir, boolean ownedHere) {
        long pid = postmasterPid(dir);
        if (pid < 0) {
            return;
        }
        String why = whyNotAPostmasterOf(proc, pid, dir);
        if (why == null || (!ownedHere && ownedByLiveProcess(dir))) {
            return;
        }
        try {
            removeLockFiles(dir);
            LOG.info("Removed the stale postmaster.pid in {}: process {} {}", dir, pid, why);
        } catch (IOException e) {
            LOG.warn("Could not remove the stale postmaster.pid in {}: {}", dir, e.toString());
        }
    }

    /**
     * Removes the directory's {@code postmaster.pid} and, when it names the same process, the lock file
     * of the postmaster's Unix socket: PostgreSQL takes a zombie's id there for a live postmaster too,
     * and refuses to start (the zombie stays for good when this JVM, as process 1 of a container, is
     * its parent: Java cannot reap a process it did not start). The lines of {@code postmaster.pid}
     * are the process id, the directory, the start time, the port and the socket's directory.
     */
    private static void removeLockFiles(Path dir) throws IOException {
        Path lockFile = dir.resolve("postmaster.pid");
        List<String> lines;
        try {
            lines = Files.readAllLines(lockFile);
        } catch (NoSuchFileException e) {
            return;
        }
        if (lines.size() >= 5 && !lines.get(4).isBlank()) {
            Path socketLock = Path.of(lines.get(4).trim(), ".s.PGSQL." + lines.get(3).trim() + ".lock");
            try {
                List<String> socketLines = Files.readAllLines(socketLock);
                if (!socketLines.isEmpty() && socketLines.get(0).trim().equals(lines.get(0).trim())) {
                    Files.deleteIfExists(socketLock);
                }
            } catch (NoSuchFileException e) {
                // PostgreSQL removed it, or never made one.
            }
        }
        Files.deleteIfExists(lockFile);
    }

    /** The process id that the directory's {@code postmaster.pid} names, or -1 when it names none. */
    static long postmasterPid(Path dir) {
        try {
            List<String> lines = Files.readAllLines(dir.resolve("postmaster.pid"));
            return lines.isEmpty() ? -1 : Long.parseLong(lines.get(0).trim());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    /** Why process {@code pid} is surely no postmaster of {@code dir}, or null when it may be one. */
    static String whyNotAPostmasterOf(Path proc, long pid, Path dir) {
        Path entry = proc.resolve(Long.toString(pid));
        String stat;
        try {
            stat = Files.readString(entry.resolve("stat"));
        } catch (NoSuchFileException e) {
            return "is gone";
        } catch (IOException | SecurityException e) {
            return null;
        }
        // The state follows the command name, which is in parentheses and may itself hold any character.
        int end = stat.lastIndexOf(')');
        if (end >= 0 && end + 2 < stat.length() && stat.charAt(end + 2) == 'Z') {
            return "has exited (a zombie not yet reaped)";
        }
        try {
            if (!Files.readSymbolicLink(entry.resolve("cwd")).equals(dir)) {
                return "works in another directory";
            }
        } catch (IOException | SecurityException | UnsupportedOperationException e) {
            return null;
        }
        Path binary = postgresBinary(dir);
        try {
            return binary == null || runs(entry, binary) ? null : "runs another program";
        } catch (IOException | SecurityException | UnsupportedOperationException e) {
            return null;
        }
    }

    /** True when the directory's {@code postmaster.pid} says its postmaster accepts connections. */
    static boolean ready(Path dir) {
        try {
            List<String> lines = Files.readAllLines(dir.resolve("postmaster.pid"));
            // The eighth line is the postmaster's status; it says "ready" once recovery is over.
            return lines.size() >= 8 && lines.get(7).strip().equals("ready");
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The PostgreSQL binary that the directory's last postmaster ran, from the first word of its
     * {@code postmaster.opts} (written at every start), or null when that file does not say.
     */
    static Path postgresBinary(Path dir) {
        try {
            List<String> recorded = Files.readAllLines(dir.resolve("postmaster.opts"));
            int split = recorded.isEmpty() ? -1 : recorded.get(0).indexOf(" \"");
            return split <= 0 ? null : realPath(Path.of(recorded.get(0).substring(0, split)));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * True when the process of {@code entry} in /proc runs {@code binary}; the kernel marks a binary
     * replaced since the process started it (the library extracts its binaries again) as deleted.
     */
    private static boolean runs(Path entry, Path binary) throws IOException {
        String exe = Files.readSymbolicLink(entry.resolve("exe")).toString();
        String binaryName = binary.toString();
        return exe.equals(binaryName) || exe.equals(binaryName + " (deleted)");
    }

    /**
     * The processes of the database in {@code dir}: those working in it that run its PostgreSQL binary.
     * Without a {@code postmaster.opts} to name that binary, none is taken for one.
     */
    private static List<ProcessHandle> processesOf(Path proc, Path dir) {
        List<ProcessHandle> found = new ArrayList<>();
        Path binary = postgresBinary(dir);
        if (binary == null) {
            return found;
        }
        long self = ProcessHandle.current().pid();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(proc, p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path entry : entries) {
                long pid = Long.parseLong(entry.getFileName().toString());
                if (pid == self) {
                    continue;
                }
                try {
                    if (Files.readSymbolicLink(entry.resolve("cwd")).equals(dir) && runs(entry, binary)) {
                        ProcessHandle.of(pid).ifPresent(found::add);
                    }
                } catch (IOException | SecurityException | UnsupportedOperationException e) {
                    // Gone meanwhile, or not ours to inspect: not a leftover of this directory.
                }
            }
        } catch (IOException e) {
            LOG.warn("Could not look for leftover PostgreSQL processes: {}", e.toString());
        }
        return found;
    }

    /** True when a live process (another JVM) holds the embedded library's lock on the directory. */
    private static boolean ownedByLiveProcess(Path dir) {
        Path lock = dir.resolve(OWNER_LOCK);
        if (!Files.exists(lock)) {
            return false;
        }
        try (RandomAccessFile file = new RandomAccessFile(lock.toFile(), "rw");
             FileChannel channel = file.getChannel()) {
            FileLock held = channel.tryLock();
            if (held == null) {
                return true;
            }
            held.release();
            return false;
        } catch (OverlappingFileLockException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean waitForExit(List<ProcessHandle> processes, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (processes.stream().anyMatch(ProcessHandle::isAlive)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    static Path realPath(Path dir) {
        try {
            return dir.toRealPath();
        } catch (IOException e) {
            return dir.toAbsolutePath().normalize();
        }
    }
}
