package io.hanzo.kms.scim.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hanzo.kms.scim.chaos.PlainHttp;
import io.hanzo.kms.scim.config.AppConfig;
import io.hanzo.kms.scim.it.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;

/**
 * Property-based fuzzing of the SCIM API over HTTP: requests generated from the SCIM grammars and
 * mutated (see {@link ScimGrammar}) against the real server. For every case: never a 5xx; every error
 * is an RFC 7644 error document whose status matches the HTTP status; and a refused request changes
 * nothing, in the database or in what the API shows. Each property works in an organisation of its
 * own. {@code -Dfuzz.cases=N} sets the total number of cases (default 5,000; make fuzz runs 100,000),
 * {@code -Dfuzz.seed=S} replays a run; {@code -Dfuzz.explore=true} draws a new seed (see {@link #SEED}).
 * <p>
 * The properties may run at the same time (each has its organisation): with
 * {@code junit.jupiter.execution.parallel.enabled=true}, as make fuzz sets it.
 */
@Execution(ExecutionMode.CONCURRENT)
class ScimFuzzIT {
    private static final String SCIM = "/api/v1/scim";
    private static final String ERROR = "urn:ietf:params:scim:api:messages:2.0:Error";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int TOTAL = Integer.getInteger("fuzz.cases", 5_000);
    /**
     * In {@code make test} the cases are the same on every run, so that a red build is always the
     * change's doing and replays as it is; {@code make fuzz} ({@code -Dfuzz.explore=true}) draws a new
     * seed each run to find what these cases do not.
     */
    private static final long SEED = Long.getLong("fuzz.seed",
            Boolean.getBoolean("fuzz.explore") ? System.nanoTime() : 7_682_838_835_673L);
    private static final AtomicLong CASES = new AtomicLong();
    private static final AtomicLong SERVER_ERRORS = new AtomicLong();
    private static final AtomicLong REFUSED = new AtomicLong();

    private static PlainHttp http;
    /** Ids of another organisation: they must be as unknown as random ones. */
    private static List<String> foreignIds;

    /** One request of a case. */
    record Case(String method, String path, Map<String, String> headers, String body) {
        static Case json(String method, String path, Object body) {
            Map<String, String> h = new LinkedHashMap<>();
            h.put("Content-Type", "application/scim+json");
            return new Case(method, path, h, body == null ? null : JsonText.write(body));
        }
    }

    /** The organisation a property works in, with a few users and a group to aim at. */
    record Fixture(String orgId, String token, List<String> userIds, String groupId) {
        List<String> memberCandidates() {
            List<String> all = new ArrayList<>(userIds);
            all.addAll(foreignIds);
            return all;
        }
    }

    @BeforeAll
    static void start() throws Exception {
        initialise();
        Fixture other = fixture("fuzz-foreign");
        foreignIds = new ArrayList<>(other.userIds());
        foreignIds.add(other.groupId());
    }

    static synchronized void initialise() {
        if (http == null) {
            http = new PlainHttp(TestServer.shared().baseUrl());
        }
    }

    @AfterAll
    static void report() throws IOException {
        String line = String.format(Locale.ROOT, "SCIM FUZZ: seed=%d cases=%d refused=%d 5xx=%d", SEED, CASES.get(),
                REFUSED.get(), SERVER_ERRORS.get());
        System.out.println(line);
        Path target = Path.of("target");
        if (Files.isDirectory(target)) {
            Files.writeString(target.resolve("fuzz-summary.txt"), line + System.lineSeparator(), StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING);
        }
    }

    @Test
    void userBodies() throws Exception {
        property("user bodies", 0.16, (g, fx) -> Case.json("POST", SCIM + "/Users", g.user(mutation(g))));
    }

    @Test
    void userReplacements() throws Exception {
        property("user replacements", 0.08, (g, fx) -> Case.json("PUT", SCIM + "/Users/" + pick(fx.userIds()), g.user(mutation(g))));
    }

    @Test
    void userPatches() throws Exception {
        property("user patches", 0.16, (g, fx) -> Case.json("PATCH", SCIM + "/Users/" + pick(fx.userIds()),
                g.patch(mutation(g), false, fx.memberCandidates())));
    }

    @Test
    void groupBodies() throws Exception {
        property("group bodies", 0.10, (g, fx) -> RANDOM.get().nextBoolean()
                ? Case.json("POST", SCIM + "/Groups", g.group(mutation(g), fx.memberCandidates()))
                : Case.json("PUT", SCIM + "/Groups/" + fx.groupId(), g.group(mutation(g), fx.memberCandidates())));
    }

    @Test
    void groupPatches() throws Exception {
        property("group patches", 0.12, (g, fx) -> Case.json("PATCH", SCIM + "/Groups/" + fx.groupId(),
                g.patch(mutation(g), true, fx.memberCandidates())));
    }

    @Test
    void bulkRequests() throws Exception {
        property("bulk requests", 0.10, (g, fx) -> Case.json("POST", SCIM + "/Bulk", g.bulk(mutation(g), fx.memberCandidates())));
    }

    @Test
    void queries() throws Exception {
        property("queries", 0.18, (g, fx) -> switch (RANDOM.get().nextInt(5)) {
            case 0 -> Case.json("GET", SCIM + "/Users" + g.listQuery(), null);
            case 1 -> Case.json("GET", SCIM + "/Groups" + g.listQuery(), null);
            case 2 -> Case.json("POST", SCIM + "/.search", g.search(mutation(g)));
            case 3 -> Case.json("POST", SCIM + "/Users/.search", g.search(mutation(g)));
            default -> Case.json("GET", SCIM + "/Users/" + pick(fx.userIds()) + g.listQuery(), null);
        });
    }

    @Test
    void headers() throws Exception {
        property("headers", 0.10, (g, fx) -> {
            Random r = RANDOM.get();
            Case base = switch (r.nextInt(4)) {
                case 0 -> Case.json("POST", SCIM + "/Users", g.user(0.05));
                case 1 -> Case.json("PATCH", SCIM + "/Users/" + pick(fx.userIds()), g.patch(0.05, false, fx.memberCandidates()));
                case 2 -> Case.json("PUT", SCIM + "/Groups/" + fx.groupId(), g.group(0.05, fx.memberCandidates()));
                default -> Case.json("DELETE", SCIM + "/Users/" + java.util.UUID.randomUUID(), null);
            };
            Map<String, String> h = new LinkedHashMap<>();
            String type = g.contentType();
            if (type != null) {
                h.put("Content-Type", type);
            }
            if (r.nextBoolean()) {
                h.put("Accept", g.accept());
            }
            if (r.nextBoolean()) {
                h.put("If-Match", g.ifMatch());
            }
            if (r.nextInt(8) == 0) {
                h.put("If-None-Match", g.ifMatch());
            }
            return new Case(base.method(), base.path(), h, base.body());
        });
    }

    // ---- the property runner -------------------------------------------------------------------

    /** The random source of the running property, for generators that choose among shapes. */
    private static final ThreadLocal<Random> RANDOM = new ThreadLocal<>();

    private static double mutation(ScimGrammar g) {
        return new double[] {0.0, 0.05, 0.15, 0.4}[RANDOM.get().nextInt(4)];
    }

    /** Whether the case's body is over what the server reads for its endpoint (the default limits). */
    private static boolean oversize(Case c) {
        if (c.body() == null) {
            return false;
        }
        long bytes = c.body().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        String limit = c.path().endsWith("/Bulk") ? AppConfig.DEFAULTS.get("scim.bulk-max-payload-bytes")
                : AppConfig.DEFAULTS.get("http.max-body-bytes");
        return bytes > Long.parseLong(limit);
    }

    private static String pick(List<String> ids) {
        return ids.get(RANDOM.get().nextInt(ids.size()));
    }

    private void property(String name, double share, BiFunction<ScimGrammar, Fixture, Case> generator) throws Exception {
        int cases = Math.max(1, (int) Math.round(TOTAL * share));
        Random random = new Random(SEED ^ name.hashCode());
        RANDOM.set(random);
        ScimGrammar grammar = new ScimGrammar(random);
        Fixture fx = fixture("fuzz " + name);
        List<String> failures = new ArrayList<>();
        try (OrgState state = new OrgState(http, fx.orgId(), fx.token())) {
            OrgState.Snapshot before = state.take();
            for (int i = 0; i < cases && failures.size() < 20; i++) {
                Case c = generator.apply(grammar, fx);
                c.headers().put("Authorization", "Bearer " + fx.token());
                PlainHttp.Response r;
                try {
                    r = http.sendRaw(c.method(), c.path(), c.headers(), c.body());
                } catch (java.net.http.HttpTimeoutException e) {
                    CASES.incrementAndGet();
                    failures.add("no answer within 30 s: " + name + " case " + i + " (seed " + SEED + "): " + c.method() + " "
                            + shorten(c.path()) + " " + shorten(c.body()));
                    break;
                } catch (java.io.IOException e) {
                    CASES.incrementAndGet();
                    String what = name + " case " + i + " (seed " + SEED + "): " + c.method() + " " + shorten(c.path())
                            + " " + c.headers() + " " + shorten(c.body());
                    if (!oversize(c)) {
                        failures.add("connection closed without an answer (" + e.getMessage() + "): " + what);
                        continue;
                    }
                    // A body over the limit is refused (413) from its Content-Length and the connection closed
                    // without reading it; a client still sending may miss the answer. Nothing may change.
                    REFUSED.incrementAndGet();
                    OrgState.Snapshot after = state.take();
                    if (!after.equals(before)) {
                        failures.add("state changed by an oversize request: " + what);
                        before = after;
                    }
                    continue;
                }
                if (CASES.incrementAndGet() % 5_000 == 0) {
                    System.out.println("SCIM FUZZ progress: " + CASES.get() + " cases, " + SERVER_ERRORS.get() + " 5xx");
                }
                String what = name + " case " + i + " (seed " + SEED + "): " + c.method() + " " + shorten(c.path())
                        + " " + c.headers() + " " + shorten(c.body()) + " -> " + r.status() + " " + shorten(r.text());
                if (r.status() >= 500) {
                    SERVER_ERRORS.incrementAndGet();
                    failures.add("5xx: " + what);
                }
                boolean changes = true;
                if (r.status() >= 400) {
                    REFUSED.incrementAndGet();
                    String problem = errorDocumentProblem(r);
                    if (problem != null) {
                        failures.add(problem + ": " + what);
                    }
                    changes = false;
                } else if (c.path().endsWith("/Bulk")) {
                    bulkProblems(r).forEach(p -> failures.add(p + ": " + what));
                }
                boolean read = c.method().equals("GET") || c.path().endsWith(".search");
                if (read) {
                    // A read changes nothing: the database digest suffices, and the lists stay as they were.
                    String db = state.database();
                    if (!db.equals(before.database())) {
                        failures.add("state changed by a read: " + what);
                        before = state.take();
                    }
                    continue;
                }
                OrgState.Snapshot after = state.take();
                if (!changes && !after.equals(before)) {
                    failures.add("state changed by a refused or read-only request: " + what + "\n before " + before
                            + "\n after  " + after);
                }
                if (r.status() == 201 && (c.path().endsWith("/Users") || c.path().endsWith("/Groups"))) {
                    // Keep the organisation small: what a case created goes again.
                    String id = r.json().path("id").asText();
                    http.send("DELETE", c.path() + "/" + id, fx.token(), null);
                    after = state.take();
                } else if (r.status() == 200 && c.path().endsWith("/Bulk")) {
                    boolean deleted = false;
                    for (JsonNode op : r.json().path("Operations")) {
                        String location = op.path("location").asText("");
                        int at = location.indexOf(SCIM + "/");
                        if ("201".equals(op.path("status").asText()) && at >= 0) {
                            http.send("DELETE", location.substring(at), fx.token(), null);
                            deleted = true;
                        }
                    }
                    if (deleted) {
                        after = state.take();
                    }
                }
                before = after;
            }
        }
        assertThat(failures).as(name + ": invariants broken").isEmpty();
    }

    /** Null when {@code r} is an RFC 7644 error document matching its status, else what is wrong. */
    static String errorDocumentProblem(PlainHttp.Response r) {
        JsonNode doc;
        try {
            doc = JSON.readTree(r.text());
        } catch (IOException e) {
            return "error body is not JSON";
        }
        if (doc == null || !doc.isObject()) {
            return "error body is not a JSON object";
        }
        boolean schema = false;
        for (JsonNode s : doc.path("schemas")) {
            schema |= ERROR.equals(s.asText());
        }
        if (!schema) {
            return "error body lacks the Error schema";
        }
        if (!doc.path("status").isTextual() || !doc.path("status").asText().equals(Integer.toString(r.status()))) {
            return "error status " + doc.path("status") + " is not the string \"" + r.status() + "\"";
        }
        return null;
    }

    /** Problems of a 200 BulkResponse: an operation answered 5xx or a failure without an error document. */
    private static List<String> bulkProblems(PlainHttp.Response r) {
        List<String> problems = new ArrayList<>();
        JsonNode ops = r.json().path("Operations");
        for (JsonNode op : ops) {
            int status;
            try {
                status = Integer.parseInt(op.path("status").asText());
            } catch (NumberFormatException e) {
                problems.add("bulk operation status " + op.path("status") + " is not a number in a string");
                continue;
            }
            if (status >= 500) {
                SERVER_ERRORS.incrementAndGet();
                problems.add("bulk operation answered " + status);
            }
            if (status >= 400) {
                JsonNode resp = op.path("response");
                boolean schema = false;
                for (JsonNode s : resp.path("schemas")) {
                    schema |= ERROR.equals(s.asText());
                }
                if (!schema || !resp.path("status").asText().equals(Integer.toString(status))) {
                    problems.add("bulk operation failure without a matching error document: " + op);
                }
            }
        }
        return problems;
    }

    /** An organisation with three users and a group holding two of them. */
    static Fixture fixture(String name) throws IOException, InterruptedException {
        String admin = TestServer.ADMIN_TOKEN;
        PlainHttp.Response org = http.send("POST", "/api/v1/organizations", admin,
                "{\"name\":\"" + name + "\",\"plan\":\"enterprise\"}");
        assertThat(org.status()).as(org.text()).isEqualTo(201);
        String orgId = org.json().path("id").asText();
        assertThat(http.send("PATCH", "/api/v1/organizations/" + orgId, admin, "{\"scimEnabled\":true}").status()).isEqualTo(200);
        PlainHttp.Response tok = http.send("POST", "/api/v1/organizations/" + orgId + "/scim-tokens", admin,
                "{\"description\":\"fuzz\",\"ttlDays\":1}");
        assertThat(tok.status()).as(tok.text()).isEqualTo(201);
        String token = tok.json().path("token").asText();
        List<String> users = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            PlainHttp.Response u = http.send("POST", SCIM + "/Users", token, "{\"schemas\":[\"" + ScimGrammar.USER
                    + "\"],\"userName\":\"fixture" + i + "@example.com\",\"name\":{\"givenName\":\"F" + i + "\"},"
                    + "\"emails\":[{\"value\":\"fixture" + i + "@example.com\",\"type\":\"work\",\"primary\":true}]}");
            assertThat(u.status()).as(u.text()).isEqualTo(201);
            users.add(u.json().path("id").asText());
        }
        PlainHttp.Response g = http.send("POST", SCIM + "/Groups", token, "{\"schemas\":[\"" + ScimGrammar.GROUP
                + "\"],\"displayName\":\"Fixture group\",\"members\":[{\"value\":\"" + users.get(0) + "\"},{\"value\":\""
                + users.get(1) + "\"}]}");
        assertThat(g.status()).as(g.text()).isEqualTo(201);
        return new Fixture(orgId, token, users, g.json().path("id").asText());
    }

    private static String shorten(String s) {
        if (s == null) {
            return "";
        }
        return s.length() > 600 ? s.substring(0, 600) + "...(" + s.length() + " chars)" : s;
    }
}
