package io.hanzo.kms.scim.it;

import static io.hanzo.kms.scim.it.ScimChecks.CORE;
import static io.hanzo.kms.scim.it.ScimChecks.ERROR;
import static io.hanzo.kms.scim.it.ScimChecks.USERS;
import static io.hanzo.kms.scim.it.ScimChecks.assertScimError;
import static io.hanzo.kms.scim.it.ScimChecks.texts;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hanzo.kms.scim.store.pg.DatabaseTarget;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/** POST /Bulk (RFC 7644 §3.7): bulkId references, failOnErrors, limits, and batched user creation. */
@ExtendWith(VertxExtension.class)
class BulkIT {
    private static final String BULK = TestOrg.SCIM + "/Bulk";
    private static final String GROUPS = TestOrg.SCIM + "/Groups";
    private static final String BULK_REQUEST = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
    private static final String BULK_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:BulkResponse";
    private static final String GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicInteger SEQ = new AtomicInteger();

    private static Vertx vertx;
    private static ApiClient client;
    private static ScimChecks api;
    private static TestOrg org;

    @BeforeAll
    static void start(Vertx v) {
        vertx = v;
        client = new ApiClient(vertx, TestServer.shared().port());
        api = new ScimChecks(client);
        org = TestOrg.create(client, "Bulk");
    }

    @AfterAll
    static void stop() {
        client.close();
    }

    private static String unique(String prefix) {
        return prefix + "." + SEQ.incrementAndGet() + "." + UUID.randomUUID().toString().substring(0, 8);
    }

    private static ObjectNode op(String method, String path, String bulkId, JsonNode data) {
        ObjectNode o = JSON.createObjectNode();
        if (method != null) {
            o.put("method", method);
        }
        if (path != null) {
            o.put("path", path);
        }
        if (bulkId != null) {
            o.put("bulkId", bulkId);
        }
        if (data != null) {
            o.set("data", data);
        }
        return o;
    }

    private static ObjectNode userData(String userName) {
        ObjectNode d = JSON.createObjectNode();
        d.putArray("schemas").add(CORE);
        d.put("userName", userName);
        return d;
    }

    private static ObjectNode groupData(String displayName, String... memberValues) {
        ObjectNode d = JSON.createObjectNode();
        d.putArray("schemas").add(GROUP_SCHEMA);
        d.put("displayName", displayName);
        ArrayNode members = d.putArray("members");
        for (String v : memberValues) {
            members.addObject().put("value", v);
        }
        return d;
    }

    private static ObjectNode patchData(String operationJson) {
        try {
            return (ObjectNode) JSON.readTree(ScimChecks.patchOps(operationJson));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static String bulk(Integer failOnErrors, List<ObjectNode> ops) {
        ObjectNode body = JSON.createObjectNode();
        body.putArray("schemas").add(BULK_REQUEST);
        if (failOnErrors != null) {
            body.put("failOnErrors", failOnErrors);
        }
        ArrayNode a = body.putArray("Operations");
        ops.forEach(a::add);
        return body.toString();
    }

    /** Runs a bulk request that must be answered 200 with a BulkResponse. */
    private static JsonNode run(ScimChecks on, TestOrg o, String body) {
        ApiClient.Response r = on.post(BULK, o.token(), body);
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(texts(r.json().path("schemas"))).containsExactly(BULK_RESPONSE);
        assertThat(r.json().path("Operations").isArray()).isTrue();
        for (JsonNode result : r.json().path("Operations")) {
            assertThat(result.path("status").isTextual()).as("status is a string: %s", result).isTrue();
        }
        return r.json();
    }

    private static JsonNode run(String body) {
        return run(api, org, body);
    }

    /** The one result for the operation with this bulkId. */
    private static JsonNode result(JsonNode response, String bulkId) {
        List<JsonNode> found = new ArrayList<>();
        response.path("Operations").forEach(r -> {
            if (bulkId.equals(r.path("bulkId").asText(null))) {
                found.add(r);
            }
        });
        assertThat(found).as("results for bulkId %s in %s", bulkId, response).hasSize(1);
        return found.get(0);
    }

    /** The results of operations of a method that carry no bulkId. */
    private static List<JsonNode> withoutBulkId(JsonNode response, String method) {
        List<JsonNode> found = new ArrayList<>();
        response.path("Operations").forEach(r -> {
            if (!r.has("bulkId") && method.equals(r.path("method").asText(null))) {
                found.add(r);
            }
        });
        return found;
    }

    private static String status(JsonNode result) {
        return result.path("status").asText();
    }

    /** The id at the end of a successful result's location. */
    private static String idOf(JsonNode result) {
        String location = result.path("location").asText();
        assertThat(location).as(result.toString()).isNotBlank();
        return location.substring(location.lastIndexOf('/') + 1);
    }

    /** A success: status, an absolute location for the resource type, a version equal to the resource's ETag. */
    private static String assertSuccess(JsonNode result, String expectedStatus, String resourceType) {
        assertThat(status(result)).as(result.toString()).isEqualTo(expectedStatus);
        assertThat(result.has("response") && result.path("response").has("scimType")).as(result.toString()).isFalse();
        String location = result.path("location").asText();
        assertThat(location).as(result.toString()).startsWith("http").contains("/" + resourceType + "/");
        String id = idOf(result);
        ApiClient.Response read = api.get(URI.create(location).getPath(), org.token());
        assertThat(read.status()).as(read.text()).isEqualTo(200);
        assertThat(read.json().path("id").asText()).isEqualTo(id);
        assertThat(result.path("version").asText()).as(result.toString()).isNotBlank().isEqualTo(read.header("ETag"));
        return id;
    }

    private static void assertFailure(JsonNode result, String expectedStatus) {
        assertThat(status(result)).as(result.toString()).isEqualTo(expectedStatus);
        JsonNode error = result.path("response");
        assertThat(texts(error.path("schemas"))).as(result.toString()).contains(ERROR);
        assertThat(error.path("status").asText()).as(result.toString()).isEqualTo(expectedStatus);
        assertThat(error.path("detail").asText()).as(result.toString()).isNotBlank();
        if ("POST".equals(result.path("method").asText())) {
            assertThat(result.has("location")).as(result.toString()).isFalse();
        }
    }

    /** A failure that still names the resource it addressed (RFC 7644 §3.7: all but a failed POST do). */
    private static void assertFailure(JsonNode result, String expectedStatus, String expectedLocation) {
        assertFailure(result, expectedStatus);
        assertThat(result.path("location").asText(null)).as(result.toString()).isEqualTo(expectedLocation);
    }

    /** The absolute URL the server gives a resource of this endpoint, as in its meta.location. */
    private static String url(String endpointPath, String id) {
        return TestServer.shared().baseUrl() + endpointPath + "/" + id;
    }

    private static JsonNode getGroup(String id) {
        ApiClient.Response r = api.get(GROUPS + "/" + id, org.token());
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        return r.json();
    }

    private static List<String> memberIds(JsonNode group) {
        List<String> out = new ArrayList<>();
        group.path("members").forEach(m -> out.add(m.path("value").asText()));
        return out;
    }

    private static int usersNamed(String userName) {
        JsonNode l = api.list(org, "userName eq \"" + userName + "\"");
        return l.path("totalResults").asInt();
    }

    private static int groupsNamed(String displayName) {
        ApiClient.Response r = api.get(GROUPS + "?filter=" + ApiClient.encode("displayName eq \"" + displayName + "\""),
                org.token());
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        return r.json().path("totalResults").asInt();
    }

    @Test
    void groupReferringToUsersCreatedLaterInTheRequest() {
        String n1 = unique("fwd.u1");
        String n2 = unique("fwd.u2");
        String groupName = unique("Forward Group");
        JsonNode response = run(bulk(null, List.of(
                op("POST", "/Groups", "g1", groupData(groupName, "bulkId:u1", "bulkId:u2")),
                op("POST", "/Users", "u1", userData(n1)),
                op("POST", "/Users", "u2", userData(n2)))));
        assertThat(response.path("Operations").size()).isEqualTo(3);

        String u1 = assertSuccess(result(response, "u1"), "201", "Users");
        String u2 = assertSuccess(result(response, "u2"), "201", "Users");
        String g1 = assertSuccess(result(response, "g1"), "201", "Groups");
        for (String bulkId : List.of("u1", "u2", "g1")) {
            assertThat(result(response, bulkId).path("method").asText()).isEqualTo("POST");
        }
        assertThat(memberIds(getGroup(g1))).containsExactlyInAnyOrder(u1, u2);
        assertThat(api.getUser(org, u1).path("userName").asText()).isEqualTo(n1);
        JsonNode groupsOfU2 = api.getUser(org, u2).path("groups");
        assertThat(groupsOfU2.size()).isEqualTo(1);
        assertThat(groupsOfU2.get(0).path("value").asText()).isEqualTo(g1);
    }

    @Test
    void attributesInAnObjectNamedByTheCoreSchemaAreRead() {
        String n1 = unique("core.object.u1");
        String groupName = unique("Core Object Group");
        ObjectNode user = JSON.createObjectNode();
        user.putArray("schemas").add(CORE);
        user.putObject(CORE).put("userName", n1).put("active", false);
        ObjectNode group = JSON.createObjectNode();
        group.putObject(GROUP_SCHEMA).put("displayName", groupName).putArray("members").addObject().put("value", "bulkId:u1");
        ObjectNode twice = userData(unique("core.object.twice"));
        twice.putObject(CORE).put("USERNAME", unique("core.object.other"));
        JsonNode response = run(bulk(null, List.of(
                op("POST", "/Groups", "g1", group),
                op("POST", "/Users", "u1", user),
                op("POST", "/Users", "t1", twice))));

        String u1 = assertSuccess(result(response, "u1"), "201", "Users");
        String g1 = assertSuccess(result(response, "g1"), "201", "Groups");
        JsonNode stored = api.getUser(org, u1);
        assertThat(stored.path("userName").asText()).isEqualTo(n1);
        assertThat(stored.path("active").asBoolean()).isFalse();
        assertThat(getGroup(g1).path("displayName").asText()).isEqualTo(groupName);
        assertThat(memberIds(getGroup(g1))).containsExactly(u1);
        assertFailure(result(response, "t1"), "400");
        assertThat(result(response, "t1").path("response").path("scimType").asText()).isEqualTo("invalidSyntax");
        assertThat(result(response, "t1").path("response").path("detail").asText()).contains("'userName'");

        ObjectNode replacement = JSON.createObjectNode();
        replacement.put("userName", n1);
        replacement.putObject(CORE.toUpperCase()).put("title", "Replaced Inside").put("active", true);
        JsonNode put = run(bulk(null, List.of(op("PUT", "/Users/" + u1, null, replacement))));
        assertThat(status(put.path("Operations").get(0))).as(put.toString()).isEqualTo("200");
        JsonNode after = api.getUser(org, u1);
        assertThat(after.path("title").asText()).isEqualTo("Replaced Inside");
        assertThat(after.path("active").asBoolean()).isTrue();
    }

    @Test
    void aBulkIdAmongMembersNamedByTheirQualifiedNameIsResolved() {
        String name = unique("qualified.members.u1");
        ObjectNode group = JSON.createObjectNode();
        group.put("displayName", unique("Qualified Members Group"));
        group.putArray(GROUP_SCHEMA + ":members").addObject().put("value", "bulkId:u1");
        // The group comes first: only a reference that is found makes the server create u1 before it.
        JsonNode response = run(bulk(null, List.of(
                op("POST", "/Groups", "g1", group),
                op("POST", "/Users", "u1", userData(name)))));

        String u1 = assertSuccess(result(response, "u1"), "201", "Users");
        String g1 = assertSuccess(result(response, "g1"), "201", "Groups");
        assertThat(memberIds(getGroup(g1))).containsExactly(u1);
    }

    @Test
    void bulkIdInAPath() {
        String name = unique("path.u1");
        String groupName = unique("Path Group");
        JsonNode response = run(bulk(null, List.of(
                op("POST", "/Users", "u1", userData(name)),
                op("PATCH", "/Users/bulkId:u1", "p1",
                        patchData("{\"op\":\"replace\",\"path\":\"title\",\"value\":\"Patched In Bulk\"}")),
                op("POST", "/Groups", "g1", groupData(groupName)),
                op("PATCH", "/Groups/bulkId:g1", "p2",
                        patchData("{\"op\":\"add\",\"path\":\"members\",\"value\":[{\"value\":\"bulkId:u1\"}]}")))));
        assertThat(status(result(response, "u1"))).isEqualTo("201");
        assertThat(result(response, "u1").path("version").asText()).isEqualTo("W/\"1\"");
        String u1 = idOf(result(response, "u1"));
        JsonNode patched = result(response, "p1");
        assertThat(patched.path("method").asText()).isEqualTo("PATCH");
        assertThat(assertSuccess(patched, "200", "Users")).isEqualTo(u1);
        JsonNode user = api.getUser(org, u1);
        assertThat(user.path("title").asText()).isEqualTo("Patched In Bulk");
        assertThat(patched.path("version").asText()).isEqualTo(user.path("meta").path("version").asText());
        assertThat(patched.path("version").asText()).isNotEqualTo(result(response, "u1").path("version").asText());

        assertThat(status(result(response, "g1"))).isEqualTo("201");
        String g1 = idOf(result(response, "g1"));
        assertThat(assertSuccess(result(response, "p2"), "200", "Groups")).isEqualTo(g1);
        assertThat(memberIds(getGroup(g1))).containsExactly(u1);
    }

    @Test
    void referencesAreMemberAndManagerValuesAndQuotedInAPatchPathButOtherTextIsData() {
        String boss = unique("ref.boss");
        String groupName = unique("Ref Group");
        ObjectNode worker = userData(unique("ref.worker"));
        worker.put("nickName", "bulkId:b");
        worker.put("title", "bulkId:declared-nowhere");
        worker.putArray("emails").addObject().put("value", "bulkId:b");
        worker.putObject(ScimChecks.ENTERPRISE).putObject("manager").put("value", "bulkId:b");
        // Entra's manager as a bare id, and a PATCH that sets a nickname: a reference, and text.
        ObjectNode bare = userData(unique("ref.bare"));
        bare.putObject(ScimChecks.ENTERPRISE).put("manager", "bulkId:b");
        JsonNode response = run(bulk(null, List.of(
                op("POST", "/Users", "b", userData(boss)),
                op("POST", "/Users", "w", worker),
                op("POST", "/Users", "m", bare),
                op("PATCH", "/Users/bulkId:m", "n",
                        patchData("{\"op\":\"replace\",\"path\":\"nickName\",\"value\":\"bulkId:w\"}")),
                op("POST", "/Groups", "g", groupData(groupName, "bulkId:b", "bulkId:w")),
                op("PATCH", "/Groups/bulkId:g", "p",
                        patchData("{\"op\":\"remove\",\"path\":\"members[value eq \\\"bulkId:b\\\"]\"}")))));
        String b = assertSuccess(result(response, "b"), "201", "Users");
        String w = assertSuccess(result(response, "w"), "201", "Users");
        JsonNode stored = api.getUser(org, w);
        assertThat(stored.path("nickName").asText()).isEqualTo("bulkId:b");
        assertThat(stored.path("title").asText()).isEqualTo("bulkId:declared-nowhere");
        assertThat(stored.path(ScimChecks.ENTERPRISE).path("manager").path("value").asText()).isEqualTo(b);
        assertThat(stored.path("emails").path(0).path("value").asText()).isEqualTo("bulkId:b");
        assertThat(status(result(response, "m"))).isEqualTo("201");
        String m = assertSuccess(result(response, "n"), "200", "Users");
        JsonNode managed = api.getUser(org, m);
        assertThat(managed.path(ScimChecks.ENTERPRISE).path("manager").path("value").asText()).isEqualTo(b);
        assertThat(managed.path("nickName").asText()).isEqualTo("bulkId:w");
        assertThat(status(result(response, "g"))).isEqualTo("201");
        String g = assertSuccess(result(response, "p"), "200", "Groups");
        assertThat(g).isEqualTo(idOf(result(response, "g")));
        assertThat(memberIds(getGroup(g))).containsExactly(w);
    }

    @Test
    void anOperationThatNamesAFieldTwiceFailsAloneAndDeletesNothing() throws Exception {
        String victim = api.createUser(org, ScimChecks.user(unique("bulk.victim"))).path("id").asText();
        ObjectNode twice = op("DELETE", "/Users/" + UUID.randomUUID(), null, null);
        twice.put("PATH", "/Users/" + victim);
        String kept = unique("bulk.twice.ok");
        JsonNode response = run(bulk(null, List.of(twice, op("POST", "/Users", "ok", userData(kept)))));
        JsonNode refused = response.path("Operations").get(0);
        assertThat(status(refused)).as(response.toString()).isEqualTo("400");
        assertThat(refused.path("response").path("detail").asText()).contains("twice");
        assertThat(api.get(TestOrg.SCIM + "/Users/" + victim, org.token()).status()).isEqualTo(200);
        assertSuccess(result(response, "ok"), "201", "Users");
    }

    @Test
    void circularReferencesFailWith409AndTheRestSucceeds() {
        String a = unique("Cycle A");
        String b = unique("Cycle B");
        String c = unique("Cycle C");
        String userName = unique("cycle.u1");
        JsonNode response = run(bulk(null, List.of(
                op("POST", "/Groups", "ga", groupData(a, "bulkId:gb")),
                op("POST", "/Groups", "gb", groupData(b, "bulkId:ga")),
                op("POST", "/Users", "u1", userData(userName)),
                op("POST", "/Groups", "gc", groupData(c, "bulkId:u1")))));
        assertThat(response.path("Operations").size()).isEqualTo(4);
        assertFailure(result(response, "ga"), "409");
        assertFailure(result(response, "gb"), "409");
        String u1 = assertSuccess(result(response, "u1"), "201", "Users");
        String gc = assertSuccess(result(response, "gc"), "201", "Groups");
        assertThat(memberIds(getGroup(gc))).containsExactly(u1);
        assertThat(groupsNamed(a)).isZero();
        assertThat(groupsNamed(b)).isZero();
    }

    @Test
    void unknownBulkIdFailsThatOperationWith400() {
        String groupName = unique("Unknown Ref");
        String userName = unique("unknown.u1");
        JsonNode response = run(bulk(null, List.of(
                op("POST", "/Groups", "g1", groupData(groupName, "bulkId:nope")),
                op("POST", "/Users", "u1", userData(userName)),
                op("PATCH", "/Users/bulkId:missing", "p1",
                        patchData("{\"op\":\"replace\",\"path\":\"title\",\"value\":\"x\"}")))));
        assertThat(response.path("Operations").size()).isEqualTo(3);
        assertFailure(result(response, "g1"), "400");
        assertFailure(result(response, "p1"), "400");
        assertSuccess(result(response, "u1"), "201", "Users");
        assertThat(groupsNamed(groupName)).isZero();
        assertThat(usersNamed(userName)).isEqualTo(1);
    }

    @Test
    void failOnErrorsStopsAfterADuplicateUserName() {
        String taken = unique("foe.taken");
        api.createUser(org, ScimChecks.user(taken));
        String n1 = unique("foe.u1");
        String n3 = unique("foe.u3");
        String n4 = unique("foe.u4");
        String n5 = unique("foe.u5");
        JsonNode response = run(bulk(1, List.of(
                op("POST", "/Users", "u1", userData(n1)),
                op("POST", "/Users", "u2", userData(taken)),
                op("POST", "/Users", "u3", userData(n3)),
                op("POST", "/Users", "u4", userData(n4)),
                op("POST", "/Users", "u5", userData(n5)))));

        List<String> listed = new ArrayList<>();
        response.path("Operations").forEach(r -> listed.add(r.path("bulkId").asText()));
        assertThat(listed).as(response.toString()).containsExactly("u1", "u2");
        assertSuccess(result(response, "u1"), "201", "Users");
        assertFailure(result(response, "u2"), "409");
        assertThat(result(response, "u2").path("response").path("scimType").asText()).isEqualTo("uniqueness");
        assertThat(usersNamed(n1)).isEqualTo(1);
        assertThat(usersNamed(taken)).isEqualTo(1);
        assertThat(usersNamed(n3)).as("op 3 must not have run").isZero();
        assertThat(usersNamed(n4)).as("op 4 must not have run").isZero();
        assertThat(usersNamed(n5)).as("op 5 must not have run").isZero();
    }

    @Test
    void failOnErrorsStopsAfterAFailedPatch() {
        String n1 = unique("foe2.u1");
        String n3 = unique("foe2.u3");
        String n4 = unique("foe2.u4");
        JsonNode response = run(bulk(1, List.of(
                op("POST", "/Users", "u1", userData(n1)),
                op("PATCH", "/Users/" + UUID.randomUUID(), "p2",
                        patchData("{\"op\":\"replace\",\"path\":\"title\",\"value\":\"x\"}")),
                op("POST", "/Users", "u3", userData(n3)),
                op("POST", "/Users", "u4", userData(n4)))));
        List<String> listed = new ArrayList<>();
        response.path("Operations").forEach(r -> listed.add(r.path("bulkId").asText()));
        assertThat(listed).as(response.toString()).containsExactly("u1", "p2");
        assertFailure(result(response, "p2"), "404");
        assertThat(usersNamed(n1)).isEqualTo(1);
        assertThat(usersNamed(n3)).isZero();
        assertThat(usersNamed(n4)).isZero();
    }

    @Test
    void failOnErrorsTwoAllowsOneError() {
        String taken = unique("foe3.taken");
        api.createUser(org, ScimChecks.user(taken));
        String n3 = unique("foe3.u3");
        JsonNode response = run(bulk(2, List.of(
                op("POST", "/Users", "u1", userData(taken)),
                op("PATCH", "/Users/" + UUID.randomUUID(), "p2",
                        patchData("{\"op\":\"replace\",\"path\":\"title\",\"value\":\"x\"}")),
                op("POST", "/Users", "u3", userData(n3)))));
        List<String> listed = new ArrayList<>();
        response.path("Operations").forEach(r -> listed.add(r.path("bulkId").asText()));
        assertThat(listed).as(response.toString()).containsExactly("u1", "p2");
        assertThat(usersNamed(n3)).isZero();
    }

    private static ObjectNode memberChange(String op, String... values) {
        StringBuilder list = new StringBuilder();
        for (String v : values) {
            list.append(list.length() == 0 ? "" : ",").append("{\"value\":\"").append(v).append("\"}");
        }
        return patchData("{\"op\":\"" + op + "\",\"path\":\"members\",\"value\":[" + list + "]}");
    }

    @Test
    void membershipPatchesOfSeveralGroupsEndAsInOrder() {
        String g1 = SharedDirectoryIT.createGroup(client, org, unique("Together One"));
        String g2 = SharedDirectoryIT.createGroup(client, org, unique("Together Two"));
        String g3 = SharedDirectoryIT.createGroup(client, org, unique("Together Three"));
        String renamed = unique("Together Renamed");
        List<ObjectNode> ops = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            ops.add(op("POST", "/Users", "u" + i, userData(unique("together.u" + i))));
        }
        ops.add(op("PATCH", "/Groups/" + g1, "p1", memberChange("add", "bulkId:u1", "bulkId:u2")));
        ops.add(op("PATCH", "/Groups/" + g2, "p2", memberChange("add", "bulkId:u2", "bulkId:u3")));
        // The same group again (in other letter case): after p1, never beside it.
        ops.add(op("PATCH", "/Groups/" + g1.toUpperCase(), "p3", memberChange("remove", "bulkId:u1")));
        ops.add(op("PATCH", "/Groups/" + g3, "p4", memberChange("add", "bulkId:u4")));
        ObjectNode rename = patchData("{\"op\":\"replace\",\"path\":\"displayName\",\"value\":\"" + renamed + "\"}");
        ops.add(op("PATCH", "/Groups/" + g3, "p5", rename));
        ops.add(op("PATCH", "/Groups/" + g2, "p6", memberChange("add", "bulkId:u9")));
        ops.add(op("PATCH", "/Groups/" + UUID.randomUUID(), "p7", memberChange("add", "bulkId:u4")));
        ops.add(op("PATCH", "/Groups/" + g1, "pm", JSON.createObjectNode().put("Operations", "none")));
        ops.add(op("PATCH", "/Groups/" + g2, "p8", memberChange("remove", "bulkId:u3")));
        JsonNode response = run(bulk(null, ops));

        List<String> listed = new ArrayList<>();
        response.path("Operations").forEach(r -> listed.add(r.path("bulkId").asText()));
        assertThat(listed).as(response.toString())
                .containsExactly("u1", "u2", "u3", "u4", "p1", "p2", "p3", "p4", "p5", "p6", "p7", "pm", "p8");
        String[] users = new String[5];
        for (int i = 1; i <= 4; i++) {
            users[i] = assertSuccess(result(response, "u" + i), "201", "Users");
        }
        // Each group's PATCHes applied in their order: each result carries the version it made.
        Map<String, String> versions = Map.of("p1", "W/\"2\"", "p2", "W/\"2\"", "p3", "W/\"3\"", "p4", "W/\"2\"",
                "p5", "W/\"3\"", "p8", "W/\"3\"");
        versions.forEach((bulkId, version) -> {
            JsonNode r = result(response, bulkId);
            assertThat(status(r)).as(r.toString()).isEqualTo("200");
            assertThat(r.path("version").asText()).as(r.toString()).isEqualTo(version);
        });
        for (String last : List.of("p3", "p5", "p8")) {
            assertSuccess(result(response, last), "200", "Groups");
        }
        assertFailure(result(response, "p6"), "400");
        assertFailure(result(response, "p7"), "404");
        assertFailure(result(response, "pm"), "400");
        assertThat(memberIds(getGroup(g1))).containsExactly(users[2]);
        assertThat(memberIds(getGroup(g2))).containsExactly(users[2]);
        JsonNode third = getGroup(g3);
        assertThat(memberIds(third)).containsExactly(users[4]);
        assertThat(third.path("displayName").asText()).isEqualTo(renamed);
    }

    @Test
    void failOnErrorsHoldsBackMembershipPatchesAfterTheLimit() {
        String user = api.createUser(org, ScimChecks.user(unique("limit.u"))).path("id").asText();
        String first = SharedDirectoryIT.createGroup(client, org, unique("Limit First"));
        String second = SharedDirectoryIT.createGroup(client, org, unique("Limit Second"));
        JsonNode response = run(bulk(2, List.of(
                op("PATCH", "/Groups/" + UUID.randomUUID(), "p1", memberChange("add", user)),
                op("PATCH", "/Groups/" + UUID.randomUUID(), "p2", memberChange("add", user)),
                op("PATCH", "/Groups/" + first, "p3", memberChange("add", user)))));
        List<String> listed = new ArrayList<>();
        response.path("Operations").forEach(r -> listed.add(r.path("bulkId").asText()));
        assertThat(listed).as(response.toString()).containsExactly("p1", "p2");
        assertThat(memberIds(getGroup(first))).isEmpty();

        response = run(bulk(1, List.of(
                op("PATCH", "/Groups/" + UUID.randomUUID(), "p1", memberChange("add", user)),
                op("PATCH", "/Groups/" + second, "p2", memberChange("add", user)))));
        listed.clear();
        response.path("Operations").forEach(r -> listed.add(r.path("bulkId").asText()));
        assertThat(listed).as(response.toString()).containsExactly("p1");
        assertThat(memberIds(getGroup(second))).isEmpty();
    }

    @Test
    void deleteOperationsAnswer204() {
        String userId = api.createUser(org, ScimChecks.user(unique("del.u"))).path("id").asText();
        assertThat(MembershipDb.invitations(org.id(), userId)).as("queued when provisioned").hasSize(1);
        ApiClient.Response g = api.post(GROUPS, org.token(), groupData(unique("Del Group")).toString());
        assertThat(g.status()).as(g.text()).isEqualTo(201);
        String groupId = g.json().path("id").asText();

        JsonNode response = run(bulk(null, List.of(
                op("DELETE", "/Users/" + userId, "d1", null),
                op("DELETE", "/Groups/" + groupId, "d2", null),
                op("DELETE", "/Users/" + UUID.randomUUID(), "d3", null))));
        assertThat(status(result(response, "d1"))).isEqualTo("204");
        assertThat(result(response, "d1").path("method").asText()).isEqualTo("DELETE");
        assertThat(result(response, "d1").path("location").asText()).isEqualTo(url(USERS, userId));
        assertThat(status(result(response, "d2"))).isEqualTo("204");
        assertThat(result(response, "d2").path("location").asText()).isEqualTo(url(GROUPS, groupId));
        assertFailure(result(response, "d3"), "404");
        assertThat(api.get(USERS + "/" + userId, org.token()).status()).isEqualTo(404);
        assertThat(api.get(GROUPS + "/" + groupId, org.token()).status()).isEqualTo(404);
        assertThat(MembershipDb.invitations(org.id(), userId)).as("the deleted user's invitations").isEmpty();
    }

    @Test
    void failedOperationsOtherThanPostNameTheResourceTheyAddressed() {
        String taken = unique("loc.taken");
        JsonNode user = api.createUser(org, ScimChecks.user(taken));
        String userId = user.path("id").asText();
        assertThat(url(USERS, userId)).isEqualTo(user.path("meta").path("location").asText());
        String groupId = SharedDirectoryIT.createGroup(client, org, unique("Loc Group"));
        String unknownUser = UUID.randomUUID().toString();
        String unknownGroup = UUID.randomUUID().toString();
        String title = "{\"op\":\"replace\",\"path\":\"title\",\"value\":\"x\"}";
        ObjectNode stalePut = op("PUT", "/Users/" + userId, "stale", userData(taken));
        stalePut.put("version", "W/\"999\"");
        ObjectNode staleAfterCreate = op("PATCH", "/Users/bulkId:ok", "staleNew", patchData(title));
        staleAfterCreate.put("version", "W/\"999\"");
        JsonNode response = run(bulk(null, List.of(
                stalePut,
                op("PATCH", "/Users/" + unknownUser, "unknown", patchData(title)),
                op("PATCH", "/Users/not-an-id", "notAnId", patchData(title)),
                op("DELETE", "/Groups/" + unknownGroup, "gone", null),
                op("PATCH", "/Groups/" + groupId, "malformed", JSON.createObjectNode().put("Operations", "none")),
                op("PATCH", "/Groups/" + unknownGroup, "members", memberChange("add", userId)),
                op("PUT", "/users/" + unknownUser, "lowerCase", userData(unique("loc.lower"))),
                op("DELETE", "/Users/" + unknownUser.toUpperCase(Locale.ROOT), "upperCaseId", null),
                op("DELETE", "/Users/a b?x#y%", "notASegment", null),
                op("DELETE", "/Users/..", "dots", null),
                op("POST", "/Users", "dup", userData(taken)),
                op("PATCH", "/Users/bulkId:dup", "afterDup", patchData(title)),
                op("POST", "/Users", "ok", userData(unique("loc.ok"))),
                staleAfterCreate)));

        assertFailure(result(response, "stale"), "412", url(USERS, userId));
        assertFailure(result(response, "unknown"), "404", url(USERS, unknownUser));
        assertFailure(result(response, "notAnId"), "404", url(USERS, "not-an-id"));
        assertFailure(result(response, "gone"), "404", url(GROUPS, unknownGroup));
        assertFailure(result(response, "malformed"), "400", url(GROUPS, groupId));
        assertFailure(result(response, "members"), "404", url(GROUPS, unknownGroup));
        assertFailure(result(response, "lowerCase"), "404", url(USERS, unknownUser));
        // Ids as the resources' own locations spell them; other text made a valid path segment; no
        // location for dots alone, which a browser would resolve to another resource.
        assertFailure(result(response, "upperCaseId"), "404", url(USERS, unknownUser));
        assertFailure(result(response, "notASegment"), "404", url(USERS, "a%20b%3Fx%23y%25"));
        assertFailure(result(response, "dots"), "404", null);
        // A failed POST has no resource to name; what referred to it names the path as it was sent.
        assertFailure(result(response, "dup"), "409", null);
        assertFailure(result(response, "afterDup"), "400", url(USERS, "bulkId:dup"));
        String created = assertSuccess(result(response, "ok"), "201", "Users");
        assertFailure(result(response, "staleNew"), "412", url(USERS, created));
    }

    @Test
    void putOperationReplacesAndReportsTheNewVersion() {
        String name = unique("put.u");
        String id = api.createUser(org, ScimChecks.user(name)).path("id").asText();
        ObjectNode data = userData(name);
        data.put("title", "Replaced");
        JsonNode response = run(bulk(null, List.of(op("PUT", "/Users/" + id, "r1", data))));
        assertThat(assertSuccess(result(response, "r1"), "200", "Users")).isEqualTo(id);
        assertThat(api.getUser(org, id).path("title").asText()).isEqualTo("Replaced");
    }

    @Test
    void malformedBulkRequestsAre400() {
        assertScimError(api.post(BULK, org.token(), "[{\"method\":\"POST\"}]"), 400, "invalidSyntax");
        assertScimError(api.post(BULK, org.token(), "\"Operations\""), 400, "invalidSyntax");
        assertScimError(api.post(BULK, org.token(), "{\"schemas\":[\"" + BULK_REQUEST + "\"]}"), 400, "invalidSyntax");
        assertScimError(api.post(BULK, org.token(), "{\"schemas\":[\"" + BULK_REQUEST + "\"],\"Operations\":{}}"),
                400, "invalidSyntax");
        assertScimError(api.post(BULK, org.token(), "{\"Operations\":["), 400, "invalidSyntax");
        assertScimError(api.post(BULK, org.token(), "{\"schemas\":[\"" + BULK_REQUEST
                + "\"],\"failOnErrors\":-1,\"Operations\":[]}"), 400, null);
    }

    @Test
    void malformedOperationsFailAloneAndTheOthersRun() {
        String good1 = unique("malformed.ok1");
        String good2 = unique("malformed.ok2");
        String noBulkId = unique("malformed.nobulkid");
        String noMethod = unique("malformed.nomethod");
        String noPath = unique("malformed.nopath");
        JsonNode response = run(bulk(null, List.of(
                op("POST", "/Users", "ok1", userData(good1)),
                op(null, "/Users", "m1", userData(noMethod)),
                op("POST", null, "m2", userData(noPath)),
                op("POST", "/Users", null, userData(noBulkId)),
                op("FETCH", "/Users", "m3", userData(unique("malformed.badmethod"))),
                op("G".repeat(100_000), "/Users", "m4", userData(unique("malformed.longmethod"))),
                op("POST", "/Users", "ok2", userData(good2)))));
        assertThat(response.path("Operations").size()).isEqualTo(7);
        assertFailure(result(response, "m1"), "400");
        assertFailure(result(response, "m2"), "400");
        assertFailure(result(response, "m3"), "400");
        assertThat(result(response, "m3").path("method").asText()).isEqualTo("FETCH");
        assertThat(result(response, "m4").path("method").asText()).isEqualTo("G".repeat(16) + "\u2026");
        List<JsonNode> anonymous = withoutBulkId(response, "POST");
        assertThat(anonymous).as(response.toString()).hasSize(1);
        assertFailure(anonymous.get(0), "400");
        assertSuccess(result(response, "ok1"), "201", "Users");
        assertSuccess(result(response, "ok2"), "201", "Users");
        assertThat(usersNamed(good1)).isEqualTo(1);
        assertThat(usersNamed(good2)).isEqualTo(1);
        assertThat(usersNamed(noBulkId)).isZero();
        assertThat(usersNamed(noMethod)).isZero();
        assertThat(usersNamed(noPath)).isZero();
    }

    @Test
    void meIsNotImplemented() {
        assertScimError(api.get(TestOrg.SCIM + "/Me", org.token()), 501, null);
    }

    @Test
    void limitsOfASmallerConfigurationAre413() {
        TestServer small = TestServer.start(Map.of("SCIM_SCIM_BULK_MAX_OPERATIONS", "5",
                "SCIM_SCIM_BULK_MAX_PAYLOAD_BYTES", "4096"));
        ApiClient smallClient = new ApiClient(vertx, small.port());
        try {
            ScimChecks smallApi = new ScimChecks(smallClient);
            TestOrg o = TestOrg.create(smallClient, "Bulk-limits");

            JsonNode config = smallApi.get(TestOrg.SCIM + "/ServiceProviderConfig", o.token()).json();
            assertThat(config.path("bulk").path("maxOperations").asInt()).isEqualTo(5);
            assertThat(config.path("bulk").path("maxPayloadSize").asInt()).isEqualTo(4096);

            List<ObjectNode> five = new ArrayList<>();
            List<String> fiveNames = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                String n = unique("limit.ok" + i);
                fiveNames.add(n);
                five.add(op("POST", "/Users", "b" + i, userData(n)));
            }
            String fiveBody = bulk(null, five);
            assertThat(fiveBody.length()).isLessThan(4096);
            JsonNode ok = run(smallApi, o, fiveBody);
            assertThat(ok.path("Operations").size()).isEqualTo(5);
            ok.path("Operations").forEach(r -> assertThat(status(r)).isEqualTo("201"));

            List<ObjectNode> six = new ArrayList<>();
            List<String> sixNames = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                String n = unique("limit.six" + i);
                sixNames.add(n);
                six.add(op("POST", "/Users", "s" + i, userData(n)));
            }
            ApiClient.Response tooMany = smallApi.post(BULK, o.token(), bulk(null, six));
            assertScimError(tooMany, 413, null);

            ObjectNode big = userData(unique("limit.big"));
            big.put("title", "x".repeat(5000));
            String bigBody = bulk(null, List.of(op("POST", "/Users", "big", big)));
            assertThat(bigBody.getBytes(java.nio.charset.StandardCharsets.UTF_8).length).isGreaterThan(4096);
            ApiClient.Response tooLarge = smallApi.post(BULK, o.token(), bigBody);
            assertScimError(tooLarge, 413, null);

            for (String n : sixNames) {
                JsonNode l = smallApi.list(o, "userName eq \"" + n + "\"");
                assertThat(l.path("totalResults").asInt()).as(n).isZero();
            }
            JsonNode bigUsers = smallApi.list(o, "userName sw \"limit.big\"");
            assertThat(bigUsers.path("totalResults").asInt()).isZero();
            JsonNode fiveUsers = smallApi.list(o, "userName sw \"limit.ok\"");
            assertThat(fiveUsers.path("totalResults").asInt()).isEqualTo(5);
        } finally {
            smallClient.close();
            small.stop();
        }
    }

    @Test
    void thousandUserCreationsAreBatchedWrites() throws Exception {
        TestOrg big = TestOrg.create(client, "Bulk-1000");
        List<ObjectNode> ops = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            ObjectNode data = userData(String.format("bulk1k.%04d@example.com", i));
            data.putObject("name").put("givenName", "Bulk").put("familyName", "User " + i);
            ops.add(op("POST", "/Users", "k" + i, data));
        }
        String body = bulk(null, ops);

        ApiClient.Response r = api.post(BULK, big.token(), body);
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        JsonNode response = r.json();

        JsonNode results = response.path("Operations");
        assertThat(results.size()).isEqualTo(1000);
        Set<String> ids = new HashSet<>();
        Set<String> bulkIds = new HashSet<>();
        for (JsonNode result : results) {
            assertThat(status(result)).as(result.toString()).isEqualTo("201");
            assertThat(result.path("version").asText()).isNotBlank();
            ids.add(idOf(result));
            bulkIds.add(result.path("bulkId").asText());
        }
        assertThat(ids).hasSize(1000);
        assertThat(bulkIds).hasSize(1000);

        ApiClient.Response listed = api.get(USERS + "?count=1000&filter=" + ApiClient.encode("userName sw \"bulk1k.\""),
                big.token());
        assertThat(listed.status()).as(listed.text()).isEqualTo(200);
        assertThat(listed.json().path("totalResults").asInt()).isEqualTo(1000);
        assertThat(ScimChecks.ids(listed.json())).containsExactlyInAnyOrderElementsOf(ids);

        List<Future<ApiClient.Response>> reads = new ArrayList<>();
        for (JsonNode result : results) {
            reads.add(api.send(HttpMethod.GET, URI.create(result.path("location").asText()).getPath(), big.token(), null));
        }
        ApiClient.await(Future.all(reads));
        for (int i = 0; i < reads.size(); i++) {
            ApiClient.Response read = reads.get(i).result();
            assertThat(read.status()).as(read.text()).isEqualTo(200);
            assertThat(read.json().path("userName").asText()).startsWith("bulk1k.");
            assertThat(read.header("ETag")).isEqualTo(results.get(i).path("version").asText());
        }

        DatabaseTarget db = TestServer.database();
        assertThat(insertingTransactions(db, big.id())).as("distinct transactions that inserted the 1,000 users")
                .isLessThan(50);
        // Counted in the organisation's own rows, not in the cluster's transaction ids, which other
        // instances' work (invitation deliveries, their own tests) moves meanwhile.
        assertThat(writingTransactions(db, big.id())).as("distinct transactions that wrote the users or their changes")
                .isLessThan(50);
    }

    /**
     * The transactions that wrote the organisation's users or its change-feed rows: xmin is 32 bits, the
     * feed's xid carries the epoch above them.
     */
    private static int writingTransactions(DatabaseTarget db, String orgId) throws SQLException {
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
             PreparedStatement ps = c.prepareStatement("SELECT count(DISTINCT x) FROM ("
                     + "SELECT xmin::text::bigint AS x FROM scim_users WHERE org_id = ? "
                     + "UNION ALL SELECT xid::text::bigint & 4294967295 FROM resource_changes WHERE org_id = ?) t")) {
            ps.setObject(1, UUID.fromString(orgId));
            ps.setObject(2, UUID.fromString(orgId));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    private static int insertingTransactions(DatabaseTarget db, String orgId) throws SQLException {
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
             PreparedStatement ps = c.prepareStatement(
                     "SELECT count(*), count(DISTINCT xmin::text) FROM scim_users WHERE org_id = ? AND user_name LIKE 'bulk1k.%'")) {
            ps.setObject(1, UUID.fromString(orgId));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(1000);
                return rs.getInt(2);
            }
        }
    }
}
