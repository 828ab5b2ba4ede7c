package io.hanzo.kms.scim.chaos;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * kms-scim as its own JVM (java ... io.hanzo.kms.scim.Main), with its own data directory and so its
 * own embedded PostgreSQL, the way it runs in production: something a test can kill with SIGKILL.
 */
final class ServerProcess {
    static final String ADMIN_TOKEN = "chaos-admin-token-0123456789abcdef";
    private static final Duration READY_LIMIT = Duration.ofSeconds(90);

    private final Path dataDir;
    private final int port;
    private final HttpClient probe = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(1)).build();
    private Process process;

    ServerProcess(Path dataDir) throws IOException {
        this.dataDir = dataDir;
        this.port = freePort();
    }

    int port() {
        return port;
    }

    String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    Path postgresDir() {
        return dataDir.resolve("postgres");
    }

    Path log() {
        return dataDir.resolve("server.log");
    }

    /** Starts the server and waits until /health/ready answers 200; returns how long that took. */
    Duration start() throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx384m", "-cp", classpath(), "io.hanzo.kms.scim.Main");
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("SCIM_"));
        env.put("SCIM_DATA_DIR", dataDir.toString());
        env.put("SCIM_HTTP_PORT", Integer.toString(port));
        env.put("SCIM_HTTP_HOST", "127.0.0.1");
        env.put("SCIM_HTTP_INSTANCES", "2");
        env.put("SCIM_PUBLIC_URL", baseUrl());
        env.put("SCIM_ADMIN_TOKEN", ADMIN_TOKEN);
        // No metrics here: the default management port (9090) is shared by anything else on the machine,
        // and a restart found it taken.
        env.put("SCIM_MANAGEMENT_PORT", "0");
        env.put("SCIM_INVITATIONS_POLL_MILLIS", "200");
        // No relay here: the log line is the delivery the checks count.
        env.put("SCIM_INVITATIONS_LOG_LINKS", "true");
        // An invitation a kill left claimed but unsent is sent again once its claim lapses; the checks
        // wait a minute for the outbox, not the default five.
        env.put("SCIM_INVITATIONS_CLAIM_SECONDS", "5");
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()));
        long t0 = System.nanoTime();
        process = pb.start();
        long deadline = t0 + READY_LIMIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("The server exited with " + process.exitValue() + " while starting; see " + log()
                        + ":\n" + tail());
            }
            if (ready()) {
                return Duration.ofNanos(System.nanoTime() - t0);
            }
            Thread.sleep(25);
        }
        throw new IllegalStateException("The server was not ready within " + READY_LIMIT.toSeconds() + " s; see " + log()
                + ":\n" + tail());
    }

    private boolean ready() {
        try {
            HttpResponse<Void> r = probe.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/health/ready"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
            return r.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** SIGKILL to the server's JVM only: its embedded PostgreSQL keeps running, orphaned. */
    void killJvm() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            process.waitFor();
        }
    }

    /** SIGKILL to the JVM and, right after, to every PostgreSQL process of its data directory. */
    void killAll() throws InterruptedException {
        List<ProcessHandle> pg = postgresProcesses();
        killJvm();
        pg.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle p : pg) {
            p.onExit().join();
        }
    }

    /** A clean stop (SIGTERM), as an operator would; waits for it. */
    void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                killAll();
            }
        }
        // A clean stop leaves nothing behind; a killed one may have: stop that too.
        postgresProcesses().forEach(ProcessHandle::destroyForcibly);
    }

    /** PostgreSQL processes working in this server's database directory (their cwd, as Linux shows it). */
    List<ProcessHandle> postgresProcesses() {
        List<ProcessHandle> found = new ArrayList<>();
        Path dir;
        try {
            dir = postgresDir().toRealPath();
        } catch (IOException e) {
            return found;
        }
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path p : procs) {
                try {
                    if (Files.readSymbolicLink(p.resolve("cwd")).equals(dir)) {
                        ProcessHandle.of(Long.parseLong(p.getFileName().toString())).ifPresent(found::add);
                    }
                } catch (IOException | SecurityException e) {
                    // gone, or not ours
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return found;
    }

    /**
     * A JDBC connection to the running embedded database (its port is in postmaster.pid, its password
     * beside its directory).
     */
    Connection database() throws SQLException, IOException {
        List<String> pid = Files.readAllLines(postgresDir().resolve("postmaster.pid"));
        String port = pid.get(3).trim();
        String password = Files.readString(dataDir.resolve("postgres.password")).strip();
        return DriverManager.getConnection("jdbc:postgresql://localhost:" + port + "/postgres", "postgres", password);
    }

    String tail() {
        try {
            List<String> lines = Files.readAllLines(log());
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** The test JVM's class path (Surefire's own list when it hides it behind a manifest jar). */
    private static String classpath() {
        String cp = System.getProperty("surefire.test.class.path");
        return cp == null || cp.isBlank() ? System.getProperty("java.class.path") : cp;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
