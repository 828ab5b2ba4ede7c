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
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Admin changes of one organisation sent at the same moment: every acknowledged change holds, the
 * plan's rules hold in the database, and what the API serves (on this instance and on another one)
 * is what the database holds.
 */
@ExtendWith(VertxExtension.class)
class AdminWriteRacesIT {
    private static final String ORGS = "/api/v1/organizations";
    private static final String ADMIN = TestServer.ADMIN_TOKEN;
    /** Conflicting requests sent together this many times per test. */
    private static final int PAIRS = 30;

    private static ApiClient api;
    private static TestServer second;
    private static ApiClient other;

    @BeforeAll
    static void start(Vertx vertx) {
        api = new ApiClient(vertx, TestServer.shared().port());
        second = TestServer.start();
        other = new ApiClient(vertx, second.port());
    }

    @AfterAll
    static void stop() {
        api.close();
        other.close();
        second.stop();
    }

    /** An organisation's row and role mappings as the database holds them. */
    private record Stored(String plan, boolean scimEnabled, String defaultRole, Map<String, String> mappings) {
    }

    /** The same as the API serves it. */
    private static Stored served(ApiClient client, String orgId) {
        ApiClient.Response org = client.get(ORGS + "/" + orgId, ADMIN);
        assertThat(org.status()).as(org.text()).isEqualTo(200);
        ApiClient.Response mappings = client.get(ORGS + "/" + orgId + "/group-role-mappings", ADMIN);
        assertThat(mappings.status()).as(mappings.text()).isEqualTo(200);
        return new Stored(org.json().path("plan").asText(), org.json().path("scimEnabled").booleanValue(),
                mappings.json().path("defaultRole").asText(), mappingsOf(mappings.json()));
    }

    private static Map<String, String> mappingsOf(JsonNode body) {
        Map<String, String> out = new TreeMap<>();
        body.path("mappings").forEach(m -> out.put(m.path("group").asText(), m.path("role").asText()));
        return out;
    }

    private static Stored stored(String orgId) {
        try (Connection c = MembershipDb.connect();
             PreparedStatement org = c.prepareStatement("SELECT plan, scim_enabled, default_role FROM organizations WHERE id = ?");
             PreparedStatement mappings = c.prepareStatement("SELECT group_name, role FROM group_role_mappings WHERE org_id = ?")) {
            org.setObject(1, UUID.fromString(orgId));
            mappings.setObject(1, UUID.fromString(orgId));
            Map<String, String> byGroup = new TreeMap<>();
            try (ResultSet rs = mappings.executeQuery()) {
                while (rs.next()) {
                    byGroup.put(rs.getString(1), rs.getString(2));
                }
            }
            try (ResultSet rs = org.executeQuery()) {
                assertThat(rs.next()).as("organisation %s in the database", orgId).isTrue();
                return new Stored(rs.getString(1), rs.getBoolean(2), rs.getString(3), byGroup);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The database as the test expects it, and both instances serving exactly that (the other one within the lag). */
    private static void assertEverywhere(String orgId, Stored expected, String round) {
        assertThat(stored(orgId)).as("database, %s", round).isEqualTo(expected);
        assertThat(served(api, orgId)).as("this instance, %s", round).isEqualTo(expected);
        Polling.until(Duration.ofSeconds(10), () -> assertThat(served(other, orgId)).as("other instance, %s", round)
                .isEqualTo(expected));
    }

    private static String createOrg(String name, String plan) {
        ApiClient.Response r = api.post(ORGS, ADMIN, "{\"name\":\"" + name + "\",\"plan\":\"" + plan + "\"}");
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        String id = r.json().path("id").asText();
        // The other instance knows it before the races start.
        Polling.until(Duration.ofSeconds(10), () -> assertThat(other.get(ORGS + "/" + id, ADMIN).status()).isEqualTo(200));
        return id;
    }

    private static void patch(String orgId, String body) {
        ApiClient.Response r = api.patch(ORGS + "/" + orgId, ADMIN, body);
        assertThat(r.status()).as(r.text()).isEqualTo(200);
    }

    /** Sends both requests before waiting for either, the first one first in even rounds and second in odd ones. */
    private static List<ApiClient.Response> together(int round, HttpMethod methodA, String pathA, String bodyA,
                                                     HttpMethod methodB, String pathB, String bodyB) {
        Future<ApiClient.Response> a;
        Future<ApiClient.Response> b;
        if (round % 2 == 0) {
            a = api.send(methodA, pathA, ADMIN, bodyA);
            b = api.send(methodB, pathB, ADMIN, bodyB);
        } else {
            b = api.send(methodB, pathB, ADMIN, bodyB);
            a = api.send(methodA, pathA, ADMIN, bodyA);
        }
        return List.of(ApiClient.await(a), ApiClient.await(b));
    }

    /** Sets the organisation to {@code from}, then sends both PATCHes together. */
    private static List<ApiClient.Response> patchesTogether(String orgId, int round, String from, String a, String b) {
        patch(orgId, from);
        String path = ORGS + "/" + orgId;
        return together(round, HttpMethod.PATCH, path, a, HttpMethod.PATCH, path, b);
    }

    /** The body of a 200 answer. */
    private static JsonNode ok(ApiClient.Response r, String round) {
        assertThat(r.status()).as("%s: %s", round, r.text()).isEqualTo(200);
        return r.json();
    }

    @Test
    void patchesOfDifferentFieldsSentTogetherBothHold() {
        String id = createOrg("Races: switch and plan", "pro");
        for (int i = 0; i < PAIRS; i++) {
            String round = "round " + i;
            List<ApiClient.Response> answers = patchesTogether(id, i, "{\"plan\":\"pro\",\"scimEnabled\":true}",
                    "{\"scimEnabled\":false}", "{\"plan\":\"enterprise\"}");
            assertThat(ok(answers.get(0), round).path("scimEnabled").booleanValue()).as(answers.get(0).text()).isFalse();
            assertThat(ok(answers.get(1), round).path("plan").asText()).as(answers.get(1).text()).isEqualTo("enterprise");
            assertEverywhere(id, new Stored("enterprise", false, "member", Map.of()), round);
        }
    }

    @Test
    void movingToFreeWhileScimIsSwitchedOnLeavesScimOff() {
        String id = createOrg("Races: free and switch", "pro");
        for (int i = 0; i < PAIRS; i++) {
            String round = "round " + i;
            List<ApiClient.Response> answers = patchesTogether(id, i, "{\"plan\":\"pro\",\"scimEnabled\":false}",
                    "{\"scimEnabled\":true}", "{\"plan\":\"free\"}");
            ApiClient.Response on = answers.get(0);
            JsonNode free = ok(answers.get(1), round);
            assertThat(free.path("plan").asText()).as(free.toString()).isEqualTo("free");
            assertThat(free.path("scimEnabled").booleanValue()).as(free.toString()).isFalse();
            // Before the move it is allowed (and then switched off by the move); after it, refused.
            assertThat(on.status()).as("%s: %s", round, on.text()).isIn(200, 403);
            if (on.status() == 200) {
                assertThat(on.json().path("plan").asText()).as(on.text()).isEqualTo("pro");
                assertThat(on.json().path("scimEnabled").booleanValue()).as(on.text()).isTrue();
            }
            assertEverywhere(id, new Stored("free", false, "member", Map.of()), round);
        }
    }

    @Test
    void mappingReplacementsSentTogetherLeaveOneWholeSet() {
        String id = createOrg("Races: mappings", "pro");
        String path = ORGS + "/" + id + "/group-role-mappings";
        for (int i = 0; i < PAIRS; i++) {
            String round = "round " + i;
            // Different groups in even rounds, the same group in odd ones.
            String second = i % 2 == 0 ? "Beta" : "Alpha";
            Stored alpha = new Stored("pro", false, "member", Map.of("Alpha", "admin"));
            Stored beta = new Stored("pro", false, "viewer", Map.of(second, "no-access"));
            List<ApiClient.Response> answers = together(i,
                    HttpMethod.PUT, path, "{\"defaultRole\":\"member\",\"mappings\":[{\"group\":\"Alpha\",\"role\":\"admin\"}]}",
                    HttpMethod.PUT, path, "{\"defaultRole\":\"viewer\",\"mappings\":[{\"group\":\"" + second
                            + "\",\"role\":\"no-access\"}]}");
            List<Stored> written = List.of(alpha, beta);
            for (int k = 0; k < 2; k++) {
                JsonNode answer = ok(answers.get(k), round);
                assertThat(answer.path("defaultRole").asText()).as(answer.toString()).isEqualTo(written.get(k).defaultRole());
                assertThat(mappingsOf(answer)).as(answer.toString()).isEqualTo(written.get(k).mappings());
            }
            Stored now = stored(id);
            assertThat(now).as("database, %s: one whole set, the last written", round).isIn(alpha, beta);
            assertEverywhere(id, now, round);
        }
    }

    @Test
    void theDefaultRoleFollowsTheDatabaseWhileTheOrganizationIsPatched() {
        TestOrg org = TestOrg.create(api, "Races: default role");
        Polling.until(Duration.ofSeconds(10), () -> assertThat(other.get(ORGS + "/" + org.id(), ADMIN).status()).isEqualTo(200));
        ApiClient.Response user = api.post(TestOrg.SCIM + "/Users", org.token(), ScimChecks.user("races-default-role"));
        assertThat(user.status()).as(user.text()).isEqualTo(201);
        String memberId = user.json().path("id").asText();
        String path = ORGS + "/" + org.id() + "/group-role-mappings";
        List<String> roles = List.of("viewer", "no-access", "admin", "member");
        for (int i = 0; i < PAIRS; i++) {
            String round = "round " + i;
            String role = roles.get(i % roles.size());
            String plan = i % 2 == 0 ? "pro" : "enterprise";
            List<ApiClient.Response> answers = together(i,
                    HttpMethod.PUT, path, "{\"defaultRole\":\"" + role + "\",\"mappings\":[{\"group\":\"Ops\",\"role\":\"admin\"}]}",
                    HttpMethod.PATCH, ORGS + "/" + org.id(), "{\"scimEnabled\":true,\"plan\":\"" + plan + "\"}");
            JsonNode put = ok(answers.get(0), round);
            assertThat(put.path("defaultRole").asText()).as(put.toString()).isEqualTo(role);
            JsonNode patched = ok(answers.get(1), round);
            assertThat(patched.path("plan").asText()).as(patched.toString()).isEqualTo(plan);
            assertEverywhere(org.id(), new Stored(plan, true, role, Map.of("Ops", "admin")), round);
            // The member is in no mapped group: the default role is theirs.
            assertThat(roleOf(org.id(), memberId)).as("member's role, %s", round).isEqualTo(role);
        }
    }

    private static String roleOf(String orgId, String memberId) {
        ApiClient.Response r = api.get(ORGS + "/" + orgId + "/members?limit=500", ADMIN);
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        for (JsonNode m : r.json().path("members")) {
            if (m.path("id").asText().equals(memberId)) {
                return m.path("role").asText();
            }
        }
        throw new AssertionError("Member " + memberId + " is not listed: " + r.text());
    }
}
