package io.hanzo.kms.scim.bench;

import io.hanzo.kms.scim.Application;
import io.hanzo.kms.scim.config.AppConfig;
import io.hanzo.kms.scim.it.TempDirectories;
import io.hanzo.kms.scim.store.Ids;
import io.hanzo.kms.scim.store.pg.DatabaseSetup;
import io.hanzo.kms.scim.store.pg.DatabaseTarget;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Time of one membership PATCH against the real server and PostgreSQL, for groups of 1,000 and of
 * 100,000 members, adding or removing 1 or 1,000 members per PATCH. Each invocation alternately adds
 * and removes the same batch of users, so the group keeps its size. The claim it checks: the cost
 * follows the size of the change, not the size of the group.
 *
 * <p>Run with {@code make bench-groups}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(1)
public class GroupPatchBenchmark {
    private static final String ADMIN = "bench-admin-token-0123456789abcdef";

    @Param({"1000", "100000"})
    public int groupSize;

    @Param({"1", "1000"})
    public int batch;

    private Path dataDir;
    private DatabaseTarget db;
    private Application app;
    private HttpClient http;
    private String groupUrl;
    private String token;
    private String addBody;
    private String removeBody;
    private boolean nextIsAdd = true;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        dataDir = Files.createTempDirectory("kms-scim-bench");
        db = DatabaseSetup.startEmbedded(dataDir.resolve("postgres"), 0);
        DatabaseSetup.migrate(db);
        String orgId = Ids.newId().toString();
        String groupId = Ids.newId().toString();
        // Ids as the server makes them (time-ordered), created in order: members first, the batch last.
        int users = groupSize + batch;
        UUID[] ids = new UUID[users];
        for (int i = 0; i < users; i++) {
            ids[i] = Ids.newId();
        }
        List<String> spare = new ArrayList<>();
        for (int i = groupSize; i < users; i++) {
            spare.add(ids[i].toString());
        }
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
             Statement s = c.createStatement()) {
            s.execute("INSERT INTO organizations VALUES ('" + orgId + "', 'Bench', 'enterprise', true, now(), now())");
            try (PreparedStatement p = c.prepareStatement(
                    "INSERT INTO scim_users (org_id, id, user_name, external_id, active, attributes, version, created_at, updated_at) "
                            + "SELECT ?::uuid, t.id, 'user' || t.n || '@bench.example', null, true, "
                            + "jsonb_build_object('userName', 'user' || t.n || '@bench.example', 'active', true), 1, now(), now() "
                            + "FROM unnest(?::uuid[]) WITH ORDINALITY AS t(id, n)")) {
                p.setString(1, orgId);
                p.setArray(2, c.createArrayOf("uuid", ids));
                p.execute();
            }
            s.execute("INSERT INTO scim_groups VALUES ('" + orgId + "', '" + groupId + "', 'Bench group', null, "
                    + "'{\"displayName\":\"Bench group\"}', 1, now(), now())");
            try (PreparedStatement p = c.prepareStatement(
                    "INSERT INTO scim_group_members SELECT ?::uuid, ?::uuid, u FROM unnest(?::uuid[]) AS u")) {
                p.setString(1, orgId);
                p.setString(2, groupId);
                p.setArray(3, c.createArrayOf("uuid", java.util.Arrays.copyOf(ids, groupSize)));
                p.execute();
            }
            s.execute("VACUUM ANALYZE");
        }
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        AppConfig config = AppConfig.from(Map.of(), Map.of(
                "SCIM_HTTP_PORT", Integer.toString(port),
                "SCIM_HTTP_HOST", "127.0.0.1",
                "SCIM_ADMIN_TOKEN", ADMIN,
                "SCIM_DATA_DIR", dataDir.toString(),
                "SCIM_MANAGEMENT_PORT", "0",
                "SCIM_LOG_REQUESTS", "false"));
        app = Application.start(config, db);
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String base = "http://127.0.0.1:" + port;
        String created = send("POST", base + "/api/v1/organizations/" + orgId + "/scim-tokens", ADMIN,
                "{\"description\":\"bench\"}");
        token = created.replaceAll(".*\"token\":\"([^\"]+)\".*", "$1");
        groupUrl = base + "/api/v1/scim/Groups/" + groupId;
        StringBuilder values = new StringBuilder();
        for (String id : spare) {
            values.append(values.length() == 0 ? "" : ",").append("{\"value\":\"").append(id).append("\"}");
        }
        addBody = patch("add", values);
        removeBody = patch("remove", values);
    }

    private static String patch(String op, CharSequence values) {
        return "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"],\"Operations\":[{\"op\":\"" + op
                + "\",\"path\":\"members\",\"value\":[" + values + "]}]}";
    }

    @Benchmark
    public int patchMembers() throws Exception {
        String body = nextIsAdd ? addBody : removeBody;
        nextIsAdd = !nextIsAdd;
        HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(groupUrl))
                .method("PATCH", HttpRequest.BodyPublishers.ofString(body))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/scim+json")
                .build(), HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() != 204) {
            throw new IllegalStateException("PATCH answered " + r.statusCode());
        }
        return r.statusCode();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        app.stop();
        db.embedded().close();
        TempDirectories.delete(dataDir);
    }

    private String send(String method, String url, String bearer, String body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url))
                .method(method, HttpRequest.BodyPublishers.ofString(body))
                .header("Authorization", "Bearer " + bearer)
                .build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() >= 300) {
            throw new IllegalStateException(method + " " + url + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }
}
