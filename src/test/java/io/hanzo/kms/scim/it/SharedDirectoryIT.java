package io.hanzo.kms.scim.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.hanzo.kms.scim.store.Ids;
import io.hanzo.kms.scim.store.pg.DatabaseTarget;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Three server instances on one database are one directory: what is committed through one is found
 * through the others, by id at once and by filter within the change feed's lag, and group members
 * written through all three at the same time end up the same everywhere.
 */
@ExtendWith(VertxExtension.class)
class SharedDirectoryIT {
    private static final String USERS = TestOrg.SCIM + "/Users";
    private static final String GROUPS = TestOrg.SCIM + "/Groups";
    /** Test servers share the embedded database's connections with the shared server. */
    private static final Map<String, String> SMALL_POOL = Map.of("SCIM_DATABASE_POOL_SIZE", "6");
    /** Far above the feed's lag (milliseconds), so a slow machine does not fail the test. */
    static final Duration LAG_BOUND = Duration.ofSeconds(10);

    private static Vertx vertx;
    private static final List<TestServer> servers = new ArrayList<>();
    private static final List<ApiClient> clients = new ArrayList<>();

    @BeforeAll
    static void start(Vertx v) {
        vertx = v;
        for (int i = 0; i < 3; i++) {
            TestServer s = TestServer.start(SMALL_POOL);
            servers.add(s);
            clients.add(new ApiClient(v, s.port()));
        }
    }

    @AfterAll
    static void stop() {
        clients.forEach(ApiClient::close);
        servers.forEach(TestServer::stop);
    }

    private static ApiClient a() {
        return clients.get(0);
    }

    private static ApiClient b() {
        return clients.get(1);
    }

    private static ApiClient c() {
        return clients.get(2);
    }

    @Test
    void aUserCreatedOnOneInstanceIsFoundOnTheOthersByIdAtOnceAndByFilterWithinTheLag() {
        TestOrg org = org("Found everywhere");
        String id = createUser(a(), org, "ada@found.example");
        ApiClient.Response byId = b().get(USERS + "/" + id, org.token());
        assertThat(byId.status()).as(byId.text()).isEqualTo(200);
        assertThat(byId.json().get("userName").asText()).isEqualTo("ada@found.example");
        // C has not been asked by id, so only the change feed can bring the user into its index.
        Polling.until(LAG_BOUND, () -> {
            ApiClient.Response r = c().get(USERS + "?filter=" + ApiClient.encode("userName eq \"ADA@found.example\""),
                    org.token());
            assertThat(r.status()).as(r.text()).isEqualTo(200);
            assertThat(r.json().get("totalResults").asInt()).isEqualTo(1);
            assertThat(r.json().get("Resources").get(0).get("id").asText()).isEqualTo(id);
        });
        assertThat(c().get(USERS + "/" + id, org.token()).status()).isEqualTo(200);
        // A change on B reaches A's index too, and A's next write starts from it.
        ApiClient.Response renamed = b().patch(USERS + "/" + id, org.token(),
                "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"],"
                        + "\"Operations\":[{\"op\":\"replace\",\"path\":\"displayName\",\"value\":\"Ada L\"}]}");
        assertThat(renamed.status()).as(renamed.text()).isEqualTo(200);
        // A passed over its own creation when the feed brought it back (its index held that version);
        // B's newer version is not passed over: A's index, read by filter, shows it within the lag.
        Polling.until(LAG_BOUND, () -> {
            ApiClient.Response r = a().get(USERS + "?filter=" + ApiClient.encode("displayName eq \"Ada L\""), org.token());
            assertThat(r.status()).as(r.text()).isEqualTo(200);
            assertThat(r.json().get("totalResults").asInt()).isEqualTo(1);
            assertThat(r.json().get("Resources").get(0).get("meta").get("version").asText())
                    .isEqualTo(renamed.json().get("meta").get("version").asText());
        });
        ApiClient.Response titled = a().patch(USERS + "/" + id, org.token(),
                "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"],"
                        + "\"Operations\":[{\"op\":\"replace\",\"path\":\"title\",\"value\":\"Engineer\"}]}");
        assertThat(titled.status()).as(titled.text()).isEqualTo(200);
        assertThat(titled.json().get("displayName").asText()).isEqualTo("Ada L");
        assertThat(titled.json().get("title").asText()).isEqualTo("Engineer");
    }

    @Test
    void aGroupPatchOnOneInstanceAddsUsersCreatedOnAnotherMomentsBefore() {
        TestOrg org = org("Fresh members");
        String gid = createGroup(b(), org, "Fresh");
        // A and C hold the empty group before the PATCH: its members can reach them only through the feed.
        assertThat(members(a(), org, gid)).isEmpty();
        assertThat(members(c(), org, gid)).isEmpty();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            ids.add(createUser(a(), org, "fresh" + i + "@members.example"));
        }
        StringBuilder values = new StringBuilder();
        for (String id : ids) {
            values.append(values.length() == 0 ? "" : ",").append("{\"value\":\"").append(id).append("\"}");
        }
        ApiClient.Response patched = b().patch(GROUPS + "/" + gid, org.token(), addMembers(values.toString()));
        assertThat(patched.status()).as(patched.text()).isEqualTo(204);
        // On the writing instance at once, on the others within the lag; none skipped.
        assertThat(members(b(), org, gid)).containsExactlyInAnyOrderElementsOf(ids);
        for (ApiClient other : List.of(a(), c())) {
            Polling.until(LAG_BOUND, () -> assertThat(members(other, org, gid)).containsExactlyInAnyOrderElementsOf(ids));
        }
        // The provisioning event names no skipped member.
        ApiClient.Response events = a().get("/api/v1/organizations/" + org.id() + "/scim-events?resourceType=Group",
                TestServer.ADMIN_TOKEN);
        assertThat(events.status()).as(events.text()).isEqualTo(200);
        for (JsonNode e : events.json().get("events")) {
            assertThat(e.path("detail").isNull() || e.path("detail").isMissingNode()).as(e.toString()).isTrue();
        }
        // Each user's groups, on every instance, in SCIM and in the admin member list.
        for (ApiClient any : clients) {
            Polling.until(LAG_BOUND, () -> {
                JsonNode u = any.get(USERS + "/" + ids.get(7), org.token()).json();
                assertThat(u.path("groups").size()).as(u.toString()).isEqualTo(1);
                assertThat(u.path("groups").get(0).get("value").asText()).isEqualTo(gid);
                JsonNode listed = any.get("/api/v1/organizations/" + org.id() + "/members?limit=100",
                        TestServer.ADMIN_TOKEN).json();
                assertThat(listed.get("members").size()).isEqualTo(ids.size());
                for (JsonNode m : listed.get("members")) {
                    assertThat(m.get("groups").size()).as(m.toString()).isEqualTo(1);
                    assertThat(m.get("groups").get(0).get("id").asText()).isEqualTo(gid);
                    assertThat(m.get("groups").get(0).get("displayName").asText()).isEqualTo("Fresh");
                }
            });
        }
    }

    @Test
    void singleMemberPatchesSpreadOverThreeInstancesLeaveTheExactMemberSetEverywhere() {
        TestOrg org = org("Entra storm");
        String gid = createGroup(a(), org, "Storm");
        List<String> ids = createUsersRoundRobin(org, 150, "storm");
        // Entra's way: one member per PATCH, all at once, each to the next instance.
        List<Future<ApiClient.Response>> adds = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            adds.add(clients.get(i % 3).send(HttpMethod.PATCH, GROUPS + "/" + gid, org.token(),
                    addMembers("{\"value\":\"" + ids.get(i) + "\"}")));
        }
        expectAll(adds, 204);
        Set<String> expected = new TreeSet<>(ids);
        List<Future<ApiClient.Response>> removes = new ArrayList<>();
        for (int i = 0; i < ids.size(); i += 3) {
            removes.add(clients.get((i / 3) % 3).send(HttpMethod.PATCH, GROUPS + "/" + gid, org.token(),
                    removeMember(ids.get(i))));
            expected.remove(ids.get(i));
        }
        expectAll(removes, 204);
        assertAllAgree(org, gid, expected, clients);
    }

    @Test
    void aDeletionOnOneInstanceIsAMissOnTheOthers() {
        TestOrg org = org("Deleted elsewhere");
        String uid = createUser(a(), org, "gone@deleted.example");
        String gid = createGroup(a(), org, "Gone");
        ApiClient.Response added = a().patch(GROUPS + "/" + gid, org.token(), addMembers("{\"value\":\"" + uid + "\"}"));
        assertThat(added.status()).as(added.text()).isEqualTo(204);
        for (ApiClient any : clients) {
            Polling.until(LAG_BOUND, () -> assertThat(members(any, org, gid)).containsExactly(uid));
        }
        assertThat(c().delete(USERS + "/" + uid, org.token()).status()).isEqualTo(204);
        assertThat(c().delete(GROUPS + "/" + gid, org.token()).status()).isEqualTo(204);
        // Writes go to the database, so they miss at once; reads miss within the lag.
        ApiClient.Response patch = a().patch(USERS + "/" + uid, org.token(),
                "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"],"
                        + "\"Operations\":[{\"op\":\"replace\",\"path\":\"active\",\"value\":false}]}");
        assertThat(patch.status()).as(patch.text()).isEqualTo(404);
        assertThat(b().patch(GROUPS + "/" + gid, org.token(), addMembers("{\"value\":\"" + uid + "\"}")).status())
                .isEqualTo(404);
        for (ApiClient other : List.of(a(), b())) {
            Polling.until(LAG_BOUND, () -> {
                assertThat(other.get(USERS + "/" + uid, org.token()).status()).isEqualTo(404);
                assertThat(other.get(GROUPS + "/" + gid, org.token()).status()).isEqualTo(404);
                JsonNode found = other.get(USERS + "?filter=" + ApiClient.encode("userName eq \"gone@deleted.example\""),
                        org.token()).json();
                assertThat(found.get("totalResults").asInt()).isZero();
            });
        }
        // The userName is free again on every instance, whatever its index last showed.
        assertThat(createUser(b(), org, "gone@deleted.example")).isNotEqualTo(uid);
    }

    @Test
    void anInstanceStoppedMidStormAndRestartedAgreesWithTheOthers() {
        stormThroughAnInstanceThatGoes("Stopped mid-storm", TestServer::stop);
    }

    @Test
    void anInstanceKilledMidStormLeavesTheOthersServingAndItsSuccessorAgrees() {
        // No graceful steps: its event loops, connections and feed go at once.
        stormThroughAnInstanceThatGoes("Killed mid-storm", s -> ApiClient.await(s.app().vertx().close()));
    }

    /**
     * A storm of single-member PATCHes over four instances; one of them goes (by {@code stop}) while the
     * other three keep serving the storm, and a new instance started afterwards takes its place. All
     * end with the exact member set.
     */
    private static void stormThroughAnInstanceThatGoes(String name, Consumer<TestServer> stop) {
        TestOrg org = org(name);
        String gid = createGroup(a(), org, name);
        List<String> ids = createUsersRoundRobin(org, 90, name.substring(0, 4).toLowerCase(Locale.ROOT));
        TestServer goner = TestServer.start(SMALL_POOL);
        ApiClient gonerClient = new ApiClient(vertx, goner.port());
        List<ApiClient> four = List.of(a(), b(), c(), gonerClient);
        List<Future<ApiClient.Response>> first = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            first.add(four.get(i % 4).send(HttpMethod.PATCH, GROUPS + "/" + gid, org.token(),
                    addMembers("{\"value\":\"" + ids.get(i) + "\"}")));
        }
        expectAll(first, 204);
        gonerClient.close();
        List<Future<ApiClient.Response>> second = new ArrayList<>();
        for (int i = 40; i < 90; i++) {
            second.add(clients.get(i % 3).send(HttpMethod.PATCH, GROUPS + "/" + gid, org.token(),
                    addMembers("{\"value\":\"" + ids.get(i) + "\"}")));
        }
        stop.accept(goner);
        expectAll(second, 204);
        TestServer successor = TestServer.start(SMALL_POOL);
        ApiClient successorClient = new ApiClient(vertx, successor.port());
        try {
            List<ApiClient> all = List.of(a(), b(), c(), successorClient);
            List<Future<ApiClient.Response>> third = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                third.add(all.get(i % 4).send(HttpMethod.PATCH, GROUPS + "/" + gid, org.token(), removeMember(ids.get(i))));
            }
            expectAll(third, 204);
            assertAllAgree(org, gid, new TreeSet<>(ids.subList(30, 90)), all);
        } finally {
            successorClient.close();
            successor.stop();
        }
    }

    /**
     * Transaction ids are not commit order: T1 takes its id first, T2 writes and commits, then T1 writes
     * and commits. Each creates a user and adds it to one group, as the server's own statements do. The
     * feed's readers must not move past T1's id while it runs, and must apply both group writes in
     * version order although they read T1's (the later version) first.
     */
    @Test
    void transactionsThatCommitInTheOtherOrderThanTheirIdsAreBothAppliedEverywhere() throws Exception {
        TestOrg org = org("Out of order");
        String gid = createGroup(a(), org, "Out of order");
        for (ApiClient any : clients) {
            Polling.until(LAG_BOUND, () -> assertThat(members(any, org, gid)).isEmpty());
        }
        UUID orgId = UUID.fromString(org.id());
        UUID first = Ids.newId();
        UUID second = Ids.newId();
        try (Connection t1 = MembershipDb.connect(); Connection t2 = MembershipDb.connect()) {
            t1.setAutoCommit(false);
            t2.setAutoCommit(false);
            long xid1 = FeedSql.takeXid(t1);
            long xid2 = FeedSql.takeXid(t2);
            assertThat(xid1).isLessThan(xid2);
            FeedSql.createUserAndJoin(t2, orgId, second, "second@order.example", UUID.fromString(gid));
            t2.commit();
            // T1 still runs: no instance may take T2's rows yet, or it would move past T1's.
            for (int i = 0; i < 5; i++) {
                assertThat(b().get(USERS + "?filter=" + ApiClient.encode("userName eq \"second@order.example\""),
                        org.token()).json().get("totalResults").asInt()).isZero();
            }
            FeedSql.createUserAndJoin(t1, orgId, first, "first@order.example", UUID.fromString(gid));
            t1.commit();
        }
        Set<String> expected = new TreeSet<>(List.of(first.toString(), second.toString()));
        for (ApiClient any : clients) {
            Polling.until(LAG_BOUND, () -> {
                for (String userName : List.of("first@order.example", "second@order.example")) {
                    JsonNode found = any.get(USERS + "?filter=" + ApiClient.encode("userName eq \"" + userName + "\""),
                            org.token()).json();
                    assertThat(found.get("totalResults").asInt()).as(userName).isEqualTo(1);
                }
            });
        }
        assertAllAgree(org, gid, expected, clients);
        for (ApiClient any : clients) {
            assertThat(any.get(GROUPS + "/" + gid, org.token()).header("ETag")).isEqualTo("W/\"3\"");
        }
    }

    @Test
    void aTransactionOpenInAnotherDatabaseDoesNotHoldTheFeedBack() throws Exception {
        TestOrg org = org("Other database");
        DatabaseTarget db = TestServer.database();
        try (Connection admin = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
             Statement s = admin.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS kms_feed_neighbour");
            s.execute("CREATE DATABASE kms_feed_neighbour");
        }
        String neighbour = "jdbc:postgresql://" + db.host() + ":" + db.port() + "/kms_feed_neighbour";
        try (Connection other = DriverManager.getConnection(neighbour, db.user(), db.password())) {
            other.setAutoCommit(false);
            long xid = FeedSql.takeXid(other);
            assertThat(xid).isPositive();
            // Another application's transaction, open throughout: the instances' feeds go on.
            String id = createUser(a(), org, "while.open@neighbour.example");
            for (ApiClient any : List.of(b(), c())) {
                Polling.until(LAG_BOUND, () -> assertThat(any.get(USERS + "?filter=" + ApiClient.encode(
                        "userName eq \"while.open@neighbour.example\""), org.token()).json().get("totalResults").asInt())
                        .isEqualTo(1));
            }
            assertThat(b().get(USERS + "/" + id, org.token()).status()).isEqualTo(200);
            other.rollback();
        }
    }

    /** The exact member set on every instance, from its index (within the lag). */
    static void assertAllAgree(TestOrg org, String gid, Set<String> expected, List<ApiClient> instances) {
        for (ApiClient any : instances) {
            Polling.until(LAG_BOUND, () -> assertThat(new TreeSet<>(members(any, org, gid))).isEqualTo(expected));
            // The list endpoint answers from the same index.
            Polling.until(LAG_BOUND, () -> {
                JsonNode listed = any.get(GROUPS + "?filter=" + ApiClient.encode("id eq \"" + gid + "\""), org.token()).json();
                Set<String> ids = new TreeSet<>();
                listed.path("Resources").path(0).path("members").forEach(m -> ids.add(m.path("value").asText()));
                assertThat(ids).isEqualTo(expected);
            });
        }
    }

    static TestOrg org(String name) {
        TestOrg org = TestOrg.create(a(), name);
        // Organisations and tokens reach the other instances through their own notification feed.
        for (ApiClient other : clients) {
            Polling.until(LAG_BOUND, () -> assertThat(other.get(USERS + "?count=0", org.token()).status()).isEqualTo(200));
        }
        return org;
    }

    private static List<String> createUsersRoundRobin(TestOrg org, int n, String prefix) {
        List<Future<ApiClient.Response>> creates = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            creates.add(clients.get(i % 3).send(HttpMethod.POST, USERS, org.token(), userBody(prefix + i + "@storm.example")));
        }
        List<String> ids = new ArrayList<>();
        for (Future<ApiClient.Response> f : creates) {
            ApiClient.Response r = ApiClient.await(f);
            assertThat(r.status()).as(r.text()).isEqualTo(201);
            ids.add(r.json().get("id").asText());
        }
        return ids;
    }

    static String createUser(ApiClient client, TestOrg org, String userName) {
        ApiClient.Response r = client.post(USERS, org.token(), userBody(userName));
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        return r.json().get("id").asText();
    }

    static String createGroup(ApiClient client, TestOrg org, String displayName) {
        ApiClient.Response r = client.post(GROUPS, org.token(),
                "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:Group\"],\"displayName\":\"" + displayName + "\"}");
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        return r.json().get("id").asText();
    }

    static Set<String> members(ApiClient client, TestOrg org, String gid) {
        ApiClient.Response r = client.get(GROUPS + "/" + gid, org.token());
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        Set<String> out = new LinkedHashSet<>();
        r.json().path("members").forEach(m -> out.add(m.get("value").asText()));
        return out;
    }

    static String userBody(String userName) {
        return "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],\"userName\":\"" + userName + "\","
                + "\"emails\":[{\"value\":\"" + userName + "\",\"primary\":true}]}";
    }

    static String addMembers(String values) {
        return "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"],"
                + "\"Operations\":[{\"op\":\"add\",\"path\":\"members\",\"value\":[" + values + "]}]}";
    }

    static String removeMember(String id) {
        return "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"],"
                + "\"Operations\":[{\"op\":\"Remove\",\"path\":\"members\",\"value\":[{\"value\":\"" + id + "\"}]}]}";
    }

    private static void expectAll(List<Future<ApiClient.Response>> requests, int status) {
        for (Future<ApiClient.Response> f : requests) {
            ApiClient.Response r = ApiClient.await(f);
            assertThat(r.status()).as(r.text()).isEqualTo(status);
        }
    }
}
