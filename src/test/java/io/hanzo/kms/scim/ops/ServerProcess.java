package io.hanzo.kms.scim.ops;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The server as its own JVM process (as in production), on the test classpath and a data dir of its own. */
final class ServerProcess {
    static final String ADMIN_TOKEN = "process-admin-token-0123456789abcdef";

    private final Process process;
    private final Path log;
    final int port;
    final int managementPort;

    private ServerProcess(Process process, Path log, int port, int managementPort) {
        this.process = process;
        this.log = log;
        this.port = port;
        this.managementPort = managementPort;
    }

    static ServerProcess start(Path dataDir, Path log, Map<String, String> extraEnv) throws IOException {
        int port = freePort();
        int management = freePort();
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m", "-cp", classpath,
                "io.hanzo.kms.scim.Main"));
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("SCIM_"));
        env.put("SCIM_HTTP_HOST", "127.0.0.1");
        env.put("SCIM_HTTP_PORT", Integer.toString(port));
        env.put("SCIM_HTTP_INSTANCES", "2");
        env.put("SCIM_PUBLIC_URL", "http://localhost:" + port);
        env.put("SCIM_MANAGEMENT_PORT", Integer.toString(management));
        env.put("SCIM_ADMIN_TOKEN", ADMIN_TOKEN);
        env.put("SCIM_DATA_DIR", dataDir.toString());
        // A configuration file of its own (none): the project's conf/ must not leak in.
        Path conf = Files.createTempFile(dataDir.getParent(), "kms-scim", ".properties");
        env.put("SCIM_CONFIG_FILE", conf.toString());
        env.putAll(extraEnv);
        return new ServerProcess(pb.start(), log, port, management);
    }

    /** Polls readiness until it answers 200, failing when the process dies or the deadline passes. */
    void awaitReady(Duration timeout) throws InterruptedException, IOException {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Server exited with " + process.exitValue() + ":\n" + logText());
            }
            RawHttp.Result r = RawHttp.send(port, "GET", "/health/ready", null, null);
            if (r.outcome() == RawHttp.Outcome.ANSWERED && r.status() == 200) {
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("Server not ready within " + timeout + ":\n" + logText());
    }

    /** Sends SIGTERM (what {@link Process#destroy()} does on Linux). */
    void terminate() {
        process.destroy();
    }

    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("Server did not exit within " + timeout);
        }
        return process.exitValue();
    }

    void kill() {
        process.destroyForcibly();
    }

    String logText() throws IOException {
        return Files.exists(log) ? Files.readString(log) : "";
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
