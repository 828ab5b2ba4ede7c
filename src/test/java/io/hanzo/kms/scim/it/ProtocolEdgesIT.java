package io.hanzo.kms.scim.it;

import static io.hanzo.kms.scim.it.ScimChecks.CORE;
import static io.hanzo.kms.scim.it.ScimChecks.ENTERPRISE;
import static io.hanzo.kms.scim.it.ScimChecks.SCIM_JSON;
import static io.hanzo.kms.scim.it.ScimChecks.USERS;
import static io.hanzo.kms.scim.it.ScimChecks.assertListResponse;
import static io.hanzo.kms.scim.it.ScimChecks.assertScimError;
import static io.hanzo.kms.scim.it.ScimChecks.ids;
import static io.hanzo.kms.scim.it.ScimChecks.patchOps;
import static io.hanzo.kms.scim.it.ScimChecks.user;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** HTTP-level behaviour of the SCIM endpoint: paths, methods, media types, body limits, error shapes. */
@ExtendWith(VertxExtension.class)
class ProtocolEdgesIT {
    private static final String BASE = TestOrg.SCIM;
    private static final int DEFAULT_BODY_LIMIT = 1024 * 1024;

    private static ApiClient client;
    private static ScimChecks api;
    private static WebClient web;
    private static int port;
    private static TestOrg org;

    @BeforeAll
    static void start(Vertx vertx) {
        port = TestServer.shared().port();
        client = new ApiClient(vertx, port);
        api = new ScimChecks(client);
        web = WebClient.create(vertx, new WebClientOptions().setDefaultHost("localhost").setDefaultPort(port));
        org = TestOrg.create(client, "ProtocolEdges");
    }

    @AfterAll
    static void stop() {
        web.close();
        client.close();
    }

    /** A request with a Content-Type of the test's choosing (or none), never answered with a server error. */
    private static ApiClient.Response raw(HttpMethod method, String path, String contentType, String body) {
        HttpRequest<Buffer> req = web.request(method, port, "localhost", path)
                .putHeader("Authorization", "Bearer " + org.token());
        if (contentType != null) {
            req.putHeader("Content-Type", contentType);
        }
        Future<HttpResponse<Buffer>> f = body == null ? req.send() : req.sendBuffer(Buffer.buffer(body));
        ApiClient.Response r = ApiClient.await(f.map(x -> new ApiClient.Response(x.statusCode(), x.headers(), x.bodyAsString())));
        return ScimChecks.noServerError(method + " " + path, r);
    }

    private static void assertScimJson(ApiClient.Response r) {
        assertThat(r.header("Content-Type")).as("Content-Type of %d %s", r.status(), r.text()).startsWith(SCIM_JSON);
    }

    @Test
    void doubledSlashesAreRoutedAsSingleOnes() {
        ApiClient.Response created = api.post(BASE + "//Users", org.token(), user("double.slash@example.com"));
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        String id = created.json().path("id").asText();
        assertThat(created.header("Location")).isEqualTo(TestServer.shared().baseUrl() + "/api/v1/scim/Users/" + id);

        ApiClient.Response listed = api.get(BASE + "//Users", org.token());
        assertThat(listed.status()).as(listed.text()).isEqualTo(200);
        assertListResponse(listed);
        assertThat(ids(listed.json())).contains(id);

        ApiClient.Response filtered = api.get(BASE + "//Users?filter="
                + ApiClient.encode("userName eq \"double.slash@example.com\""), org.token());
        assertThat(filtered.status()).as(filtered.text()).isEqualTo(200);
        assertThat(ids(filtered.json())).containsExactly(id);

        ApiClient.Response one = api.get(BASE + "//Users//" + id, org.token());
        assertThat(one.status()).as(one.text()).isEqualTo(200);
        assertThat(one.json().path("id").asText()).isEqualTo(id);

        ApiClient.Response patched = api.patch(BASE + "//Users/" + id, org.token(),
                patchOps("{\"op\":\"replace\",\"path\":\"title\",\"value\":\"Slashed\"}"));
        assertThat(patched.status()).as(patched.text()).isEqualTo(200);
        assertThat(patched.json().path("title").asText()).isEqualTo("Slashed");

        ApiClient.Response discovery = api.get(BASE + "//ServiceProviderConfig", org.token());
        assertThat(discovery.status()).as(discovery.text()).isEqualTo(200);

        assertThat(api.delete(BASE + "//Users/" + id, org.token()).status()).isEqualTo(204);
        assertScimError(api.get(USERS + "/" + id, org.token()), 404, null);
    }

    @Test
    void trailingSlashOnUsersIsAccepted() {
        ApiClient.Response created = api.post(USERS + "/", org.token(), user("trailing.slash@example.com"));
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        String id = created.json().path("id").asText();

        ApiClient.Response listed = api.get(USERS + "/", org.token());
        assertThat(listed.status()).as(listed.text()).isEqualTo(200);
        assertListResponse(listed);
        assertThat(ids(listed.json())).contains(id);

        ApiClient.Response filtered = api.get(USERS + "/?filter="
                + ApiClient.encode("userName eq \"trailing.slash@example.com\""), org.token());
        assertThat(filtered.status()).as(filtered.text()).isEqualTo(200);
        assertThat(ids(filtered.json())).containsExactly(id);

        ApiClient.Response slashed = api.get(BASE + "//Users/", org.token());
        assertThat(slashed.status()).as(slashed.text()).isEqualTo(200);
    }

    @Test
    void applicationJsonIsAccepted() {
        for (String type : List.of("application/json", "application/json; charset=utf-8", "application/scim+json; charset=UTF-8")) {
            String name = "json." + type.replaceAll("[^a-z]", "") + "@example.com";
            ApiClient.Response created = raw(HttpMethod.POST, USERS, type, user(name));
            assertThat(created.status()).as(type + ": " + created.text()).isEqualTo(201);
            assertScimJson(created);
            String id = created.json().path("id").asText();

            ApiClient.Response replaced = raw(HttpMethod.PUT, USERS + "/" + id, type,
                    "{\"schemas\":[\"" + CORE + "\"],\"userName\":\"" + name + "\",\"title\":\"Put\"}");
            assertThat(replaced.status()).as(type + ": " + replaced.text()).isEqualTo(200);
            assertScimJson(replaced);
            assertThat(replaced.json().path("title").asText()).isEqualTo("Put");

            ApiClient.Response patched = raw(HttpMethod.PATCH, USERS + "/" + id, type,
                    patchOps("{\"op\":\"replace\",\"path\":\"title\",\"value\":\"Patched\"}"));
            assertThat(patched.status()).as(type + ": " + patched.text()).isEqualTo(200);
            assertScimJson(patched);
            assertThat(api.getUser(org, id).path("title").asText()).isEqualTo("Patched");
        }
    }

    @Test
    void responsesAreScimJson() {
        ApiClient.Response created = api.post(USERS, org.token(), user("content.type@example.com"));
        assertScimJson(created);
        String id = created.json().path("id").asText();
        assertScimJson(api.get(USERS + "/" + id, org.token()));
        assertScimJson(api.get(USERS, org.token()));
        assertScimJson(api.get(USERS + "?filter=" + ApiClient.encode("userName eq \"content.type@example.com\""), org.token()));
        assertScimJson(api.put(USERS + "/" + id, org.token(), user("content.type@example.com")));
        assertScimJson(api.patch(USERS + "/" + id, org.token(), patchOps("{\"op\":\"add\",\"path\":\"title\",\"value\":\"x\"}")));
        assertScimJson(api.post(USERS, org.token(), user("content.type@example.com")));
        assertScimJson(api.get(USERS + "/nope", org.token()));
        assertScimJson(api.get(USERS + "?filter=bogus", org.token()));
        assertScimJson(raw(HttpMethod.GET, USERS, null, null));
    }

    @Test
    void unknownPathsAre404ScimErrors() {
        String id = api.createUser(org, user("unknown.path@example.com")).path("id").asText();
        for (String path : List.of(BASE + "/Nope", BASE + "/Users/" + id + "/extra", BASE + "/Userz",
                BASE + "/Users/" + id + "/emails", BASE + "/v2/Users", BASE + "/Bulkx")) {
            assertScimError(api.get(path, org.token()), 404, null);
            assertScimError(api.post(path, org.token(), user("never.created@example.com")), 404, null);
        }
        assertThat(api.list(org, "userName eq \"never.created@example.com\"").path("totalResults").asInt()).isZero();
    }

    /**
     * A path whose percent-encoding is broken names no resource: a 400 with a SCIM error body, not a
     * 404 that an IdP reads as the resource being gone, and never a write.
     */
    @Test
    void aMalformedPercentEncodingInThePathIsA400ScimError() {
        for (String path : List.of(USERS + "/%ZZ", BASE + "/Groups/%ZZ", USERS + "/%", USERS + "/%zz/extra")) {
            ApiClient.Response r = raw(HttpMethod.GET, path, null, null);
            assertScimError(r, 400, "invalidValue");
            assertThat(r.json().path("detail").asText()).contains("percent-encoding");
            assertScimError(raw(HttpMethod.PUT, path, SCIM_JSON, user("bad.path@example.com")), 400, "invalidValue");
        }
        assertThat(api.list(org, "userName eq \"bad.path@example.com\"").path("totalResults").asInt()).isZero();
    }

    @Test
    void methodsAUsersPathDoesNotTakeAre404Or405ScimErrors() {
        String id = api.createUser(org, user("wrong.method@example.com")).path("id").asText();
        List<ApiClient.Response> answers = new ArrayList<>();
        answers.add(api.put(USERS, org.token(), user("wrong.method@example.com")));
        answers.add(api.patch(USERS, org.token(), patchOps("{\"op\":\"replace\",\"path\":\"title\",\"value\":\"x\"}")));
        answers.add(api.delete(USERS, org.token()));
        answers.add(api.post(USERS + "/" + id, org.token(), user("wrong.method.2@example.com")));
        answers.add(api.sendAndWait(HttpMethod.PUT, BASE + "/ServiceProviderConfig", org.token(), "{}"));
        for (ApiClient.Response r : answers) {
            assertThat(r.status()).as(r.text()).isIn(404, 405);
            assertScimError(r, r.status(), null);
        }
        JsonNode stored = api.getUser(org, id);
        assertThat(stored.has("title")).isFalse();
        assertThat(stored.path("meta").path("version").asText()).isEqualTo("W/\"1\"");
        assertThat(api.list(org, "userName eq \"wrong.method.2@example.com\"").path("totalResults").asInt()).isZero();
    }

    /** RFC 9110 §9.3.2: HEAD answers as GET would, without the body. */
    @Test
    void headAnswersAsGetWithoutTheBody() {
        String id = api.createUser(org, user("head.request@example.com")).path("id").asText();
        ApiClient.Response get = api.get(USERS + "/" + id, org.token());
        ApiClient.Response head = api.sendAndWait(HttpMethod.HEAD, USERS + "/" + id, org.token(), null);
        assertThat(head.status()).isEqualTo(200);
        assertThat(head.header("ETag")).isEqualTo(get.header("ETag"));
        assertThat(head.header("Content-Type")).isEqualTo(get.header("Content-Type"));
        assertThat(head.text()).isNullOrEmpty();
        assertThat(api.sendAndWait(HttpMethod.HEAD, USERS + "/" + UUID.randomUUID(), org.token(), null).status()).isEqualTo(404);
        assertThat(api.sendAndWait(HttpMethod.HEAD, "/health/live", null, null).status()).isEqualTo(200);
        ApiClient.Response bulk = api.sendAndWait(HttpMethod.HEAD, BASE + "/Bulk", org.token(), null);
        assertThat(bulk.status()).isEqualTo(405);
        assertThat(bulk.header("Allow")).isEqualTo("POST");
    }

    /** RFC 9110 §15.5.6: a 405 names the methods the resource takes. */
    @Test
    void a405SaysWhichMethodsThePathTakes() {
        String id = api.createUser(org, user("allow.header@example.com")).path("id").asText();
        Map<ApiClient.Response, String> answers = new LinkedHashMap<>();
        answers.put(api.put(USERS, org.token(), user("allow.header.2@example.com")), "GET, POST");
        answers.put(api.post(USERS + "/" + id, org.token(), user("allow.header.3@example.com")), "DELETE, GET, PATCH, PUT");
        answers.put(api.sendAndWait(HttpMethod.PUT, BASE + "/ServiceProviderConfig", org.token(), "{}"), "GET");
        answers.put(api.sendAndWait(HttpMethod.DELETE, BASE + "/Bulk", org.token(), null), "POST");
        answers.forEach((r, allow) -> {
            assertThat(r.status()).as(r.text()).isEqualTo(405);
            assertThat(r.header("Allow")).as(r.text()).isEqualTo(allow);
        });
    }

    @Test
    void aBodyOverTheLimitIs413() {
        String big = "x".repeat(DEFAULT_BODY_LIMIT + 1024);
        String body = "{\"schemas\":[\"" + CORE + "\"],\"userName\":\"too.big@example.com\",\"displayName\":\"" + big + "\"}";
        assertScimError(api.post(USERS, org.token(), body), 413, null);

        String id = api.createUser(org, user("big.put@example.com")).path("id").asText();
        assertScimError(api.put(USERS + "/" + id, org.token(), body.replace("too.big", "big.put")), 413, null);
        assertScimError(api.patch(USERS + "/" + id, org.token(),
                patchOps("{\"op\":\"replace\",\"path\":\"displayName\",\"value\":\"" + big + "\"}")), 413, null);
        assertThat(api.list(org, "userName eq \"too.big@example.com\"").path("totalResults").asInt()).isZero();
        assertThat(api.getUser(org, id).has("displayName")).isFalse();

        String justUnder = "y".repeat(DEFAULT_BODY_LIMIT / 2);
        ApiClient.Response ok = api.post(USERS, org.token(),
                "{\"schemas\":[\"" + CORE + "\"],\"userName\":\"big.but.fine@example.com\",\"displayName\":\"" + justUnder + "\"}");
        assertThat(ok.status()).as("half a megabyte is within the limit").isEqualTo(201);
    }

    @Test
    void emptyBodiesAre400InvalidSyntax() {
        assertScimError(api.post(USERS, org.token(), ""), 400, "invalidSyntax");
        assertScimError(api.post(USERS, org.token(), "   "), 400, "invalidSyntax");
        assertScimError(raw(HttpMethod.POST, USERS, null, null), 400, "invalidSyntax");
        String id = api.createUser(org, user("empty.put@example.com")).path("id").asText();
        assertScimError(api.put(USERS + "/" + id, org.token(), ""), 400, "invalidSyntax");
        assertScimError(raw(HttpMethod.PATCH, USERS + "/" + id, null, null), 400, "invalidSyntax");
    }

    @Test
    void bodiesThatAreNotJsonObjectsAre400() {
        String id = api.createUser(org, user("not.an.object@example.com")).path("id").asText();
        List<String> bodies = List.of(
                "[" + user("array.user@example.com") + "]",
                "[]",
                "null",
                "42",
                "\"userName\"",
                "true");
        for (String body : bodies) {
            assertScimError(api.post(USERS, org.token(), body), 400, "invalidSyntax");
            assertScimError(api.put(USERS + "/" + id, org.token(), body), 400, "invalidSyntax");
            assertScimError(api.patch(USERS + "/" + id, org.token(), body), 400, "invalidSyntax");
        }
        assertThat(api.list(org, "userName eq \"array.user@example.com\"").path("totalResults").asInt()).isZero();
        assertThat(api.getUser(org, id).path("meta").path("version").asText()).isEqualTo("W/\"1\"");
    }

    @Test
    void malformedJsonIs400InvalidSyntax() {
        List<String> bodies = List.of(
                "{\"userName\":",
                "{userName: \"x@example.com\"}",
                "{\"userName\":\"x@example.com\"} trailing",
                "{\"userName\":\"x@example.com\",\"userName\":\"y@example.com\"}",
                "{\"userName\":\"x@example.com\",}",
                "\u00ff\u00fe{}",
                "{\"a\":" + "[".repeat(500) + "]".repeat(500) + "}");
        for (String body : bodies) {
            assertScimError(api.post(USERS, org.token(), body), 400, "invalidSyntax");
        }
        assertThat(api.list(org, "userName eq \"x@example.com\" or userName eq \"y@example.com\"")
                .path("totalResults").asInt()).isZero();
    }

    private static String emails(int from, int count) {
        StringBuilder out = new StringBuilder("[");
        for (int i = from; i < from + count; i++) {
            out.append(i > from ? "," : "").append("{\"value\":\"e").append(i).append("@example.com\"}");
        }
        return out.append(']').toString();
    }

    @Test
    void aMultiValuedAttributeHoldsAtMostAThousandValues() {
        assertScimError(api.post(USERS, org.token(), "{\"userName\":\"many.emails@example.com\",\"emails\":"
                + emails(0, 1001) + "}"), 400, "invalidValue");
        assertThat(api.list(org, "userName eq \"many.emails@example.com\"").path("totalResults").asInt()).isZero();

        ApiClient.Response created = api.post(USERS, org.token(), "{\"userName\":\"many.emails@example.com\",\"emails\":"
                + emails(0, 1000) + "}");
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        String user = USERS + "/" + created.json().path("id").asText();
        assertScimError(api.patch(user, org.token(), ScimChecks.patchOps(
                "{\"op\":\"add\",\"path\":\"emails\",\"value\":" + emails(1000, 1) + "}")), 400, "invalidValue");
        assertScimError(api.patch(user, org.token(), ScimChecks.patchOps(
                "{\"op\":\"remove\",\"path\":\"emails\",\"value\":" + emails(5000, 1001) + "}")), 400, "invalidValue");
        // Re-adding values it has adds none, so it stays within the bound.
        ApiClient.Response again = api.patch(user, org.token(), ScimChecks.patchOps(
                "{\"op\":\"add\",\"path\":\"emails\",\"value\":" + emails(0, 1000) + "}"));
        assertThat(again.status()).as(again.text()).isEqualTo(200);
        assertThat(api.get(user, org.token()).json().path("emails").size()).isEqualTo(1000);
    }

    @Test
    void anErrorQuotesAtMostAThousandCharactersOfWhatWasSent() {
        String id = api.post(USERS, org.token(), "{\"userName\":\"long.path@example.com\"}").json().path("id").asText();
        String path = "userName." + "x".repeat(8_000);
        ApiClient.Response r = api.patch(USERS + "/" + id, org.token(), ScimChecks.patchOps(
                "{\"op\":\"replace\",\"path\":\"" + path + "\",\"value\":\"v\"}"));
        assertScimError(r, 400, "invalidPath");
        String detail = r.json().path("detail").asText();
        assertThat(detail.length()).isLessThan(1100);
        assertThat(detail).contains("more characters");
    }

    @Test
    void wellFormedJsonBeyondTheLimitsIsNotCalledInvalidJson() {
        for (String body : List.of(
                "{\"userName\":\"long.string@example.com\",\"title\":\"" + "t".repeat(1_000_001) + "\"}",
                "{\"userName\":\"deep@example.com\",\"a\":" + "[".repeat(100) + "]".repeat(100) + "}")) {
            ApiClient.Response r = api.post(USERS, org.token(), body);
            assertScimError(r, 400, "invalidSyntax");
            assertThat(r.json().path("detail").asText()).contains("beyond").doesNotContain("not valid JSON");
        }
    }

    /**
     * '<', '.' and DEL each in more bytes than it needs (RFC 3629 forbids such overlong forms): decoded,
     * they would be stored as the plain characters. Refused like any other ill-formed byte, and nothing is
     * created.
     */
    @Test
    void overlongUtf8IsRefusedAndCreatesNothing() {
        Map<String, String> overlong = Map.of(
                "u\u00c0\u00bcx@a.com", "u<x@a.com",
                "u\u00e0\u0080\u00aex@a.com", "u.x@a.com",
                "u\u00c1\u00bfx@a.com", "u\u007fx@a.com");
        for (Map.Entry<String, String> name : overlong.entrySet()) {
            // Each char of the name one byte, as sent.
            Buffer body = Buffer.buffer("{\"schemas\":[\"" + CORE + "\"],\"userName\":\"" + name.getKey() + "\"}",
                    "ISO-8859-1");
            Future<HttpResponse<Buffer>> f = web.request(HttpMethod.POST, port, "localhost", USERS)
                    .putHeader("Authorization", "Bearer " + org.token()).putHeader("Content-Type", SCIM_JSON).sendBuffer(body);
            ApiClient.Response r = ApiClient.await(f.map(x -> new ApiClient.Response(x.statusCode(), x.headers(), x.bodyAsString())));
            assertScimError(r, 400, "invalidSyntax");
            assertThat(r.json().path("detail").asText()).contains("not valid UTF-8").contains("overlong");
            assertThat(api.list(org, "userName eq \"" + name.getValue() + "\"").path("totalResults").asInt())
                    .as(name.getValue()).isZero();
        }
    }

    @Test
    void invalidValuesAre400() {
        List<String> bodies = List.of(
                "{\"schemas\":[\"" + CORE + "\"]}",
                "{\"schemas\":[\"" + CORE + "\"],\"userName\":\"\"}",
                "{\"schemas\":[\"" + CORE + "\"],\"userName\":null}",
                "{\"schemas\":[\"" + CORE + "\"],\"userName\":{\"value\":\"x\"}}",
                "{\"schemas\":[\"" + CORE + "\"],\"userName\":[\"a@example.com\",\"b@example.com\"]}",
                "{\"schemas\":[\"" + CORE + "\"],\"userName\":\"bad.active@example.com\",\"active\":\"maybe\"}",
                "{\"schemas\":[\"" + CORE + "\"],\"userName\":\"bad.name@example.com\",\"name\":\"Just A String\"}",
                "{\"schemas\":[\"" + CORE + "\"],\"userName\":\"bad.ext@example.com\",\"" + ENTERPRISE + "\":\"Sales\"}",
                "{\"schemas\":[\"" + CORE + "\"],\"userName\":\"bad.email@example.com\",\"emails\":[{\"value\":{\"x\":1}}]}");
        for (String body : bodies) {
            assertScimError(api.post(USERS, org.token(), body), 400, "invalidValue");
        }
        assertThat(api.list(org, "userName sw \"bad.\"").path("totalResults").asInt()).isZero();
    }

    @Test
    void tooManyPatchOperationsAre400() {
        String id = api.createUser(org, user("many.ops@example.com")).path("id").asText();
        String[] ops = new String[1001];
        for (int i = 0; i < ops.length; i++) {
            ops[i] = "{\"op\":\"replace\",\"path\":\"title\",\"value\":\"t" + i + "\"}";
        }
        assertScimError(api.patch(USERS + "/" + id, org.token(), patchOps(ops)), 400, null);
        assertThat(api.getUser(org, id).has("title")).isFalse();
    }

    /** 201 when the server keeps the value, or a SCIM 400 when it refuses it; never a server error. */
    private static void assertKeptOrRefused(ApiClient.Response r, int okStatus) {
        assertThat(r.status()).as(r.text()).isIn(okStatus, 400);
        if (r.status() == 400) {
            assertScimError(r, 400, null);
        }
    }

    @Test
    void aNulCharacterInUserNameIsNeverAServerError() {
        ApiClient.Response r = api.post(USERS, org.token(),
                "{\"schemas\":[\"" + CORE + "\"],\"userName\":\"nul\\u0000byte@example.com\"}");
        assertKeptOrRefused(r, 201);
    }

    @Test
    void aNulCharacterInAnotherAttributeIsNeverAServerError() {
        ApiClient.Response r = api.post(USERS, org.token(),
                "{\"schemas\":[\"" + CORE + "\"],\"userName\":\"nul.display@example.com\",\"displayName\":\"a\\u0000b\"}");
        assertKeptOrRefused(r, 201);
    }

    @Test
    void aNulCharacterInAPatchValueIsNeverAServerError() {
        JsonNode before = api.createUser(org, user("nul.patch@example.com"));
        String id = before.path("id").asText();
        ApiClient.Response r = api.patch(USERS + "/" + id, org.token(),
                patchOps("{\"op\":\"replace\",\"path\":\"title\",\"value\":\"t\\u0000t\"}"));
        assertKeptOrRefused(r, 200);
        if (r.status() == 400) {
            assertThat(api.getUser(org, id)).isEqualTo(before);
        }
    }

    @Test
    void aNulCharacterInAFilterIsNeverAServerError() {
        ApiClient.Response r = api.get(USERS + "?filter=" + ApiClient.encode("userName eq \"a\u0000b\""), org.token());
        assertThat(r.status()).as(r.text()).isIn(200, 400);
    }

    @Test
    void aVeryLongUserNameIsNeverAServerError() {
        StringBuilder sb = new StringBuilder();
        while (sb.length() < 10_000) {
            sb.append(UUID.randomUUID().toString().replace("-", ""));
        }
        String longName = sb + "@example.com";
        ApiClient.Response r = api.post(USERS, org.token(), user(longName));
        assertKeptOrRefused(r, 201);
        if (r.status() == 201) {
            assertThat(r.json().path("userName").asText()).isEqualTo(longName);
            assertThat(api.getUser(org, r.json().path("id").asText()).path("userName").asText()).isEqualTo(longName);
        }
    }

    @Test
    void aVeryLongExternalIdIsNeverAServerError() {
        StringBuilder sb = new StringBuilder();
        while (sb.length() < 10_000) {
            sb.append(UUID.randomUUID());
        }
        ApiClient.Response r = api.post(USERS, org.token(),
                "{\"schemas\":[\"" + CORE + "\"],\"userName\":\"long.external@example.com\",\"externalId\":\"" + sb + "\"}");
        assertKeptOrRefused(r, 201);
    }

    @Test
    void meIsNotImplemented() {
        assertScimError(api.get(BASE + "/Me", org.token()), 501, null);
        assertScimError(api.post(BASE + "/Me", org.token(), user("me@example.com")), 501, null);
        assertScimError(api.patch(BASE + "/Me", org.token(), patchOps("{\"op\":\"replace\",\"path\":\"title\",\"value\":\"x\"}")),
                501, null);
        assertThat(api.list(org, "userName eq \"me@example.com\"").path("totalResults").asInt()).isZero();
    }
}
