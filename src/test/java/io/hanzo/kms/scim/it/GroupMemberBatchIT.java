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

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Single-member PATCHes that queue up on one group are written together, a batch per transaction,
 * and each request is still answered on its own: the storm ends with exactly the members the requests
 * asked for, in the database, in the index and on another instance; each request has its own event;
 * and a bad request among them fails alone.
 */
@ExtendWith(VertxExtension.class)
class GroupMemberBatchIT {
    private static final String USERS = TestOrg.SCIM + "/Users";
    private static final String GROUPS = TestOrg.SCIM + "/Groups";
    private static final String PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

    private static TestServer other;
    /** Two clients on the shared instance: 128 requests in flight at once. */
    private static ApiClient a1;
    private static ApiClient a2;
    private static ApiClient b;

    @BeforeAll
    static void start(Vertx vertx) {
        a1 = new ApiClient(vertx, TestServer.shared().port());
        a2 = new ApiClient(vertx, TestServer.shared().port());
        other = TestServer.start(Map.of("SCIM_DATABASE_POOL_SIZE", "6"));
        b = new ApiClient(vertx, other.port());
    }

    @AfterAll
    static void stop() {
        a1.close();
        a2.close();
        b.close();
        other.stop();
    }

    @Test
    void aStormOfSingleMemberPatchesEndsWithExactlyTheRequestedMembersEverywhereInFewTransactions() throws Exception {
        TestOrg org = TestOrg.create(a1, "Member storm");
        List<String> users = createUsers(org, "storm", 300);
        List<String> initial = users.subList(150, 300);
        String gid = createGroup(org, "Storm", initial);

        // Users 0..149 are added and users 150..299 removed, one request each, all at once, adds and
        // removes interleaved.
        List<Future<ApiClient.Response>> requests = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            requests.add(send(i % 2 == 0 ? a1 : a2, org, gid, add(users.get(i))));
            requests.add(send(i % 2 == 0 ? a2 : a1, org, gid, remove(users.get(150 + i))));
        }
        ApiClient.await(Future.join(requests));
        for (Future<ApiClient.Response> f : requests) {
            assertThat(f.result().status()).as(f.result().text()).isEqualTo(204);
            assertThat(f.result().header("ETag")).startsWith("W/\"");
        }

        Set<String> expected = new TreeSet<>(users.subList(0, 150));
        assertThat(dbMembers(org, gid)).isEqualTo(expected);
        assertThat(members(a1, org, gid)).isEqualTo(expected);
        Polling.until(SharedDirectoryIT.LAG_BOUND, () -> assertThat(members(b, org, gid)).isEqualTo(expected));

        // One success event per request, whatever batch it was written in.
        assertThat(count("SELECT count(*) FROM scim_events WHERE org_id = ? AND resource_id = ? AND status = 204",
                org.id(), gid)).isEqualTo(300);
        // Each write to the group leaves one change-feed row, in its own transaction: the creation and the batches.
        long writes = count("SELECT count(DISTINCT xid) FROM resource_changes WHERE org_id = ? AND resource_id = ?::uuid",
                org.id(), gid);
        assertThat(writes).as("transactions that wrote 300 PATCHes").isLessThan(100);
        // The group's version counts its writes, so the ETags are those of the batches.
        assertThat(a1.get(GROUPS + "/" + gid, org.token()).header("ETag")).isEqualTo("W/\"" + writes + "\"");
    }

    @Test
    void anAddThenARemoveOfOneUserInOneBatchEndsInTheStateOfTheLastRequest() throws Exception {
        TestOrg org = TestOrg.create(a1, "Member order");
        List<String> users = createUsers(org, "order", 40);
        String gid = createGroup(org, "Order", List.of(users.get(1)));

        // Five rounds of 40 concurrent requests, one per user; each user's requests alternate between
        // adds and removes across rounds, so only writing every round in order gives the expected set.
        Map<String, Boolean> last = new HashMap<>();
        List<Future<ApiClient.Response>> requests = new ArrayList<>();
        for (int round = 0; round < 5; round++) {
            for (int u = 0; u < users.size(); u++) {
                boolean adds = (round + u) % 3 != 0;
                last.put(users.get(u), adds);
                requests.add(send(round % 2 == 0 ? a1 : a2, org, gid, adds ? add(users.get(u)) : remove(users.get(u))));
            }
            // Each round goes only when the previous one is answered: the outcome then depends on order.
            ApiClient.await(Future.join(new ArrayList<>(requests)));
        }
        for (Future<ApiClient.Response> f : requests) {
            assertThat(f.result().status()).as(f.result().text()).isEqualTo(204);
        }
        Set<String> expected = new TreeSet<>();
        last.forEach((u, added) -> {
            if (added) {
                expected.add(u);
            }
        });
        assertThat(dbMembers(org, gid)).isEqualTo(expected);
        assertThat(members(a1, org, gid)).isEqualTo(expected);
        Polling.until(SharedDirectoryIT.LAG_BOUND, () -> assertThat(members(b, org, gid)).isEqualTo(expected));
    }

    @Test
    void aLargeAddNamingMembersAlreadyThereAddsOnlyTheOthers() throws Exception {
        TestOrg org = TestOrg.create(a1, "Member large add");
        List<String> users = createUsers(org, "large", 90);
        String gid = createGroup(org, "Large", users.subList(0, 20));
        String ghost1 = UUID.randomUUID().toString();
        String ghost2 = UUID.randomUUID().toString();
        // 80 users of which 10 are members already, two ids that name no user, and one user again in
        // capitals.
        List<String> named = new ArrayList<>(users.subList(10, 90));
        named.add(ghost1);
        named.add(users.get(50).toUpperCase());
        named.add(ghost2);
        StringBuilder value = new StringBuilder();
        for (String id : named) {
            value.append(value.length() == 0 ? "" : ",").append("{\"value\":\"").append(id).append("\"}");
        }
        ApiClient.Response r = ApiClient.await(send(a1, org, gid, "{\"schemas\":[\"" + PATCH_SCHEMA + "\"],"
                + "\"Operations\":[{\"op\":\"add\",\"path\":\"members\",\"value\":[" + value + "]}]}"));
        assertThat(r.status()).as(r.text()).isEqualTo(204);

        Set<String> expected = new TreeSet<>(users);
        assertThat(dbMembers(org, gid)).isEqualTo(expected);
        assertThat(members(a1, org, gid)).isEqualTo(expected);
        Polling.until(SharedDirectoryIT.LAG_BOUND, () -> assertThat(members(b, org, gid)).isEqualTo(expected));
        // The change the other instances follow names exactly the 70 memberships made.
        assertThat(count("SELECT cardinality(added) FROM resource_changes WHERE org_id = ? AND resource_id = ?::uuid "
                + "ORDER BY version DESC LIMIT 1", org.id(), gid)).isEqualTo(70);
        List<String> details = strings("SELECT detail FROM scim_events WHERE org_id = ? AND resource_id = ? "
                + "AND status = 204 AND detail IS NOT NULL", org.id(), gid);
        assertThat(details).hasSize(1);
        assertThat(details.get(0)).contains("Skipped 2 member id").contains(ghost1).contains(ghost2);
    }

    @Test
    void aBadRequestAmongQueuedPatchesFailsAloneAndUnknownIdsAreNamedInTheirOwnRequestsEvent() throws Exception {
        TestOrg org = TestOrg.create(a1, "Member mix");
        List<String> users = createUsers(org, "mix", 60);
        String gid = createGroup(org, "Mix", List.of());
        String ghost = UUID.randomUUID().toString();

        List<Future<ApiClient.Response>> good = new ArrayList<>();
        Future<ApiClient.Response> unknownOp = null;
        Future<ApiClient.Response> invalidValue = null;
        Future<ApiClient.Response> withGhost = null;
        for (int i = 0; i < users.size(); i++) {
            good.add(send(i % 2 == 0 ? a1 : a2, org, gid, add(users.get(i))));
            if (i == 20) {
                unknownOp = send(a1, org, gid, "{\"schemas\":[\"" + PATCH_SCHEMA + "\"],\"Operations\":[{\"op\":\"frobnicate\","
                        + "\"path\":\"members\",\"value\":[{\"value\":\"" + users.get(0) + "\"}]}]}");
            }
            if (i == 30) {
                invalidValue = send(a2, org, gid, "{\"schemas\":[\"" + PATCH_SCHEMA + "\"],\"Operations\":[{\"op\":\"add\","
                        + "\"path\":\"members\",\"value\":42}]}");
            }
            if (i == 40) {
                withGhost = send(a1, org, gid, add(ghost));
            }
        }
        ApiClient.await(Future.join(good));
        for (Future<ApiClient.Response> f : good) {
            assertThat(f.result().status()).as(f.result().text()).isEqualTo(204);
        }
        ApiClient.Response op = ApiClient.await(unknownOp);
        assertThat(op.status()).as(op.text()).isEqualTo(400);
        ApiClient.Response value = ApiClient.await(invalidValue);
        assertThat(value.status()).as(value.text()).isEqualTo(400);
        assertThat(value.json().path("scimType").asText()).isNotEmpty();
        ApiClient.Response ghostly = ApiClient.await(withGhost);
        assertThat(ghostly.status()).as(ghostly.text()).isEqualTo(204);

        Set<String> expected = new TreeSet<>(users);
        assertThat(dbMembers(org, gid)).isEqualTo(expected);
        assertThat(members(a1, org, gid)).isEqualTo(expected);

        // 60 good requests and the one naming a ghost: 61 events, only the ghost's names it.
        assertThat(count("SELECT count(*) FROM scim_events WHERE org_id = ? AND resource_id = ? AND status = 204",
                org.id(), gid)).isEqualTo(61);
        List<String> details = strings("SELECT detail FROM scim_events WHERE org_id = ? AND resource_id = ? "
                + "AND status = 204 AND detail IS NOT NULL", org.id(), gid);
        assertThat(details).hasSize(1);
        assertThat(details.get(0)).contains("Skipped 1 member id").contains(ghost);
    }

    @Test
    void aPatchWithIfMatchOrAnAttributeChangeAmongQueuedPatchesKeepsItsPlace() throws Exception {
        TestOrg org = TestOrg.create(a1, "Member pinned");
        List<String> users = createUsers(org, "pinned", 30);
        String gid = createGroup(org, "Pinned", List.of());

        List<Future<ApiClient.Response>> requests = new ArrayList<>();
        for (int i = 0; i < users.size(); i++) {
            requests.add(send(i % 2 == 0 ? a1 : a2, org, gid, add(users.get(i))));
            if (i == 15) {
                requests.add(send(a1, org, gid, "{\"schemas\":[\"" + PATCH_SCHEMA + "\"],\"Operations\":[{\"op\":\"replace\","
                        + "\"path\":\"displayName\",\"value\":\"Pinned, renamed\"},{\"op\":\"add\",\"path\":\"members\","
                        + "\"value\":[{\"value\":\"" + users.get(0) + "\"}]}]}"));
            }
        }
        ApiClient.await(Future.join(requests));
        for (Future<ApiClient.Response> f : requests) {
            assertThat(f.result().status()).as(f.result().text()).isEqualTo(204);
        }
        JsonNode group = a1.get(GROUPS + "/" + gid, org.token()).json();
        assertThat(group.path("displayName").asText()).isEqualTo("Pinned, renamed");
        assertThat(dbMembers(org, gid)).isEqualTo(new TreeSet<>(users));

        // Batched removals move the version on: an If-Match of the version before them is refused.
        String etag = a1.get(GROUPS + "/" + gid, org.token()).header("ETag");
        List<Future<ApiClient.Response>> more = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            more.add(send(i % 2 == 0 ? a1 : a2, org, gid, remove(users.get(i))));
        }
        ApiClient.await(Future.join(more));
        ApiClient.Response stale = a1.patchIfMatch(GROUPS + "/" + gid, org.token(), etag, remove(users.get(20)));
        assertThat(stale.status()).as(stale.text()).isEqualTo(412);
        more.forEach(f -> assertThat(f.result().status()).as(f.result().text()).isEqualTo(204));
        assertThat(dbMembers(org, gid)).isEqualTo(new TreeSet<>(users.subList(10, 30)));
    }

    private static Future<ApiClient.Response> send(ApiClient client, TestOrg org, String gid, String body) {
        return client.send(HttpMethod.PATCH, GROUPS + "/" + gid, org.token(), body);
    }

    private static String add(String id) {
        return "{\"schemas\":[\"" + PATCH_SCHEMA + "\"],\"Operations\":[{\"op\":\"Add\",\"path\":\"members\","
                + "\"value\":[{\"value\":\"" + id + "\"}]}]}";
    }

    private static String remove(String id) {
        return "{\"schemas\":[\"" + PATCH_SCHEMA + "\"],\"Operations\":[{\"op\":\"Remove\",\"path\":\"members\","
                + "\"value\":[{\"value\":\"" + id + "\"}]}]}";
    }

    private static List<String> createUsers(TestOrg org, String prefix, int n) {
        List<Future<ApiClient.Response>> creates = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            creates.add(a1.send(HttpMethod.POST, USERS, org.token(),
                    SharedDirectoryIT.userBody(prefix + i + "@batch.example")));
        }
        ApiClient.await(Future.join(creates));
        List<String> ids = new ArrayList<>();
        for (Future<ApiClient.Response> f : creates) {
            assertThat(f.result().status()).as(f.result().text()).isEqualTo(201);
            ids.add(f.result().json().get("id").asText());
        }
        return ids;
    }

    private static String createGroup(TestOrg org, String name, List<String> memberIds) {
        StringBuilder members = new StringBuilder();
        for (String id : memberIds) {
            members.append(members.length() == 0 ? "" : ",").append("{\"value\":\"").append(id).append("\"}");
        }
        ApiClient.Response r = a1.post(GROUPS, org.token(), "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:Group\"],"
                + "\"displayName\":\"" + name + "\",\"members\":[" + members + "]}");
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        return r.json().get("id").asText();
    }

    private static Set<String> members(ApiClient client, TestOrg org, String gid) {
        return new TreeSet<>(SharedDirectoryIT.members(client, org, gid));
    }

    private static Set<String> dbMembers(TestOrg org, String gid) throws Exception {
        return new TreeSet<>(strings("SELECT user_id::text FROM scim_group_members WHERE org_id = ? AND group_id = ?::uuid",
                org.id(), gid));
    }

    private static long count(String sql, String orgId, String resourceId) throws Exception {
        return Long.parseLong(strings(sql, orgId, resourceId).get(0));
    }

    private static List<String> strings(String sql, String orgId, String resourceId) throws Exception {
        try (Connection c = MembershipDb.connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, UUID.fromString(orgId));
            ps.setString(2, resourceId);
            List<String> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        }
    }
}
