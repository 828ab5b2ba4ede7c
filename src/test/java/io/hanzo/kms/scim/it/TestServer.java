package io.hanzo.kms.scim.it;

import io.hanzo.kms.scim.Application;
import io.hanzo.kms.scim.config.AppConfig;
import io.hanzo.kms.scim.store.pg.DatabaseSetup;
import io.hanzo.kms.scim.store.pg.DatabaseTarget;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The real server for integration tests: one embedded PostgreSQL per test JVM and one server on it,
 * shared by the test classes. Tests isolate themselves by working in organisations of their own.
 */
public final class TestServer {
    public static final String ADMIN_TOKEN = "test-admin-token-0123456789abcdef";

    private static DatabaseTarget database;
    private static Path dataDir;
    private static TestServer shared;

    private final Application app;
    private final int port;

    private TestServer(Application app, int port) {
        this.app = app;
        this.port = port;
    }

    /** The server shared by all test classes, started on first use. */
    public static synchronized TestServer shared() {
        if (shared == null) {
            shared = start();
        }
        return shared;
    }

    /** A new server on the shared database; the caller stops it. */
    public static synchronized TestServer start() {
        return start(Map.of());
    }

    public static synchronized TestServer start(Map<String, String> extraEnv) {
        DatabaseTarget db = database();
        return start(db, dataDir, extraEnv);
    }

    /** A new server on a database of the caller's (its data directory for the admin token hash); the caller stops it. */
    public static TestServer start(DatabaseTarget db, Path dataDir, Map<String, String> extraEnv) {
        try {
            int port = freePort();
            Map<String, String> env = new HashMap<>();
            env.put("SCIM_HTTP_PORT", Integer.toString(port));
            env.put("SCIM_HTTP_HOST", "127.0.0.1");
            env.put("SCIM_HTTP_INSTANCES", "2");
            env.put("SCIM_PUBLIC_URL", "http://localhost:" + port);
            env.put("SCIM_ADMIN_TOKEN", ADMIN_TOKEN);
            env.put("SCIM_DATA_DIR", dataDir.toString());
            // Several servers share this JVM: no management port unless a test asks for one.
            env.put("SCIM_MANAGEMENT_PORT", "0");
            // The tests read set-up links from the log.
            env.put("SCIM_INVITATIONS_LOG_LINKS", "true");
            // Stopped servers have no load balancer to tell; a test that has one asks for the pause.
            env.put("SCIM_SHUTDOWN_UNREADY_SECONDS", "0");
            env.putAll(extraEnv);
            AppConfig config = AppConfig.from(Map.of(), env);
            return new TestServer(Application.start(config, db), port);
        } catch (Exception e) {
            throw new IllegalStateException("Test server did not start", e);
        }
    }

    /** The embedded database every test server of this JVM uses. */
    public static synchronized DatabaseTarget database() {
        if (database == null) {
            try {
                dataDir = Files.createTempDirectory("kms-scim-test");
                DatabaseTarget db = DatabaseSetup.startEmbedded(dataDir.resolve("postgres"), 0);
                Path dir = dataDir;
                // One hook, so the shared server stops before its database does, and that before its
                // directory goes.
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    if (shared != null) {
                        shared.app.stop();
                    }
                    try {
                        db.embedded().close();
                        TempDirectories.delete(dir);
                    } catch (Exception ignored) {
                        // the JVM is exiting anyway
                    }
                }));
                database = db;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return database;
    }

    public int port() {
        return port;
    }

    public String baseUrl() {
        return "http://localhost:" + port;
    }

    public Application app() {
        return app;
    }

    public void stop() {
        app.stop();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }
}
