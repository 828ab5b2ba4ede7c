package io.hanzo.kms.scim.it;

import static io.hanzo.kms.scim.it.ScimChecks.CORE;
import static io.hanzo.kms.scim.it.ScimChecks.USERS;
import static io.hanzo.kms.scim.it.ScimChecks.assertScimError;
import static io.hanzo.kms.scim.it.ScimChecks.patchOps;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/** ETags, If-None-Match and If-Match (RFC 7644 §3.14) on /Users and /Groups. */
@ExtendWith(VertxExtension.class)
class ETagIT {
    private static final String GROUPS = TestOrg.SCIM + "/Groups";
    private static final String GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";
    private static final AtomicInteger SEQ = new AtomicInteger();

    private static ApiClient client;
    private static ScimChecks api;
    private static WebClient raw;
    private static int port;
    private static TestOrg org;

    @BeforeAll
    static void start(Vertx vertx) {
        port = TestServer.shared().port();
        client = new ApiClient(vertx, port);
        api = new ScimChecks(client);
        raw = WebClient.create(vertx, new WebClientOptions().setDefaultHost("localhost").setDefaultPort(port));
        org = TestOrg.create(client, "ETag");
    }

    @AfterAll
    static void stop() {
        raw.close();
        client.close();
    }

    /** A request with one conditional header; {@code header} null sends none. */
    private static ApiClient.Response send(HttpMethod method, String path, String body, String header, String value) {
        HttpRequest<Buffer> req = raw.request(method, port, "localhost", path);
        req.putHeader("Authorization", "Bearer " + org.token());
        if (header != null) {
            req.putHeader(header, value);
        }
        ApiClient.Response r;
        if (body != null) {
            req.putHeader("Content-Type", "application/scim+json");
            r = ApiClient.await(req.sendBuffer(Buffer.buffer(body))
                    .map(x -> new ApiClient.Response(x.statusCode(), x.headers(), x.bodyAsString())));
        } else {
            r = ApiClient.await(req.send().map(x -> new ApiClient.Response(x.statusCode(), x.headers(), x.bodyAsString())));
        }
        return ScimChecks.noServerError(method + " " + path, r);
    }

    private static String userBody(String userName, String title) {
        return "{\"schemas\":[\"" + CORE + "\"],\"userName\":\"" + userName + "\",\"title\":\"" + title + "\"}";
    }

    private static String newUserName() {
        return "etag.user." + SEQ.incrementAndGet() + "@example.com";
    }

    private static String groupBody(String displayName, String... members) {
        StringBuilder m = new StringBuilder();
        for (String id : members) {
            m.append(m.length() == 0 ? "" : ",").append("{\"value\":\"").append(id).append("\"}");
        }
        return "{\"schemas\":[\"" + GROUP_SCHEMA + "\"],\"displayName\":\"" + displayName + "\",\"members\":[" + m + "]}";
    }

    /** The ETag header is present and equal to meta.version of the body. */
    private static String assertETagMatchesBody(ApiClient.Response r) {
        String etag = r.header("ETag");
        assertThat(etag).as("ETag of %s", r.text()).isNotBlank();
        assertThat(r.json().path("meta").path("version").asText()).as(r.text()).isEqualTo(etag);
        return etag;
    }

    private static JsonNode readUser(String id) {
        ApiClient.Response r = api.get(USERS + "/" + id, org.token());
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        return r.json();
    }

    private static JsonNode readGroup(String id) {
        ApiClient.Response r = api.get(GROUPS + "/" + id, org.token());
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        return r.json();
    }

    private static List<String> memberIds(JsonNode group) {
        List<String> out = new ArrayList<>();
        group.path("members").forEach(m -> out.add(m.path("value").asText()));
        return out;
    }

    /** The number n of a tag W/"n". */
    private static String bare(String etag) {
        return etag.replace("W/", "").replace("\"", "");
    }

    private static void assertPreconditionFailed(ApiClient.Response r) {
        assertScimError(r, 412, null);
    }

    @Test
    void everySingleUserResponseCarriesTheVersionAsETag() {
        ApiClient.Response created = api.post(USERS, org.token(), userBody(newUserName(), "One"));
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        String v1 = assertETagMatchesBody(created);
        assertThat(v1).isEqualTo("W/\"1\"");
        String id = created.json().path("id").asText();

        ApiClient.Response read = api.get(USERS + "/" + id, org.token());
        assertThat(assertETagMatchesBody(read)).isEqualTo(v1);

        String userName = created.json().path("userName").asText();
        ApiClient.Response put = api.put(USERS + "/" + id, org.token(), userBody(userName, "Two"));
        assertThat(put.status()).as(put.text()).isEqualTo(200);
        String v2 = assertETagMatchesBody(put);
        assertThat(v2).isNotEqualTo(v1);

        ApiClient.Response patch = api.patch(USERS + "/" + id, org.token(),
                patchOps("{\"op\":\"replace\",\"path\":\"title\",\"value\":\"Three\"}"));
        assertThat(patch.status()).as(patch.text()).isEqualTo(200);
        String v3 = assertETagMatchesBody(patch);
        assertThat(v3).isNotIn(v1, v2);

        assertThat(assertETagMatchesBody(api.get(USERS + "/" + id, org.token()))).isEqualTo(v3);
        ApiClient.Response projected = api.get(USERS + "/" + id + "?attributes=userName", org.token());
        assertThat(projected.header("ETag")).isEqualTo(v3);
    }

    @Test
    void everySingleGroupResponseCarriesTheVersionAsETag() {
        String member = api.createUser(org, userBody(newUserName(), "m")).path("id").asText();
        String name = "ETag Group " + SEQ.incrementAndGet();
        ApiClient.Response created = api.post(GROUPS, org.token(), groupBody(name));
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        String v1 = assertETagMatchesBody(created);
        String id = created.json().path("id").asText();

        assertThat(assertETagMatchesBody(api.get(GROUPS + "/" + id, org.token()))).isEqualTo(v1);
        assertThat(api.get(GROUPS + "/" + id + "?excludedAttributes=members", org.token()).header("ETag")).isEqualTo(v1);

        ApiClient.Response put = api.put(GROUPS + "/" + id, org.token(), groupBody(name + " renamed", member));
        assertThat(put.status()).as(put.text()).isEqualTo(200);
        String v2 = assertETagMatchesBody(put);
        assertThat(v2).isNotEqualTo(v1);

        ApiClient.Response patch = api.patch(GROUPS + "/" + id, org.token(),
                patchOps("{\"op\":\"remove\",\"path\":\"members\"}"));
        assertThat(patch.status()).as(patch.text()).isEqualTo(204);
        String v3 = patch.header("ETag");
        assertThat(v3).isNotBlank().isNotIn(v1, v2);
        assertThat(assertETagMatchesBody(api.get(GROUPS + "/" + id, org.token()))).isEqualTo(v3);

        ApiClient.Response patchWithBody = api.patch(GROUPS + "/" + id + "?attributes=displayName,meta", org.token(),
                patchOps("{\"op\":\"replace\",\"path\":\"displayName\",\"value\":\"" + name + " again\"}"));
        assertThat(patchWithBody.status()).as(patchWithBody.text()).isEqualTo(200);
        String v4 = assertETagMatchesBody(patchWithBody);
        assertThat(v4).isNotIn(v1, v2, v3);
    }

    @Test
    void ifNoneMatchOnGet() {
        String id = api.createUser(org, userBody(newUserName(), "x")).path("id").asText();
        String current = readUser(id).path("meta").path("version").asText();

        ApiClient.Response same = send(HttpMethod.GET, USERS + "/" + id, null, "If-None-Match", current);
        assertThat(same.status()).isEqualTo(304);
        assertThat(same.text()).isNullOrEmpty();
        assertThat(same.header("ETag")).isEqualTo(current);

        ApiClient.Response strong = send(HttpMethod.GET, USERS + "/" + id, null, "If-None-Match", "\"" + bare(current) + "\"");
        assertThat(strong.status()).isEqualTo(304);
        assertThat(strong.text()).isNullOrEmpty();

        api.patch(USERS + "/" + id, org.token(), patchOps("{\"op\":\"replace\",\"path\":\"title\",\"value\":\"y\"}"));
        ApiClient.Response old = send(HttpMethod.GET, USERS + "/" + id, null, "If-None-Match", current);
        assertThat(old.status()).as(old.text()).isEqualTo(200);
        assertThat(old.json().path("title").asText()).isEqualTo("y");
        assertThat(old.header("ETag")).isNotEqualTo(current).isEqualTo(old.json().path("meta").path("version").asText());

        String gid = api.post(GROUPS, org.token(), groupBody("ETag INM " + SEQ.incrementAndGet())).json().path("id").asText();
        String gv = readGroup(gid).path("meta").path("version").asText();
        ApiClient.Response g304 = send(HttpMethod.GET, GROUPS + "/" + gid, null, "If-None-Match", gv);
        assertThat(g304.status()).isEqualTo(304);
        assertThat(g304.text()).isNullOrEmpty();
        ApiClient.Response g200 = send(HttpMethod.GET, GROUPS + "/" + gid, null, "If-None-Match", "W/\"999\"");
        assertThat(g200.status()).isEqualTo(200);
        assertThat(g200.json().path("id").asText()).isEqualTo(gid);
    }

    /** RFC 9110 §13.1.1: a read whose If-Match names no current version is a 412; "*" or the version is a 200. */
    @Test
    void ifMatchOnGetAndHead() {
        String id = api.createUser(org, userBody(newUserName(), "x")).path("id").asText();
        String gid = api.post(GROUPS, org.token(), groupBody("ETag IM " + SEQ.incrementAndGet())).json().path("id").asText();
        for (String path : List.of(USERS + "/" + id, GROUPS + "/" + gid)) {
            String current = api.get(path, org.token()).json().path("meta").path("version").asText();
            for (HttpMethod method : List.of(HttpMethod.GET, HttpMethod.HEAD)) {
                ApiClient.Response stale = send(method, path, null, "If-Match", "W/\"999\"");
                assertThat(stale.status()).as(method + " " + path + ": " + stale.text()).isEqualTo(412);
                if (method == HttpMethod.GET) {
                    assertPreconditionFailed(stale);
                }
                for (String condition : List.of(current, "\"" + bare(current) + "\"", "*", "W/\"999\", " + current)) {
                    ApiClient.Response ok = send(method, path, null, "If-Match", condition);
                    assertThat(ok.status()).as(method + " " + path + " If-Match: " + condition).isEqualTo(200);
                    assertThat(ok.header("ETag")).isEqualTo(current);
                }
            }
            // If-Match is evaluated first (RFC 9110 §13.2.2): a stale one is a 412 even when If-None-Match would give 304.
            HttpRequest<Buffer> both = raw.request(HttpMethod.GET, port, "localhost", path)
                    .putHeader("Authorization", "Bearer " + org.token())
                    .putHeader("If-Match", "W/\"999\"").putHeader("If-None-Match", current);
            assertThat(ApiClient.await(both.send()).statusCode()).isEqualTo(412);
        }
        assertScimError(send(HttpMethod.GET, USERS + "/" + UUID.randomUUID(), null, "If-Match", "*"), 404, null);
    }

    @Test
    void staleIfMatchIsRefusedForUsers() {
        String userName = newUserName();
        String id = api.createUser(org, userBody(userName, "original")).path("id").asText();
        String old = readUser(id).path("meta").path("version").asText();
        api.patch(USERS + "/" + id, org.token(), patchOps("{\"op\":\"replace\",\"path\":\"title\",\"value\":\"second\"}"));
        JsonNode before = readUser(id);

        assertPreconditionFailed(send(HttpMethod.PUT, USERS + "/" + id, userBody(userName, "put"), "If-Match", old));
        assertPreconditionFailed(send(HttpMethod.PATCH, USERS + "/" + id,
                patchOps("{\"op\":\"replace\",\"path\":\"title\",\"value\":\"patch\"}"), "If-Match", old));
        assertPreconditionFailed(send(HttpMethod.DELETE, USERS + "/" + id, null, "If-Match", old));
        assertPreconditionFailed(send(HttpMethod.PATCH, USERS + "/" + id,
                patchOps("{\"op\":\"replace\",\"path\":\"title\",\"value\":\"patch\"}"), "If-Match", "\"" + bare(old) + "\""));

        JsonNode after = readUser(id);
        assertThat(after).isEqualTo(before);
        assertThat(after.path("title").asText()).isEqualTo("second");
    }

    @Test
    void currentVersionInIfMatchSucceedsForUsers() {
        String userName = newUserName();
        String id = api.createUser(org, userBody(userName, "a")).path("id").asText();

        String v = readUser(id).path("meta").path("version").asText();
        ApiClient.Response put = send(HttpMethod.PUT, USERS + "/" + id, userBody(userName, "b"), "If-Match", v);
        assertThat(put.status()).as(put.text()).isEqualTo(200);
        assertThat(put.json().path("title").asText()).isEqualTo("b");

        String weak = put.header("ETag");
        ApiClient.Response patchWeak = send(HttpMethod.PATCH, USERS + "/" + id,
                patchOps("{\"op\":\"replace\",\"path\":\"title\",\"value\":\"c\"}"), "If-Match", weak);
        assertThat(patchWeak.status()).as(patchWeak.text()).isEqualTo(200);

        String strong = "\"" + bare(patchWeak.header("ETag")) + "\"";
        ApiClient.Response patchStrong = send(HttpMethod.PATCH, USERS + "/" + id,
                patchOps("{\"op\":\"replace\",\"path\":\"title\",\"value\":\"d\"}"), "If-Match", strong);
        assertThat(patchStrong.status()).as(patchStrong.text()).isEqualTo(200);

        ApiClient.Response star = send(HttpMethod.PUT, USERS + "/" + id, userBody(userName, "e"), "If-Match", "*");
        assertThat(star.status()).as(star.text()).isEqualTo(200);
        ApiClient.Response starPatch = send(HttpMethod.PATCH, USERS + "/" + id,
                patchOps("{\"op\":\"replace\",\"path\":\"title\",\"value\":\"f\"}"), "If-Match", "*");
        assertThat(starPatch.status()).as(starPatch.text()).isEqualTo(200);
        assertThat(readUser(id).path("title").asText()).isEqualTo("f");

        String last = readUser(id).path("meta").path("version").asText();
        ApiClient.Response del = send(HttpMethod.DELETE, USERS + "/" + id, null, "If-Match", "\"" + bare(last) + "\"");
        assertThat(del.status()).as(del.text()).isEqualTo(204);
        assertThat(api.get(USERS + "/" + id, org.token()).status()).isEqualTo(404);

        String other = api.createUser(org, userBody(newUserName(), "z")).path("id").asText();
        ApiClient.Response delStar = send(HttpMethod.DELETE, USERS + "/" + other, null, "If-Match", "*");
        assertThat(delStar.status()).as(delStar.text()).isEqualTo(204);
        String third = api.createUser(org, userBody(newUserName(), "z")).path("id").asText();
        ApiClient.Response delWeak = send(HttpMethod.DELETE, USERS + "/" + third, null, "If-Match",
                readUser(third).path("meta").path("version").asText());
        assertThat(delWeak.status()).as(delWeak.text()).isEqualTo(204);
    }

    @Test
    void staleIfMatchIsRefusedForGroupsAndNoMemberIsAdded() {
        String a = api.createUser(org, userBody(newUserName(), "a")).path("id").asText();
        String b = api.createUser(org, userBody(newUserName(), "b")).path("id").asText();
        String name = "ETag Stale " + SEQ.incrementAndGet();
        String g = api.post(GROUPS, org.token(), groupBody(name, a)).json().path("id").asText();
        String old = readGroup(g).path("meta").path("version").asText();
        api.patch(GROUPS + "/" + g, org.token(), patchOps("{\"op\":\"replace\",\"path\":\"displayName\",\"value\":\""
                + name + " v2\"}"));
        JsonNode before = readGroup(g);

        ApiClient.Response add = send(HttpMethod.PATCH, GROUPS + "/" + g,
                patchOps("{\"op\":\"add\",\"path\":\"members\",\"value\":[{\"value\":\"" + b + "\"}]}"), "If-Match", old);
        assertPreconditionFailed(add);
        assertThat(memberIds(readGroup(g))).containsExactly(a);
        JsonNode bUser = readUser(b);
        assertThat(bUser.path("groups").isMissingNode() || bUser.path("groups").isEmpty()).as(bUser.toString()).isTrue();

        assertPreconditionFailed(send(HttpMethod.PUT, GROUPS + "/" + g, groupBody(name + " put", b), "If-Match", old));
        assertPreconditionFailed(send(HttpMethod.DELETE, GROUPS + "/" + g, null, "If-Match", old));

        JsonNode after = readGroup(g);
        assertThat(after).isEqualTo(before);
        assertThat(after.path("displayName").asText()).isEqualTo(name + " v2");
    }

    @Test
    void currentVersionInIfMatchSucceedsForGroups() {
        String a = api.createUser(org, userBody(newUserName(), "a")).path("id").asText();
        String b = api.createUser(org, userBody(newUserName(), "b")).path("id").asText();
        String name = "ETag Current " + SEQ.incrementAndGet();
        String g = api.post(GROUPS, org.token(), groupBody(name)).json().path("id").asText();

        String v = readGroup(g).path("meta").path("version").asText();
        ApiClient.Response add = send(HttpMethod.PATCH, GROUPS + "/" + g,
                patchOps("{\"op\":\"add\",\"path\":\"members\",\"value\":[{\"value\":\"" + a + "\"}]}"), "If-Match", v);
        assertThat(add.status()).as(add.text()).isEqualTo(204);

        String strong = "\"" + bare(add.header("ETag")) + "\"";
        ApiClient.Response addStrong = send(HttpMethod.PATCH, GROUPS + "/" + g,
                patchOps("{\"op\":\"add\",\"path\":\"members\",\"value\":[{\"value\":\"" + b + "\"}]}"), "If-Match", strong);
        assertThat(addStrong.status()).as(addStrong.text()).isEqualTo(204);
        assertThat(memberIds(readGroup(g))).containsExactlyInAnyOrder(a, b);

        ApiClient.Response put = send(HttpMethod.PUT, GROUPS + "/" + g, groupBody(name, a), "If-Match", "*");
        assertThat(put.status()).as(put.text()).isEqualTo(200);
        assertThat(memberIds(put.json())).containsExactly(a);

        ApiClient.Response putWeak = send(HttpMethod.PUT, GROUPS + "/" + g, groupBody(name, b), "If-Match", put.header("ETag"));
        assertThat(putWeak.status()).as(putWeak.text()).isEqualTo(200);
        assertThat(memberIds(readGroup(g))).containsExactly(b);

        ApiClient.Response del = send(HttpMethod.DELETE, GROUPS + "/" + g, null, "If-Match", putWeak.header("ETag"));
        assertThat(del.status()).as(del.text()).isEqualTo(204);
        assertThat(api.get(GROUPS + "/" + g, org.token()).status()).isEqualTo(404);
    }

    /**
     * RFC 9110 §13.1.2: on a write, If-None-Match is false for a resource that exists when it lists
     * "*" or the current version; the answer is 412 and nothing changes. A create has nothing to match.
     */
    @Test
    void ifNoneMatchOnAWriteOfAUserThatExistsIsRefused() {
        String userName = newUserName();
        ApiClient.Response created = send(HttpMethod.POST, USERS, userBody(userName, "kept"), "If-None-Match", "*");
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        String id = created.json().path("id").asText();
        JsonNode before = readUser(id);
        String current = before.path("meta").path("version").asText();
        String patch = patchOps("{\"op\":\"replace\",\"path\":\"title\",\"value\":\"changed\"}");
        for (String condition : List.of("*", current, "\"" + bare(current) + "\"", "W/\"999\", " + current)) {
            ApiClient.Response put = send(HttpMethod.PUT, USERS + "/" + id, userBody(userName, "changed"), "If-None-Match", condition);
            assertPreconditionFailed(put);
            assertThat(put.json().path("detail").asText()).contains("If-None-Match");
            assertPreconditionFailed(send(HttpMethod.PATCH, USERS + "/" + id, patch, "If-None-Match", condition));
            assertPreconditionFailed(send(HttpMethod.DELETE, USERS + "/" + id, null, "If-None-Match", condition));
        }
        assertThat(readUser(id)).isEqualTo(before);

        ApiClient.Response other = send(HttpMethod.PATCH, USERS + "/" + id, patch, "If-None-Match", "W/\"999\"");
        assertThat(other.status()).as(other.text()).isEqualTo(200);
        assertThat(other.json().path("title").asText()).isEqualTo("changed");
        ApiClient.Response stale = send(HttpMethod.DELETE, USERS + "/" + id, null, "If-None-Match", current);
        assertThat(stale.status()).as(stale.text()).isEqualTo(204);
        assertScimError(send(HttpMethod.PUT, USERS + "/" + id, userBody(userName, "again"), "If-None-Match", "*"), 404, null);
    }

    @Test
    void ifNoneMatchOnAWriteOfAGroupThatExistsIsRefused() {
        String member = api.createUser(org, userBody(newUserName(), "m")).path("id").asText();
        String name = "ETag INM write " + SEQ.incrementAndGet();
        ApiClient.Response created = send(HttpMethod.POST, GROUPS, groupBody(name), "If-None-Match", "*");
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        String id = created.json().path("id").asText();
        JsonNode before = readGroup(id);
        String current = before.path("meta").path("version").asText();
        String addMember = patchOps("{\"op\":\"add\",\"path\":\"members\",\"value\":[{\"value\":\"" + member + "\"}]}");
        String rename = patchOps("{\"op\":\"replace\",\"path\":\"displayName\",\"value\":\"" + name + " renamed\"}");
        for (String condition : List.of("*", current)) {
            assertPreconditionFailed(send(HttpMethod.PUT, GROUPS + "/" + id, groupBody(name + " put", member),
                    "If-None-Match", condition));
            assertPreconditionFailed(send(HttpMethod.PATCH, GROUPS + "/" + id, addMember, "If-None-Match", condition));
            assertPreconditionFailed(send(HttpMethod.PATCH, GROUPS + "/" + id, rename, "If-None-Match", condition));
            assertPreconditionFailed(send(HttpMethod.DELETE, GROUPS + "/" + id, null, "If-None-Match", condition));
        }
        assertThat(readGroup(id)).isEqualTo(before);

        ApiClient.Response other = send(HttpMethod.PATCH, GROUPS + "/" + id, addMember, "If-None-Match", "W/\"999\"");
        assertThat(other.status()).as(other.text()).isEqualTo(204);
        assertThat(memberIds(readGroup(id))).containsExactly(member);
    }
}
