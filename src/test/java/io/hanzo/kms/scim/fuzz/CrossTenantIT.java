package io.hanzo.kms.scim.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.hanzo.kms.scim.chaos.PlainHttp;
import io.hanzo.kms.scim.it.TestServer;
import io.hanzo.kms.scim.store.pg.DatabaseTarget;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * One organisation's SCIM token against another organisation's ids, names, filters and member ids, on
 * every SCIM endpoint, and the admin API's organisation-scoped paths with ids of the wrong
 * organisation: nothing of the other organisation is read, nothing changed.
 */
class CrossTenantIT {
    private static final String SCIM = "/api/v1/scim";
    private static final String ORGS = "/api/v1/organizations";
    private static final String PATCH_OP = "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"],\"Operations\":[%s]}";

    private PlainHttp http;
    private final List<String> leaks = new ArrayList<>();

    /** Organisation B's secrets: a response to A that contains any of them is a leak. */
    private record Victim(String orgId, String token, String tokenId, List<String> userIds, String groupId,
                          List<String> userNames, List<String> externalIds) {
        List<String> secrets() {
            List<String> all = new ArrayList<>(userIds);
            all.add(groupId);
            all.addAll(userNames);
            all.addAll(externalIds);
            all.add("B Secret Group");
            all.add(tokenId);
            return all;
        }
    }

    @Test
    void anotherOrganisationsTokenReadsAndChangesNothing() throws Exception {
        ScimFuzzIT.initialise();
        http = new PlainHttp(TestServer.shared().baseUrl());
        ScimFuzzIT.Fixture a = ScimFuzzIT.fixture("tenant A");
        Victim b = victim();
        String aToken = a.token();
        String aTokenId = extraToken(a.orgId());

        try (OrgState bState = new OrgState(http, b.orgId(), b.token())) {
            OrgState.Snapshot before = bState.take();

            // Resources by B's ids.
            for (String id : b.userIds()) {
                expectRefused("GET", SCIM + "/Users/" + id, aToken, null, 404);
                expectRefused("PUT", SCIM + "/Users/" + id, aToken, "{\"userName\":\"taken.over@a.example\"}", 404);
                expectRefused("PATCH", SCIM + "/Users/" + id, aToken,
                        PATCH_OP.formatted("{\"op\":\"replace\",\"path\":\"active\",\"value\":false}"), 404);
                expectRefused("DELETE", SCIM + "/Users/" + id, aToken, null, 404);
            }
            expectRefused("GET", SCIM + "/Groups/" + b.groupId(), aToken, null, 404);
            expectRefused("PUT", SCIM + "/Groups/" + b.groupId(), aToken, "{\"displayName\":\"Taken\",\"members\":[]}", 404);
            expectRefused("PATCH", SCIM + "/Groups/" + b.groupId(), aToken,
                    PATCH_OP.formatted("{\"op\":\"remove\",\"path\":\"members\"}"), 404);
            expectRefused("DELETE", SCIM + "/Groups/" + b.groupId(), aToken, null, 404);

            // Filters on B's values find nothing, on every list and search endpoint.
            List<String> filters = new ArrayList<>();
            for (int i = 0; i < b.userNames().size(); i++) {
                filters.add("userName eq \"" + b.userNames().get(i) + "\"");
                filters.add("emails.value eq \"" + b.userNames().get(i) + "\"");
                filters.add("emails[type eq \"work\" and value eq \"" + b.userNames().get(i) + "\"]");
                filters.add("externalId eq \"" + b.externalIds().get(i) + "\"");
                filters.add("id eq \"" + b.userIds().get(i) + "\"");
            }
            filters.add("userName sw \"b-secret\"");
            filters.add("emails.value co \"b.example\"");
            filters.add("userName pr");
            for (String f : filters) {
                expectNothingOfB(b, "GET", SCIM + "/Users?filter=" + PlainHttp.encode(f), aToken, null);
                expectNothingOfB(b, "POST", SCIM + "/Users/.search", aToken, search(f));
                expectNothingOfB(b, "POST", SCIM + "/.search", aToken, search(f));
            }
            for (String f : List.of("displayName eq \"B Secret Group\"", "displayName co \"Secret\"", "id eq \"" + b.groupId() + "\"",
                    "members.value eq \"" + b.userIds().get(0) + "\"", "externalId eq \"b-group-ext\"")) {
                expectNothingOfB(b, "GET", SCIM + "/Groups?filter=" + PlainHttp.encode(f), aToken, null);
                expectNothingOfB(b, "POST", SCIM + "/Groups/.search", aToken, search(f));
            }
            expectNothingOfB(b, "GET", SCIM + "/Users?count=1000", aToken, null);
            expectNothingOfB(b, "GET", SCIM + "/Groups?count=1000", aToken, null);

            // B's users as members of A's groups: never added.
            String members = "[{\"value\":\"" + b.userIds().get(0) + "\"},{\"value\":\"" + b.userIds().get(1) + "\"}]";
            PlainHttp.Response created = send("POST", SCIM + "/Groups", aToken,
                    "{\"displayName\":\"A with B members\",\"members\":" + members + "}");
            String aGroup2 = created.status() == 201 ? created.json().path("id").asText() : null;
            send("PATCH", SCIM + "/Groups/" + a.groupId(), aToken,
                    PATCH_OP.formatted("{\"op\":\"add\",\"path\":\"members\",\"value\":" + members + "}"));
            send("PUT", SCIM + "/Groups/" + a.groupId(), aToken,
                    "{\"displayName\":\"Fixture group\",\"members\":" + members + "}");
            send("PATCH", SCIM + "/Groups/" + a.groupId(), aToken,
                    PATCH_OP.formatted("{\"op\":\"remove\",\"path\":\"members[value eq \\\"" + b.userIds().get(2) + "\\\"]\"}"));

            // Bulk operations aimed at B's resources.
            String bulk = "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:BulkRequest\"],\"Operations\":["
                    + "{\"method\":\"PUT\",\"path\":\"/Users/" + b.userIds().get(0) + "\",\"data\":{\"userName\":\"bulk.takeover@a.example\"}},"
                    + "{\"method\":\"PATCH\",\"path\":\"/Users/" + b.userIds().get(1) + "\",\"data\":"
                    + PATCH_OP.formatted("{\"op\":\"replace\",\"path\":\"active\",\"value\":false}") + "},"
                    + "{\"method\":\"DELETE\",\"path\":\"/Users/" + b.userIds().get(2) + "\"},"
                    + "{\"method\":\"PATCH\",\"path\":\"/Groups/" + b.groupId() + "\",\"data\":"
                    + PATCH_OP.formatted("{\"op\":\"remove\",\"path\":\"members\"}") + "},"
                    + "{\"method\":\"DELETE\",\"path\":\"/Groups/" + b.groupId() + "\"},"
                    + "{\"method\":\"POST\",\"path\":\"/Groups\",\"bulkId\":\"g\",\"data\":{\"displayName\":\"Bulk with B\",\"members\":"
                    + members + "}},"
                    + "{\"method\":\"PATCH\",\"path\":\"/Groups/" + a.groupId() + "\",\"data\":"
                    + PATCH_OP.formatted("{\"op\":\"add\",\"path\":\"members\",\"value\":" + members + "}") + "}]}";
            PlainHttp.Response bulkAnswer = send("POST", SCIM + "/Bulk", aToken, bulk);
            assertThat(bulkAnswer.status()).as(bulkAnswer.text()).isEqualTo(200);
            for (int i = 0; i < 5; i++) {
                assertThat(bulkAnswer.json().path("Operations").get(i).path("status").asText()).as("bulk op " + i + ": "
                        + bulkAnswer.text()).isEqualTo("404");
            }

            // The admin API: organisation-scoped paths with the other organisation's ids.
            expectAdmin("DELETE", ORGS + "/" + b.orgId() + "/scim-tokens/" + aTokenId, 404);
            expectAdmin("DELETE", ORGS + "/" + a.orgId() + "/scim-tokens/" + b.tokenId(), 404);
            expectAdmin("POST", ORGS + "/" + a.orgId() + "/members/" + b.userIds().get(0) + "/invitation", 404);
            PlainHttp.Response aMembers = http.send("GET", ORGS + "/" + a.orgId() + "/members", TestServer.ADMIN_TOKEN, null);
            assertNoSecret(b, "GET A's members", aMembers);
            PlainHttp.Response aTokens = http.send("GET", ORGS + "/" + a.orgId() + "/scim-tokens", TestServer.ADMIN_TOKEN, null);
            assertNoSecret(b, "GET A's tokens", aTokens);
            PlainHttp.Response aEvents = http.send("GET", ORGS + "/" + a.orgId() + "/scim-events?limit=1000",
                    TestServer.ADMIN_TOKEN, null);
            assertThat(aEvents.text()).as("A's events name B's users or groups only as what A asked for").doesNotContain("b-secret");
            // A SCIM token is no admin token.
            for (String path : List.of(ORGS + "/" + b.orgId(), ORGS + "/" + b.orgId() + "/members", ORGS + "/" + b.orgId() + "/scim-tokens")) {
                PlainHttp.Response r = http.send("GET", path, aToken, null);
                assertThat(r.status()).as(path + " with a SCIM token").isEqualTo(401);
            }
            // Both tokens still work: neither revocation reached across.
            assertThat(http.send("GET", SCIM + "/Users?count=0", aToken, null).status()).isEqualTo(200);
            assertThat(http.send("GET", SCIM + "/Users?count=0", b.token(), null).status()).isEqualTo(200);

            assertThat(leaks).as("responses to A that revealed B").isEmpty();
            assertThat(bState.take()).as("B's users, groups, memberships and invitations").isEqualTo(before);
            List<String> foreignMembers = membersOutside(a.orgId());
            assertThat(foreignMembers).as("A's groups hold only A's users").isEmpty();
            if (aGroup2 != null) {
                assertThat(http.send("GET", SCIM + "/Groups/" + aGroup2, aToken, null).json().path("members").size()).isZero();
            }
        }
    }

    private Victim victim() throws Exception {
        String admin = TestServer.ADMIN_TOKEN;
        PlainHttp.Response org = http.send("POST", ORGS, admin, "{\"name\":\"tenant B\",\"plan\":\"enterprise\"}");
        String orgId = org.json().path("id").asText();
        assertThat(http.send("PATCH", ORGS + "/" + orgId, admin, "{\"scimEnabled\":true}").status()).isEqualTo(200);
        PlainHttp.Response tok = http.send("POST", ORGS + "/" + orgId + "/scim-tokens", admin, "{\"description\":\"b\",\"ttlDays\":1}");
        String token = tok.json().path("token").asText();
        List<String> ids = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<String> externalIds = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String name = "b-secret-" + i + "@b.example";
            PlainHttp.Response u = http.send("POST", SCIM + "/Users", token, "{\"userName\":\"" + name + "\",\"externalId\":\"b-ext-" + i
                    + "\",\"emails\":[{\"value\":\"" + name + "\",\"type\":\"work\",\"primary\":true}]}");
            assertThat(u.status()).as(u.text()).isEqualTo(201);
            ids.add(u.json().path("id").asText());
            names.add(name);
            externalIds.add("b-ext-" + i);
        }
        PlainHttp.Response g = http.send("POST", SCIM + "/Groups", token, "{\"displayName\":\"B Secret Group\",\"externalId\":"
                + "\"b-group-ext\",\"members\":[{\"value\":\"" + ids.get(0) + "\"},{\"value\":\"" + ids.get(1) + "\"},{\"value\":\""
                + ids.get(2) + "\"}]}");
        assertThat(g.status()).as(g.text()).isEqualTo(201);
        return new Victim(orgId, token, tok.json().path("id").asText(), ids, g.json().path("id").asText(), names, externalIds);
    }

    private String extraToken(String orgId) throws Exception {
        PlainHttp.Response tok = http.send("POST", ORGS + "/" + orgId + "/scim-tokens", TestServer.ADMIN_TOKEN,
                "{\"description\":\"a2\",\"ttlDays\":1}");
        assertThat(tok.status()).as(tok.text()).isEqualTo(201);
        return tok.json().path("id").asText();
    }

    private static String search(String filter) {
        return "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:SearchRequest\"],\"filter\":\""
                + filter.replace("\\", "\\\\").replace("\"", "\\\"") + "\",\"count\":1000}";
    }

    private PlainHttp.Response send(String method, String path, String token, String body) throws Exception {
        PlainHttp.Response r = http.send(method, path, token, body);
        assertThat(r.status()).as(method + " " + path + ": " + r.text()).isLessThan(500);
        return r;
    }

    private void expectRefused(String method, String path, String token, String body, int status) throws Exception {
        PlainHttp.Response r = send(method, path, token, body);
        assertThat(r.status()).as(method + " " + path + ": " + r.text()).isEqualTo(status);
        assertThat(ScimFuzzIT.errorDocumentProblem(r)).as(method + " " + path).isNull();
    }

    private void expectNothingOfB(Victim b, String method, String path, String token, String body) throws Exception {
        PlainHttp.Response r = send(method, path, token, body);
        if (r.status() == 200) {
            for (var resource : r.json().path("Resources")) {
                if (b.userIds().contains(resource.path("id").asText()) || b.groupId().equals(resource.path("id").asText())) {
                    leaks.add(method + " " + path + " returned " + resource.path("id").asText());
                }
            }
        }
        assertNoSecret(b, method + " " + path, r);
    }

    private void assertNoSecret(Victim b, String what, PlainHttp.Response r) {
        for (String secret : b.secrets()) {
            // A 4xx may quote what the client sent (the filter); a listing must never hold B's data.
            if (r.status() < 400 && r.text() != null && r.text().contains(secret) && !what.contains(secret)
                    && !what.contains(PlainHttp.encode(secret))) {
                leaks.add(what + " revealed " + secret);
            }
        }
    }

    private void expectAdmin(String method, String path, int status) throws Exception {
        PlainHttp.Response r = http.send(method, path, TestServer.ADMIN_TOKEN, null);
        assertThat(r.status()).as(method + " " + path + ": " + r.text()).isEqualTo(status);
    }

    /** Memberships of A's groups naming a user that is not A's. */
    private static List<String> membersOutside(String orgId) throws Exception {
        DatabaseTarget db = TestServer.database();
        List<String> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
             PreparedStatement ps = c.prepareStatement("SELECT m.user_id FROM scim_group_members m LEFT JOIN scim_users u "
                     + "ON u.org_id = m.org_id AND u.id = m.user_id WHERE m.org_id = ? AND u.id IS NULL")) {
            ps.setObject(1, UUID.fromString(orgId));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }
}
