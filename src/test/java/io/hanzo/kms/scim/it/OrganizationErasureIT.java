package io.hanzo.kms.scim.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.hanzo.kms.scim.store.pg.DatabaseTarget;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * DELETE /api/v1/organizations/{id}: the organisation is answered as one that never was, on every
 * instance, and every row of it goes from every table, however the erasure was interrupted and
 * whatever writes meet it.
 */
@ExtendWith(VertxExtension.class)
class OrganizationErasureIT {
    private static final String ORGS = "/api/v1/organizations";
    private static final String ADMIN = TestServer.ADMIN_TOKEN;
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    /** A PATCH of a user's displayName, to be followed by the value and the closing. */
    private static final String PATCH_DISPLAY_NAME = "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"],"
            + "\"Operations\":[{\"op\":\"replace\",\"path\":\"displayName\",\"value\":\"n";
    private static ApiClient api;
    private static InvitationLog log;
    private static Vertx vertx;
    /** Another instance on the same database, and a client of it. */
    private static TestServer second;
    private static ApiClient other;

    @BeforeAll
    static void start(Vertx v) {
        vertx = v;
        log = InvitationLog.install();
        api = new ApiClient(v, TestServer.shared().port());
        second = TestServer.start();
        other = new ApiClient(v, second.port());
    }

    @AfterAll
    static void stop() {
        api.close();
        other.close();
        second.stop();
        log.uninstall();
    }

    @Test
    void anErasedOrganisationIsAnsweredAsOneThatNeverWasAndItsRowsGo() throws Exception {
        TestOrg org = TestOrg.create(api, "Leaving " + UUID.randomUUID());
        String person = "erased-" + UUID.randomUUID();
        provision(api, org, person, 3);
        assertThat(api.put(ORGS + "/" + org.id() + "/group-role-mappings", ADMIN,
                "{\"defaultRole\":\"viewer\",\"mappings\":[{\"group\":\"Admins\",\"role\":\"admin\"}]}").status()).isEqualTo(200);
        addRowsNoRequestMakes(org.id());
        assertThat(rowsOf(org.id())).as("every table holds rows of it before").containsOnlyKeys(
                "organizations", "scim_tokens", "scim_users", "scim_groups", "scim_group_members", "invitations",
                "account_keys", "group_role_mappings", "scim_events", "resource_changes", "resource_changes_pruned");
        TestOrg bystander = TestOrg.create(api, "Staying " + UUID.randomUUID());
        provision(api, bystander, "stays-" + UUID.randomUUID(), 2);
        Map<String, Long> bystanderRows = rowsOf(bystander.id());

        ApiClient.Response erased = api.delete(ORGS + "/" + org.id(), ADMIN);
        assertThat(erased.status()).as(erased.text()).isEqualTo(204);
        assertThat(erased.text()).isNullOrEmpty();

        String notFound = "Organization " + org.id() + " not found.";
        for (ApiClient.Response r : List.of(api.delete(ORGS + "/" + org.id(), ADMIN), api.get(ORGS + "/" + org.id(), ADMIN),
                api.patch(ORGS + "/" + org.id(), ADMIN, "{\"scimEnabled\":false}"),
                api.post(ORGS + "/" + org.id() + "/scim-tokens", ADMIN, "{\"description\":\"late\",\"ttlDays\":1}"))) {
            assertThat(r.status()).as(r.text()).isEqualTo(404);
            assertThat(r.json().path("detail").asText()).isEqualTo(notFound);
        }
        JsonNode listed = api.get(ORGS + "?name=Leaving", ADMIN).json().path("organizations");
        listed.forEach(o -> assertThat(o.path("id").asText()).isNotEqualTo(org.id()));

        ApiClient.Response unknownToken = api.get(TestOrg.SCIM + "/Users", "kms_scim_unknown");
        ApiClient.Response itsToken = api.get(TestOrg.SCIM + "/Users", org.token());
        assertThat(itsToken.status()).isEqualTo(401);
        assertThat(itsToken.text()).isEqualTo(unknownToken.text());

        Polling.until(DEADLINE, () -> assertThat(rowsOf(org.id())).isEmpty());
        assertThat(rowsOf(bystander.id())).isEqualTo(bystanderRows);
        assertThat(TestServer.shared().app().index().holds(UUID.fromString(org.id()))).isFalse();
    }

    /**
     * Between the erasure's first transaction and the batch that deletes its invitations (minutes, for
     * a large organisation), a set-up link is refused all the same. The notification is sent by hand
     * here, and no instance finishes the erasure before the test does.
     */
    @Test
    void aSetUpLinkIsRefusedWhileTheErasureIsUnderWay() throws Exception {
        TestOrg org = TestOrg.create(api, "Links " + UUID.randomUUID());
        String person = "link-" + UUID.randomUUID();
        provision(api, org, person, 1);
        String link = log.await(person + "0", 1, DEADLINE).token();
        try (Connection c = connect();
             PreparedStatement mark = c.prepareStatement("UPDATE organizations SET deleted_at = now() WHERE id = ?");
             PreparedStatement tell = c.prepareStatement("SELECT pg_notify('kms_admin_changes', 'org:' || ?)")) {
            mark.setObject(1, UUID.fromString(org.id()));
            assertThat(mark.executeUpdate()).isEqualTo(1);
            tell.setString(1, org.id());
            tell.execute();
        }
        Polling.until(DEADLINE, () -> assertThat(api.get(ORGS + "/" + org.id(), ADMIN).status()).isEqualTo(404));

        ApiClient.Response described = api.post("/api/v1/account/invitation", null, "{\"token\":\"" + link + "\"}");
        assertThat(described.status()).as(described.text()).isEqualTo(401);
        assertThat(described.text()).isEqualTo(api.post("/api/v1/account/invitation", null,
                "{\"token\":\"kms_setup_unknown\"}").text());
        DeviceKeys keys = DeviceKeys.generate("pw");
        ApiClient.Response setUp = api.post("/api/v1/account/setup", null, keys.setupJson(link));
        assertThat(setUp.status()).as(setUp.text()).isEqualTo(401);
        assertThat(setUp.text()).isEqualTo(api.post("/api/v1/account/setup", null, keys.setupJson("kms_setup_unknown")).text());

        ApiClient.await(TestServer.shared().app().services().orgs().finishErasures());
        assertThat(rowsOf(org.id())).isEmpty();
    }

    @Test
    void aMalformedIdIsAnsweredAsGetAnswersIt() {
        for (String id : List.of("not-an-id", "%ZZ", UUID.randomUUID().toString())) {
            ApiClient.Response get = api.get(ORGS + "/" + id, ADMIN);
            ApiClient.Response delete = api.delete(ORGS + "/" + id, ADMIN);
            assertThat(delete.status()).as(id).isEqualTo(get.status()).isIn(400, 404);
            assertThat(delete.text()).isEqualTo(get.text());
        }
        assertThat(api.delete(ORGS + "/not-an-id", ADMIN).status()).isEqualTo(404);
        assertThat(api.delete(ORGS + "/%ZZ", ADMIN).status()).isEqualTo(400);
        TestOrg org = TestOrg.create(api, "Kept " + UUID.randomUUID());
        assertThat(api.delete(ORGS + "/" + org.id(), "not-the-admin-token").status()).isEqualTo(401);
        assertThat(api.get(ORGS + "/" + org.id(), ADMIN).status()).isEqualTo(200);
    }

    @Test
    void everyInstanceForgetsTheOrganisation() {
        TestOrg org = knownToTheOther("Leaving both");
        UUID orgId = UUID.fromString(org.id());
        provision(other, org, "both-" + UUID.randomUUID(), 2);
        assertThat(second.app().index().holds(orgId)).isTrue();

        assertThat(api.delete(ORGS + "/" + org.id(), ADMIN).status()).isEqualTo(204);

        Polling.until(DEADLINE, () -> {
            assertThat(other.get(TestOrg.SCIM + "/Users", org.token()).status()).isEqualTo(401);
            assertThat(other.get(ORGS + "/" + org.id(), ADMIN).status()).isEqualTo(404);
            assertThat(second.app().index().holds(orgId)).isFalse();
        });
        other.get(ORGS + "?name=Leaving", ADMIN).json().path("organizations")
                .forEach(o -> assertThat(o.path("id").asText()).isNotEqualTo(org.id()));
        Polling.until(DEADLINE, () -> assertThat(rowsOf(org.id())).isEmpty());
    }

    /** The first transaction only, as a crash right after it leaves it: the next start finishes the erasure. */
    @Test
    void anErasureCutShortIsFinishedByTheNextStart() throws Exception {
        TestOrg org = TestOrg.create(api, "Cut short " + UUID.randomUUID());
        provision(api, org, "cut-" + UUID.randomUUID(), 3);
        try (Connection c = connect();
             PreparedStatement ps = c.prepareStatement("UPDATE organizations SET deleted_at = now() WHERE id = ?")) {
            ps.setObject(1, UUID.fromString(org.id()));
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }
        assertThat(rowsOf(org.id())).containsKeys("organizations", "scim_users", "scim_events");

        TestServer restarted = TestServer.start();
        try {
            ApiClient there = new ApiClient(vertx, restarted.port());
            try {
                assertThat(there.get(ORGS + "/" + org.id(), ADMIN).status()).isEqualTo(404);
                assertThat(there.get(TestOrg.SCIM + "/Users", org.token()).status()).isEqualTo(401);
            } finally {
                there.close();
            }
            Polling.until(DEADLINE, () -> assertThat(rowsOf(org.id())).isEmpty());
        } finally {
            restarted.stop();
        }
    }

    /**
     * Writers on an instance that has not heard of the erasure yet, its token still cached, while
     * another instance erases: each is answered as written or refused cleanly, and nothing they wrote
     * outlives the erasure.
     */
    @Test
    void writesRacingTheErasureLeaveNothingBehindAndAreRefusedCleanly() throws Exception {
        TestOrg org = knownToTheOther("Racing");
        String patched = provision(other, org, "patched-" + UUID.randomUUID(), 1).get(0);
        ConcurrentMap<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger written = new AtomicInteger();
        String run = UUID.randomUUID().toString().substring(0, 8);
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            int writer = w;
            writers.add(new Thread(() -> {
                for (int i = 0; !stop.get(); i++) {
                    ApiClient.Response r = switch (writer) {
                        case 0, 1 -> other.post(TestOrg.SCIM + "/Users", org.token(),
                                "{\"userName\":\"race-" + run + "-" + writer + "-" + i + "\"}");
                        case 2 -> other.post(TestOrg.SCIM + "/Groups", org.token(),
                                "{\"displayName\":\"race-" + run + "-" + i + "\",\"members\":[{\"value\":\"" + patched + "\"}]}");
                        default -> other.patch(TestOrg.SCIM + "/Users/" + patched, org.token(), PATCH_DISPLAY_NAME + i + "\"}]}");
                    };
                    statuses.computeIfAbsent(r.status(), s -> new AtomicInteger()).incrementAndGet();
                    if (r.status() < 300) {
                        written.incrementAndGet();
                    }
                }
            }, "erasure-writer-" + w));
        }
        writers.forEach(Thread::start);
        Polling.until(DEADLINE, () -> assertThat(written.get()).isGreaterThan(40));

        assertThat(api.delete(ORGS + "/" + org.id(), ADMIN).status()).isEqualTo(204);
        Polling.until(DEADLINE, () -> assertThat(statuses.getOrDefault(401, new AtomicInteger()).get()).isGreaterThan(20));
        stop.set(true);
        for (Thread t : writers) {
            t.join(DEADLINE.toMillis());
        }

        assertThat(statuses.keySet()).as("statuses: %s", statuses).contains(200, 201, 401)
                .allMatch(s -> Set.of(200, 201, 401, 404, 409, 412, 503).contains(s));
        Polling.until(DEADLINE, () -> assertThat(rowsOf(org.id())).isEmpty());
    }

    /**
     * An instance that never hears of the erasure (its first transaction run alone, as if the
     * notification were lost) keeps its token cached: every creation it is asked for from then on is
     * refused as an unknown token's, what the writes to a person who still has a row add goes with the
     * erasure another instance finishes while they keep coming, and the refusals of those that come
     * after it are written nowhere.
     */
    @Test
    void anInstanceThatHasNotHeardWritesNothingIntoTheErasedOrganisation() throws Exception {
        TestOrg org = knownToTheOther("Unheard");
        String patched = provision(other, org, "unheard-" + UUID.randomUUID(), 1).get(0);
        String run = UUID.randomUUID().toString().substring(0, 8);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong markedAt = new AtomicLong(Long.MAX_VALUE);
        ConcurrentMap<String, AtomicInteger> afterMark = new ConcurrentHashMap<>();
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            int writer = w;
            writers.add(new Thread(() -> {
                for (int i = 0; !stop.get(); i++) {
                    long started = System.nanoTime();
                    ApiClient.Response r = switch (writer) {
                        case 3 -> other.post(TestOrg.SCIM + "/Bulk", org.token(), "{\"schemas\":[\"urn:ietf:params:scim:api:"
                                + "messages:2.0:BulkRequest\"],\"Operations\":[{\"method\":\"POST\",\"path\":\"/Users\","
                                + "\"bulkId\":\"u\",\"data\":{\"userName\":\"unheard-bulk-" + run + "-" + i + "\"}}]}");
                        case 0 -> other.post(TestOrg.SCIM + "/Users", org.token(), "{\"userName\":\"unheard-" + run + "-" + i + "\"}");
                        case 1 -> other.post(TestOrg.SCIM + "/Groups", org.token(), "{\"displayName\":\"unheard-" + run + "-" + i
                                + "\",\"members\":[{\"value\":\"" + patched + "\"}]}");
                        default -> other.patch(TestOrg.SCIM + "/Users/" + patched, org.token(), PATCH_DISPLAY_NAME + i + "\"}]}");
                    };
                    // A /Bulk answers 200 with each operation's status.
                    String answer = writer == 3 ? "BULK " + (r.status() == 200
                            ? r.json().path("Operations").path(0).path("status").asText() : r.status())
                            : (writer == 2 ? "PATCH " : "POST ") + r.status();
                    if (started > markedAt.get()) {
                        afterMark.computeIfAbsent(answer, k -> new AtomicInteger()).incrementAndGet();
                    }
                }
            }, "unheard-writer-" + w));
        }
        writers.forEach(Thread::start);
        try {
            try (Connection c = connect();
                 PreparedStatement ps = c.prepareStatement("UPDATE organizations SET deleted_at = now() WHERE id = ?")) {
                ps.setObject(1, UUID.fromString(org.id()));
                assertThat(ps.executeUpdate()).isEqualTo(1);
            }
            markedAt.set(System.nanoTime());
            Polling.until(DEADLINE, () -> {
                assertThat(afterMark.getOrDefault("POST 401", new AtomicInteger()).get()).isGreaterThan(10);
                assertThat(afterMark.getOrDefault("BULK 401", new AtomicInteger()).get()).isGreaterThan(3);
            });
            ApiClient.await(TestServer.shared().app().services().orgs().finishErasures());
            // The person is gone: the PATCHes are refused, and their refusals recorded into nothing.
            Polling.until(DEADLINE, () -> assertThat(afterMark.getOrDefault("PATCH 404", new AtomicInteger()).get())
                    .isGreaterThan(5));
        } finally {
            stop.set(true);
            for (Thread t : writers) {
                t.join(DEADLINE.toMillis());
            }
        }
        assertThat(afterMark.keySet()).as("answers after the erasure began: %s", afterMark)
                .allMatch(Set.of("POST 401", "BULK 401", "PATCH 200", "PATCH 404")::contains);
        assertThat(rowsOf(org.id())).isEmpty();
        ApiClient.await(second.app().services().orgs().refresh(UUID.fromString(org.id())));
        assertThat(other.get(TestOrg.SCIM + "/Users", org.token()).status()).as("heard at last").isEqualTo(401);
    }

    /** A new organisation whose token the other instance accepts already. */
    private static TestOrg knownToTheOther(String name) {
        TestOrg org = TestOrg.create(api, name + " " + UUID.randomUUID());
        Polling.until(DEADLINE, () -> assertThat(other.get(TestOrg.SCIM + "/Users", org.token()).status()).isEqualTo(200));
        return org;
    }

    /** {@code n} users named {@code prefix0...}, all in one group; answers their ids. */
    private static List<String> provision(ApiClient client, TestOrg org, String prefix, int n) {
        List<String> ids = new ArrayList<>();
        StringBuilder members = new StringBuilder();
        for (int i = 0; i < n; i++) {
            ApiClient.Response u = client.post(TestOrg.SCIM + "/Users", org.token(), "{\"userName\":\"" + prefix + i + "\"}");
            assertThat(u.status()).as(u.text()).isEqualTo(201);
            ids.add(u.json().path("id").asText());
            members.append(i == 0 ? "" : ",").append("{\"value\":\"").append(ids.get(i)).append("\"}");
        }
        ApiClient.Response g = client.post(TestOrg.SCIM + "/Groups", org.token(),
                "{\"displayName\":\"" + prefix + "-group\",\"members\":[" + members + "]}");
        assertThat(g.status()).as(g.text()).isEqualTo(201);
        return ids;
    }

    /** Key material (a person's set-up) and a record of a feed prune, which no quick request makes. */
    private static void addRowsNoRequestMakes(String orgId) throws SQLException {
        try (Connection c = connect();
             PreparedStatement keys = c.prepareStatement("INSERT INTO account_keys (org_id, user_id, public_key, "
                     + "encrypted_private_key, kdf_salt, kdf_params, created_at) SELECT org_id, id, '\\x01', '\\x02', "
                     + "'\\x03', '{}', now() FROM scim_users WHERE org_id = ? LIMIT 1");
             PreparedStatement pruned = c.prepareStatement(
                     "INSERT INTO resource_changes_pruned (org_id, max_xid) VALUES (?, 1)")) {
            keys.setObject(1, UUID.fromString(orgId));
            assertThat(keys.executeUpdate()).isEqualTo(1);
            pruned.setObject(1, UUID.fromString(orgId));
            pruned.executeUpdate();
        }
    }

    /**
     * The organisation's rows, per table that holds any: its own row, and those of every table with
     * an org_id column, read from the catalogue so that a table added later is counted too.
     */
    private static Map<String, Long> rowsOf(String orgId) {
        Map<String, Long> out = new TreeMap<>();
        try (Connection c = connect()) {
            List<String> tables = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT table_name FROM information_schema.columns "
                    + "WHERE table_schema = current_schema() AND column_name = 'org_id' ORDER BY table_name");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            assertThat(tables).contains("scim_users", "scim_events", "resource_changes_pruned");
            count(c, "organizations", "SELECT count(*) FROM organizations WHERE id = ?", orgId, out);
            for (String t : tables) {
                count(c, t, "SELECT count(*) FROM " + t + " WHERE org_id = ?", orgId, out);
            }
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
        return out;
    }

    private static void count(Connection c, String table, String sql, String orgId, Map<String, Long> out)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, UUID.fromString(orgId));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (rs.getLong(1) > 0) {
                    out.put(table, rs.getLong(1));
                }
            }
        }
    }

    private static Connection connect() throws SQLException {
        DatabaseTarget db = TestServer.database();
        return DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
    }
}
