package io.hanzo.kms.scim.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hanzo.kms.scim.it.TestServer;
import io.hanzo.kms.scim.store.pg.DatabaseTarget;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A server that cannot start says why in one log line, naming what failed (the database by host and
 * port, the HTTP or the management port), and exits 1: with log.format=json every line stays JSON. A
 * configuration that cannot be used is told in one JSON line too when JSON was asked for, and exits 2.
 */
class StartupFailureIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void aBusyHttpPortIsNamedInOneJsonLine() throws Exception {
        assertBusyPortNamed("SCIM_HTTP_PORT", "HTTP server");
    }

    @Test
    void aBusyManagementPortIsNamedInOneJsonLine() throws Exception {
        assertBusyPortNamed("SCIM_MANAGEMENT_PORT", "management server");
    }

    @Test
    void aRefusedDatabaseConnectionNamesHostAndPort() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        String error = failedStart(Map.of("SCIM_DATABASE_URL", "postgresql://kms:Sup3rS3cretPw@127.0.0.1:" + closed + "/kms",
                "SCIM_LOG_FORMAT", "json", "SCIM_DATABASE_START_RETRIES", "0"), 1);
        assertThat(error).isEqualTo("kms-scim could not start: database postgresql://127.0.0.1:" + closed
                + "/kms: Connection refused (ConnectException)");
    }

    @Test
    void aConfigurationErrorIsOneJsonLineWhenTheEnvironmentAsksForJson() throws Exception {
        String error = failedStart(Map.of("SCIM_LOG_FORMAT", "json", "SCIM_HTTP_PORT", "eighty"), 2);
        assertThat(error).isEqualTo("Configuration error: Configuration key 'http.port' (SCIM_HTTP_PORT) must be a "
                + "whole number, not 'eighty'.");
    }

    @Test
    void aConfigurationErrorIsOneJsonLineWhenTheFileAsksForJson() throws Exception {
        Path file = Files.writeString(dir.resolve("kms-scim.properties"), "log.format = json\nhttp.prot = 8080\n");
        String error = failedStart(Map.of("SCIM_CONFIG_FILE", file.toString()), 2);
        assertThat(error).isEqualTo("Configuration error: Unknown configuration key 'http.prot' in the configuration file.");
    }

    private void assertBusyPortNamed(String portVariable, String server) throws Exception {
        try (ServerSocket busy = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int port = busy.getLocalPort();
            String error = failedStart(Map.of("SCIM_DATABASE_URL", sharedDatabaseUrl(), portVariable,
                    Integer.toString(port), "SCIM_LOG_FORMAT", "json"), 1);
            assertThat(error).isEqualTo("kms-scim could not start: " + server + " on 127.0.0.1:" + port
                    + ": Address already in use (BindException)");
        }
    }

    /**
     * Starts a server that must fail with {@code exit}; answers the message of its one ERROR line, all
     * lines being JSON.
     */
    private String failedStart(Map<String, String> env, int exit) throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        Path log = dir.resolve("server.log");
        ServerProcess p = ServerProcess.start(data, log, env);
        assertThat(p.awaitExit(Duration.ofMinutes(2))).as(p.logText()).isEqualTo(exit);
        List<String> errors = new ArrayList<>();
        for (String line : Files.readAllLines(log)) {
            JsonNode event = JSON.readTree(line);
            assertThat(event.isObject()).as(line).isTrue();
            if (event.path("level").asText().equals("ERROR")) {
                errors.add(event.path("msg").asText());
            }
            assertThat(line).doesNotContain("Sup3rS3cretPw");
        }
        assertThat(errors).hasSize(1);
        return errors.get(0);
    }

    private static String sharedDatabaseUrl() throws IOException {
        DatabaseTarget db = TestServer.database();
        return "postgresql://" + db.user() + ":" + db.password() + "@" + db.host() + ":" + db.port() + "/" + db.database();
    }
}
