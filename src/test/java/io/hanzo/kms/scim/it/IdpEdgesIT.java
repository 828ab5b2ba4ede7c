package io.hanzo.kms.scim.it;

import static io.hanzo.kms.scim.it.ScimChecks.CORE;
import static io.hanzo.kms.scim.it.ScimChecks.ENTERPRISE;
import static io.hanzo.kms.scim.it.ScimChecks.SCIM_JSON;
import static io.hanzo.kms.scim.it.ScimChecks.assertScimError;
import static io.hanzo.kms.scim.it.ScimChecks.ids;
import static io.hanzo.kms.scim.it.ScimChecks.patchOps;
import static io.hanzo.kms.scim.it.ScimChecks.user;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The tolerant edges identity providers and client libraries rely on, each against the real server:
 * endpoint names in any letter case, a Location header on every single-resource answer,
 * {@code failOnErrors: 0}, PATCH ops in any case, extension paths by full URN with ':' or '.', both
 * JSON media types with and without charset, and Accept headers of either type.
 */
@ExtendWith(VertxExtension.class)
class IdpEdgesIT {
    private static final String BASE = TestOrg.SCIM;
    private static final String BULK_REQUEST = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";

    private static ApiClient client;
    private static ScimChecks api;
    private static TestOrg org;
    private static String scimUrl;

    @BeforeAll
    static void start(Vertx vertx) {
        client = new ApiClient(vertx, TestServer.shared().port());
        api = new ScimChecks(client);
        org = TestOrg.create(client, "IdpEdges");
        scimUrl = TestServer.shared().baseUrl() + BASE;
    }

    @AfterAll
    static void stop() {
        client.close();
    }

    /** A request with exactly the headers given besides Authorization; never answered with a server error. */
    private static ApiClient.Response raw(HttpMethod method, String path, Map<String, String> headers, String body) {
        return ScimChecks.noServerError(method + " " + path, client.sendWithHeaders(method, path, org.token(), headers, body));
    }

    private static String group(String displayName, String... memberIds) {
        StringBuilder members = new StringBuilder();
        for (String id : memberIds) {
            members.append(members.length() == 0 ? "" : ",").append("{\"value\":\"").append(id).append("\"}");
        }
        return "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:Group\"],\"displayName\":\"" + displayName
                + "\",\"members\":[" + members + "]}";
    }

    private static void assertStatus(ApiClient.Response r, int status) {
        assertThat(r.status()).as(r.text()).isEqualTo(status);
    }

    @Test
    void endpointNamesMatchInAnyLetterCase() {
        ApiClient.Response created = api.post(BASE + "/users", org.token(), user("lower.case@example.com"));
        assertStatus(created, 201);
        String id = created.json().path("id").asText();
        String canonical = scimUrl + "/Users/" + id;
        assertThat(created.header("Location")).isEqualTo(canonical);
        assertThat(created.json().path("meta").path("location").asText()).isEqualTo(canonical);

        ApiClient.Response one = api.get(BASE + "/USERS/" + id, org.token());
        assertStatus(one, 200);
        assertThat(one.json().path("meta").path("location").asText()).isEqualTo(canonical);
        assertThat(one.header("Location")).isEqualTo(canonical);

        ApiClient.Response filtered = api.get(BASE + "/uSeRs?filter="
                + ApiClient.encode("userName eq \"lower.case@example.com\""), org.token());
        assertStatus(filtered, 200);
        assertThat(ids(filtered.json())).containsExactly(id);

        assertStatus(api.put(BASE + "/users/" + id, org.token(),
                "{\"schemas\":[\"" + CORE + "\"],\"userName\":\"lower.case@example.com\",\"title\":\"Put\"}"), 200);
        assertStatus(api.patch(BASE + "/users/" + id, org.token(),
                patchOps("{\"op\":\"replace\",\"path\":\"title\",\"value\":\"Patched\"}")), 200);
        assertThat(api.getUser(org, id).path("title").asText()).isEqualTo("Patched");

        ApiClient.Response searched = api.post(BASE + "/users/.SEARCH", org.token(),
                "{\"filter\":\"userName eq \\\"lower.case@example.com\\\"\"}");
        assertStatus(searched, 200);
        assertThat(ids(searched.json())).containsExactly(id);

        ApiClient.Response rootSearch = api.post(BASE + "/.Search", org.token(),
                "{\"filter\":\"userName eq \\\"lower.case@example.com\\\"\"}");
        assertStatus(rootSearch, 200);
        assertThat(ids(rootSearch.json())).containsExactly(id);

        ApiClient.Response g = api.post(BASE + "/groups", org.token(), group("Lower Case Group", id));
        assertStatus(g, 201);
        String gid = g.json().path("id").asText();
        assertThat(g.header("Location")).isEqualTo(scimUrl + "/Groups/" + gid);
        assertStatus(api.get(BASE + "/GROUPS/" + gid, org.token()), 200);
        assertStatus(api.post(BASE + "/groups/.search", org.token(), "{\"filter\":\"displayName eq \\\"Lower Case Group\\\"\"}"), 200);
        assertStatus(api.patch(BASE + "/groups/" + gid, org.token(),
                patchOps("{\"op\":\"remove\",\"path\":\"members[value eq \\\"" + id + "\\\"]\"}")), 204);

        for (String discovery : List.of("/serviceproviderconfig", "/SERVICEPROVIDERCONFIG", "/schemas", "/resourcetypes",
                "/resourceTypes/User", "/schemas/" + CORE)) {
            ApiClient.Response r = api.get(BASE + discovery, org.token());
            assertThat(r.status()).as(discovery + ": " + r.text()).isEqualTo(200);
        }

        ApiClient.Response bulk = api.post(BASE + "/bulk", org.token(), "{\"schemas\":[\"" + BULK_REQUEST + "\"],"
                + "\"Operations\":[{\"method\":\"POST\",\"path\":\"/Users\",\"bulkId\":\"b1\",\"data\":"
                + user("bulk.lower@example.com") + "}]}");
        assertStatus(bulk, 200);
        assertThat(bulk.json().path("Operations").path(0).path("status").asText()).isEqualTo("201");

        assertStatus(api.delete(BASE + "/Groups/" + gid, org.token()), 204);
        assertStatus(api.delete(BASE + "/users/" + id, org.token()), 204);
        assertScimError(api.get(BASE + "/Users/" + id, org.token()), 404, null);
        // Names that are no endpoint in any case stay unknown.
        assertScimError(api.get(BASE + "/userz", org.token()), 404, null);
        ApiClient.Response notSearch = api.post(BASE + "/users/.searchx", org.token(), "{}");
        assertThat(notSearch.status()).as(notSearch.text()).isIn(404, 405);
        assertScimError(notSearch, notSearch.status(), null);
    }

    @Test
    void locationOnEveryAnswerWithOneResource() {
        ApiClient.Response created = api.post(BASE + "/Users", org.token(), user("location.everywhere@example.com"));
        String id = created.json().path("id").asText();
        String userUrl = scimUrl + "/Users/" + id;
        assertThat(api.get(BASE + "/Users/" + id, org.token()).header("Location")).isEqualTo(userUrl);
        ApiClient.Response put = api.put(BASE + "/Users/" + id, org.token(), user("location.everywhere@example.com"));
        assertStatus(put, 200);
        assertThat(put.header("Location")).isEqualTo(userUrl);
        ApiClient.Response patched = api.patch(BASE + "/Users/" + id, org.token(),
                patchOps("{\"op\":\"add\",\"path\":\"title\",\"value\":\"Here\"}"));
        assertStatus(patched, 200);
        assertThat(patched.header("Location")).isEqualTo(userUrl);

        ApiClient.Response g = api.post(BASE + "/Groups", org.token(), group("Location Group"));
        String gid = g.json().path("id").asText();
        String groupUrl = scimUrl + "/Groups/" + gid;
        assertThat(api.get(BASE + "/Groups/" + gid, org.token()).header("Location")).isEqualTo(groupUrl);
        ApiClient.Response gput = api.put(BASE + "/Groups/" + gid, org.token(), group("Location Group", id));
        assertStatus(gput, 200);
        assertThat(gput.header("Location")).isEqualTo(groupUrl);
        ApiClient.Response gpatch = api.patch(BASE + "/Groups/" + gid + "?attributes=displayName", org.token(),
                patchOps("{\"op\":\"replace\",\"path\":\"displayName\",\"value\":\"Location Group 2\"}"));
        assertStatus(gpatch, 200);
        assertThat(gpatch.header("Location")).isEqualTo(groupUrl);
        assertThat(gpatch.json().path("displayName").asText()).isEqualTo("Location Group 2");
        // A list is not one resource: no Location there.
        assertThat(api.get(BASE + "/Users", org.token()).header("Location")).isNull();
    }

    @Test
    void bulkFailOnErrorsZeroMeansNoLimit() {
        String op1 = "{\"method\":\"POST\",\"path\":\"/Users\",\"bulkId\":\"z1\",\"data\":" + user("zero.limit@example.com") + "}";
        String dup = "{\"method\":\"POST\",\"path\":\"/Users\",\"bulkId\":\"z2\",\"data\":" + user("zero.limit@example.com") + "}";
        String bad = "{\"method\":\"PATCH\",\"path\":\"/Users/00000000-0000-0000-0000-000000000000\",\"data\":"
                + patchOps("{\"op\":\"replace\",\"path\":\"title\",\"value\":\"x\"}") + "}";
        String op4 = "{\"method\":\"POST\",\"path\":\"/Users\",\"bulkId\":\"z4\",\"data\":" + user("zero.limit.2@example.com") + "}";
        ApiClient.Response r = api.post(BASE + "/Bulk", org.token(), "{\"schemas\":[\"" + BULK_REQUEST
                + "\"],\"failOnErrors\":0,\"Operations\":[" + String.join(",", op1, dup, bad, op4) + "]}");
        assertStatus(r, 200);
        List<String> statuses = new ArrayList<>();
        r.json().path("Operations").forEach(o -> statuses.add(o.path("status").asText()));
        assertThat(statuses).containsExactly("201", "409", "404", "201");
        assertThat(api.list(org, "userName eq \"zero.limit.2@example.com\"").path("totalResults").asInt()).isEqualTo(1);

        // A negative limit still has no meaning.
        assertScimError(api.post(BASE + "/Bulk", org.token(), "{\"schemas\":[\"" + BULK_REQUEST
                + "\"],\"failOnErrors\":-1,\"Operations\":[" + user("never.bulk@example.com") + "]}"), 400, null);
    }

    @Test
    void patchOpsInAnyLetterCase() {
        String id = api.createUser(org, user("op.case@example.com")).path("id").asText();
        assertStatus(api.patch(BASE + "/Users/" + id, org.token(), patchOps(
                "{\"op\":\"REPLACE\",\"path\":\"title\",\"value\":\"Upper\"}",
                "{\"op\":\"Add\",\"path\":\"nickName\",\"value\":\"Nick\"}",
                "{\"op\":\"add\",\"path\":\"displayName\",\"value\":\"Gone soon\"}",
                "{\"op\":\"ReMoVe\",\"path\":\"displayName\"}")), 200);
        JsonNode u = api.getUser(org, id);
        assertThat(u.path("title").asText()).isEqualTo("Upper");
        assertThat(u.path("nickName").asText()).isEqualTo("Nick");
        assertThat(u.has("displayName")).isFalse();

        String gid = api.post(BASE + "/Groups", org.token(), group("Op Case Group")).json().path("id").asText();
        assertStatus(api.patch(BASE + "/Groups/" + gid, org.token(), patchOps(
                "{\"op\":\"ADD\",\"path\":\"members\",\"value\":[{\"value\":\"" + id + "\"}]}")), 204);
        assertThat(api.get(BASE + "/Groups/" + gid, org.token()).json().path("members").path(0).path("value").asText())
                .isEqualTo(id);
        assertStatus(api.patch(BASE + "/Groups/" + gid, org.token(), patchOps(
                "{\"op\":\"REMOVE\",\"path\":\"members[value eq \\\"" + id + "\\\"]\"}")), 204);
        assertThat(api.get(BASE + "/Groups/" + gid, org.token()).json().path("members").size()).isZero();

        // An op that is none of the three, in any case, is still refused and changes nothing.
        assertScimError(api.patch(BASE + "/Users/" + id, org.token(),
                patchOps("{\"op\":\"Upsert\",\"path\":\"title\",\"value\":\"x\"}")), 400, "invalidSyntax");
        assertThat(api.getUser(org, id).path("title").asText()).isEqualTo("Upper");
    }

    @Test
    void extensionPathsByFullUrnWithColonOrDot() {
        String managerId = api.createUser(org, user("urn.manager@example.com")).path("id").asText();
        String id = api.createUser(org, user("urn.paths@example.com")).path("id").asText();
        assertStatus(api.patch(BASE + "/Users/" + id, org.token(), patchOps(
                "{\"op\":\"add\",\"path\":\"" + ENTERPRISE + ":department\",\"value\":\"Sales\"}",
                "{\"op\":\"add\",\"path\":\"" + ENTERPRISE + ".costCenter\",\"value\":\"CC-7\"}",
                "{\"op\":\"replace\",\"path\":\"" + ENTERPRISE + ".manager.value\",\"value\":\"" + managerId + "\"}",
                "{\"op\":\"replace\",\"path\":\"" + CORE + ".title\",\"value\":\"Core by dot\"}")), 200);
        JsonNode u = api.getUser(org, id);
        JsonNode ext = u.path(ENTERPRISE);
        assertThat(ext.path("department").asText()).isEqualTo("Sales");
        assertThat(ext.path("costCenter").asText()).isEqualTo("CC-7");
        assertThat(ext.path("manager").path("value").asText()).isEqualTo(managerId);
        assertThat(u.path("title").asText()).isEqualTo("Core by dot");

        ApiClient.Response byDot = api.get(BASE + "/Users?filter="
                + ApiClient.encode(ENTERPRISE + ".department eq \"Sales\""), org.token());
        assertStatus(byDot, 200);
        assertThat(ids(byDot.json())).containsExactly(id);

        assertStatus(api.patch(BASE + "/Users/" + id, org.token(), patchOps(
                "{\"op\":\"Remove\",\"path\":\"" + ENTERPRISE + ".department\"}",
                "{\"op\":\"remove\",\"path\":\"" + ENTERPRISE + ":costCenter\"}")), 200);
        JsonNode after = api.getUser(org, id).path(ENTERPRISE);
        assertThat(after.has("department")).isFalse();
        assertThat(after.has("costCenter")).isFalse();
        assertThat(after.path("manager").path("value").asText()).isEqualTo(managerId);

        // An unknown attribute under the URN, in either form, is still a precise 400.
        assertScimError(api.patch(BASE + "/Users/" + id, org.token(), patchOps(
                "{\"op\":\"add\",\"path\":\"" + ENTERPRISE + ".shoeSize\",\"value\":\"9\"}")), 400, "invalidPath");
    }

    @Test
    void bothJsonMediaTypesWithAndWithoutCharsetAreAccepted() {
        List<String> types = List.of("application/json", "application/json; charset=utf-8", "application/json;charset=UTF-8",
                "application/scim+json", "application/scim+json; charset=utf-8", "Application/SCIM+JSON;charset=\"utf-8\"");
        int n = 0;
        for (String type : types) {
            n++;
            Map<String, String> headers = Map.of("Content-Type", type);
            String name = "media" + n + "@example.com";
            ApiClient.Response created = raw(HttpMethod.POST, BASE + "/Users", headers, user(name));
            assertThat(created.status()).as(type + ": " + created.text()).isEqualTo(201);
            assertThat(created.header("Content-Type")).startsWith(SCIM_JSON);
            String id = created.json().path("id").asText();
            ApiClient.Response put = raw(HttpMethod.PUT, BASE + "/Users/" + id, headers,
                    "{\"schemas\":[\"" + CORE + "\"],\"userName\":\"" + name + "\",\"title\":\"T" + n + "\"}");
            assertThat(put.status()).as(type + ": " + put.text()).isEqualTo(200);
            ApiClient.Response patch = raw(HttpMethod.PATCH, BASE + "/Users/" + id, headers,
                    patchOps("{\"op\":\"replace\",\"path\":\"nickName\",\"value\":\"N" + n + "\"}"));
            assertThat(patch.status()).as(type + ": " + patch.text()).isEqualTo(200);
            ApiClient.Response group = raw(HttpMethod.POST, BASE + "/Groups", headers, group("Media Group " + n, id));
            assertThat(group.status()).as(type + ": " + group.text()).isEqualTo(201);
            ApiClient.Response search = raw(HttpMethod.POST, BASE + "/Users/.search", headers,
                    "{\"filter\":\"userName eq \\\"" + name + "\\\"\"}");
            assertThat(search.status()).as(type + ": " + search.text()).isEqualTo(200);
            assertThat(ids(search.json())).containsExactly(id);
            JsonNode stored = api.getUser(org, id);
            assertThat(stored.path("title").asText()).isEqualTo("T" + n);
            assertThat(stored.path("nickName").asText()).isEqualTo("N" + n);
        }
        // No Content-Type at all (older authentik releases): the body is still JSON.
        ApiClient.Response untyped = raw(HttpMethod.POST, BASE + "/Users", Map.of(), user("media.none@example.com"));
        assertThat(untyped.status()).as(untyped.text()).isEqualTo(201);
        assertThat(api.list(org, "userName eq \"media.none@example.com\"").path("totalResults").asInt()).isEqualTo(1);
    }

    @Test
    void jsonLabelledAsAFormIsReadAsJson() {
        // curl -d labels its body application/x-www-form-urlencoded; a long value must not be decoded as a form field.
        String title = "x".repeat(20_000);
        for (String type : List.of("application/x-www-form-urlencoded", "multipart/form-data; boundary=b")) {
            String name = "form." + type.length() + "@example.com";
            ApiClient.Response created = raw(HttpMethod.POST, BASE + "/Users", Map.of("Content-Type", type),
                    "{\"schemas\":[\"" + CORE + "\"],\"userName\":\"" + name + "\",\"title\":\"" + title + "\"}");
            assertThat(created.status()).as(type + ": " + created.text()).isEqualTo(201);
            assertThat(api.getUser(org, created.json().path("id").asText()).path("title").asText()).isEqualTo(title);
        }
    }

    @Test
    void acceptHeadersOfEitherTypeAreAnswered() {
        String id = api.createUser(org, user("accept.header@example.com")).path("id").asText();
        for (String accept : List.of("application/scim+json", "application/json", "*/*",
                "application/scim+json, application/json", "application/json;q=0.9, */*;q=0.1", "application/*")) {
            Map<String, String> headers = Map.of("Accept", accept);
            ApiClient.Response one = raw(HttpMethod.GET, BASE + "/Users/" + id, headers, null);
            assertThat(one.status()).as(accept + ": " + one.text()).isEqualTo(200);
            assertThat(one.header("Content-Type")).startsWith(SCIM_JSON);
            assertThat(one.json().path("id").asText()).isEqualTo(id);
            ApiClient.Response list = raw(HttpMethod.GET, BASE + "/Users?filter="
                    + ApiClient.encode("userName eq \"accept.header@example.com\""), headers, null);
            assertThat(list.status()).as(accept + ": " + list.text()).isEqualTo(200);
            assertThat(ids(list.json())).containsExactly(id);
            ApiClient.Response config = raw(HttpMethod.GET, BASE + "/ServiceProviderConfig", headers, null);
            assertThat(config.status()).as(accept + ": " + config.text()).isEqualTo(200);
            ApiClient.Response missing = raw(HttpMethod.GET, BASE + "/Users/nope", headers, null);
            assertScimError(missing, 404, null);
        }
    }

    @Test
    void singleValuedAttributeGivenAsArrayOfOne() {
        ApiClient.Response created = api.post(BASE + "/Users", org.token(), "{\"schemas\":[\"" + CORE
                + "\"],\"userName\":\"array.of.one@example.com\",\"title\":[\"Engineer\"]}");
        assertStatus(created, 201);
        assertThat(created.json().path("title").asText()).isEqualTo("Engineer");
        assertScimError(api.post(BASE + "/Users", org.token(), "{\"schemas\":[\"" + CORE
                + "\"],\"userName\":\"array.of.two@example.com\",\"title\":[\"A\",\"B\"]}"), 400, "invalidValue");
    }
}
