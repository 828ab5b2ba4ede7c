package io.hanzo.kms.scim.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/** Everything a server was told survives a restart: organisations, switches, tokens, users, groups and members. */
@ExtendWith(VertxExtension.class)
class RestartIT {
    private static final String ORGS = "/api/v1/organizations";
    private static final String ADMIN = TestServer.ADMIN_TOKEN;
    private static final String USERS = TestOrg.SCIM + "/Users";
    private static final String GROUPS = TestOrg.SCIM + "/Groups";

    private static Vertx vertx;
    private static ApiClient client;

    @BeforeAll
    static void start(Vertx v) {
        vertx = v;
        client = new ApiClient(v, TestServer.shared().port());
    }

    @AfterAll
    static void stop() {
        client.close();
    }

    private record Provisioned(String orgId, String tokenId, String token, String revokedToken, String freeOrgId,
                               Map<String, JsonNode> usersById, String groupId, List<String> memberIds,
                               String emptyGroupId) {
    }

    @Test
    void organisationsTokensAndUsersSurviveARestart() {
        Provisioned p = onServer(RestartIT::provision);
        onServer(c -> {
            verify(c, p);
            return null;
        });
    }

    /** Runs the body against a server of its own, started for it and stopped after it. */
    private static <T> T onServer(Function<ApiClient, T> body) {
        TestServer server = TestServer.start();
        try {
            ApiClient c = new ApiClient(vertx, server.port());
            try {
                return body.apply(c);
            } finally {
                c.close();
            }
        } finally {
            server.stop();
        }
    }

    /**
     * Ids PostgreSQL and {@link UUID#compareTo} order differently (a first byte with its high bit set,
     * or ids equal but for the sign of their last eight bytes) come back after a restart in the same
     * groups, and the loaded member sets still find them for a later change.
     */
    @Test
    void membershipsOfIdsInEitherOrderSurviveARestart() {
        UUID[] userIds = {
                UUID.fromString("0f000000-0000-7000-8000-000000000001"),
                UUID.fromString("f0000000-0000-7000-8000-000000000002"),
                UUID.fromString("80000000-0000-7000-8000-000000000003"),
                UUID.fromString("3a000000-0000-7000-0000-000000000004"),
                UUID.fromString("3a000000-0000-7000-8000-000000000004"),
                UUID.fromString("ffffffff-ffff-7fff-bfff-ffffffffffff"),
        };
        UUID[] groupIds = {
                UUID.fromString("c0000000-0000-7000-8000-00000000000a"),
                UUID.fromString("10000000-0000-7000-8000-00000000000b"),
                UUID.fromString("10000000-0000-7000-0000-00000000000b"),
        };
        // Which users each group holds: every user in the first group, alternate ones in the others.
        Map<UUID, List<String>> members = new LinkedHashMap<>();
        Map<UUID, List<String>> groupsOf = new LinkedHashMap<>();
        for (UUID u : userIds) {
            groupsOf.put(u, new ArrayList<>());
        }
        for (int g = 0; g < groupIds.length; g++) {
            members.put(groupIds[g], new ArrayList<>());
            for (int i = 0; i < userIds.length; i++) {
                if (g == 0 || i % 2 == g - 1) {
                    members.get(groupIds[g]).add(userIds[i].toString());
                    groupsOf.get(userIds[i]).add(groupIds[g].toString());
                }
            }
        }
        TestOrg org = onServer(c -> {
            TestOrg created = TestOrg.create(c, "Restart Order Corp");
            UUID orgId = UUID.fromString(created.id());
            try (Connection db = MembershipDb.connect()) {
                for (UUID g : groupIds) {
                    insertGroup(db, orgId, g);
                }
                for (UUID u : userIds) {
                    FeedSql.createUserAndJoin(db, orgId, u, "order-" + u + "@example.com", groupIds[0]);
                }
                for (int g = 1; g < groupIds.length; g++) {
                    for (String u : members.get(groupIds[g])) {
                        insertMembership(db, orgId, groupIds[g], UUID.fromString(u));
                    }
                }
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
            return created;
        });

        onServer(c -> {
            for (UUID g : groupIds) {
                ApiClient.Response group = c.get(GROUPS + "/" + g, org.token());
                assertThat(group.status()).as(group.text()).isEqualTo(200);
                List<String> held = new ArrayList<>();
                group.json().path("members").forEach(m -> held.add(m.path("value").asText()));
                assertThat(held).as(g.toString()).containsExactlyInAnyOrderElementsOf(members.get(g));
            }
            for (UUID u : userIds) {
                ApiClient.Response user = c.get(USERS + "/" + u, org.token());
                assertThat(user.status()).as(user.text()).isEqualTo(200);
                List<String> groups = new ArrayList<>();
                user.json().path("groups").forEach(g -> groups.add(g.path("value").asText()));
                assertThat(groups).as(u.toString()).containsExactlyInAnyOrderElementsOf(groupsOf.get(u));
            }
            // The loaded sets find each member: removing one of either order leaves the others.
            UUID gone = userIds[1];
            ApiClient.Response removed = c.patch(GROUPS + "/" + groupIds[0], org.token(), """
                    {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                     "Operations":[{"op":"remove","path":"members[value eq \\\"%s\\\"]"}]}
                    """.formatted(gone));
            assertThat(removed.status()).as(removed.text()).isIn(200, 204);
            List<String> left = new ArrayList<>();
            c.get(GROUPS + "/" + groupIds[0], org.token()).json().path("members")
                    .forEach(m -> left.add(m.path("value").asText()));
            List<String> expected = new ArrayList<>(members.get(groupIds[0]));
            expected.remove(gone.toString());
            assertThat(left).containsExactlyInAnyOrderElementsOf(expected);
            List<String> goneGroups = new ArrayList<>();
            c.get(USERS + "/" + gone, org.token()).json().path("groups")
                    .forEach(g -> goneGroups.add(g.path("value").asText()));
            List<String> expectedGroups = new ArrayList<>(groupsOf.get(gone));
            expectedGroups.remove(groupIds[0].toString());
            assertThat(goneGroups).containsExactlyInAnyOrderElementsOf(expectedGroups);
            return null;
        });
    }

    /**
     * Loading takes each user's email values out of the stored JSON in SQL, whatever shape the stored
     * emails have: none, an empty list, entries without a value, several, or (written by hand, never
     * through the API) an object or plain strings, which hold no email values.
     */
    @Test
    void emailsOfEveryStoredShapeAreFoundAfterARestart() {
        String[] emails = {
                null,
                "[]",
                "[{\"type\":\"work\"}]",
                "[{\"value\":\"Four.A@Example.com\"},{\"value\":\"four.b@example.com\",\"type\":\"home\"}]",
                "{\"value\":\"five@example.com\"}",
                "[\"six@example.com\"]",
                "[{\"value\":\"Seven@Example.com\",\"primary\":true}]",
                "[{\"value\":null},{\"value\":\"eight@example.com\"},{\"display\":\"x\"}]",
        };
        UUID[] ids = new UUID[emails.length];
        TestOrg org = onServer(c -> {
            TestOrg created = TestOrg.create(c, "Restart Emails Corp");
            UUID orgId = UUID.fromString(created.id());
            try (Connection db = MembershipDb.connect()) {
                for (int i = 0; i < emails.length; i++) {
                    ids[i] = UUID.randomUUID();
                    FeedSql.insertUser(db, orgId, ids[i], "shape" + i + "@example.com", "{\"userName\":\"shape" + i
                            + "@example.com\",\"active\":true" + (emails[i] == null ? "" : ",\"emails\":" + emails[i]) + "}");
                }
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
            return created;
        });

        onServer(c -> {
            Map<String, List<String>> expected = new LinkedHashMap<>();
            expected.put("four.a@example.com", List.of(ids[3].toString()));
            expected.put("FOUR.B@example.com", List.of(ids[3].toString()));
            expected.put("seven@example.com", List.of(ids[6].toString()));
            expected.put("eight@example.com", List.of(ids[7].toString()));
            expected.put("five@example.com", List.of());
            expected.put("six@example.com", List.of());
            for (int i = 0; i < 3; i++) {
                // A user without email values is found by userName, and by none of its own as an email.
                assertSingleMatch(c, org.token(), "userName eq \"shape" + i + "@example.com\"", ids[i].toString());
                expected.put("shape" + i + "@example.com", List.of());
            }
            expected.forEach((email, holders) -> {
                ApiClient.Response r = c.get(USERS + "?filter=" + ApiClient.encode("emails.value eq \"" + email + "\""),
                        org.token());
                assertThat(r.status()).as(email + ": " + r.text()).isEqualTo(200);
                List<String> found = new ArrayList<>();
                r.json().path("Resources").forEach(u -> found.add(u.path("id").asText()));
                assertThat(found).as(email).containsExactlyInAnyOrderElementsOf(holders);
            });
            return null;
        });
    }

    private static void insertGroup(Connection db, UUID orgId, UUID id) throws SQLException {
        String name = "Order " + id;
        try (PreparedStatement ps = db.prepareStatement("INSERT INTO scim_groups (org_id, id, display_name, attributes, "
                + "version, created_at, updated_at) VALUES (?, ?, ?, ?::jsonb, 1, date_trunc('milliseconds', now()), "
                + "date_trunc('milliseconds', now()))")) {
            ps.setObject(1, orgId);
            ps.setObject(2, id);
            ps.setString(3, name);
            ps.setString(4, "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:Group\"],\"displayName\":\"" + name + "\"}");
            ps.executeUpdate();
        }
    }

    private static void insertMembership(Connection db, UUID orgId, UUID groupId, UUID userId) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement(
                "INSERT INTO scim_group_members (org_id, group_id, user_id) VALUES (?, ?, ?)")) {
            ps.setObject(1, orgId);
            ps.setObject(2, groupId);
            ps.setObject(3, userId);
            ps.executeUpdate();
        }
    }

    private static Provisioned provision(ApiClient c) {
        ApiClient.Response org = c.post(ORGS, ADMIN, "{\"name\":\"Restart Corp\",\"plan\":\"enterprise\"}");
        assertThat(org.status()).as(org.text()).isEqualTo(201);
        String orgId = org.json().get("id").asText();
        ApiClient.Response on = c.patch(ORGS + "/" + orgId, ADMIN, "{\"scimEnabled\":true}");
        assertThat(on.status()).as(on.text()).isEqualTo(200);

        ApiClient.Response free = c.post(ORGS, ADMIN, "{\"name\":\"Restart Free\",\"plan\":\"free\"}");
        assertThat(free.status()).as(free.text()).isEqualTo(201);

        ApiClient.Response tok = c.post(ORGS + "/" + orgId + "/scim-tokens", ADMIN, "{\"description\":\"restart\",\"ttlDays\":30}");
        assertThat(tok.status()).as(tok.text()).isEqualTo(201);
        ApiClient.Response doomed = c.post(ORGS + "/" + orgId + "/scim-tokens", ADMIN, "{\"description\":\"doomed\",\"ttlDays\":0}");
        assertThat(doomed.status()).as(doomed.text()).isEqualTo(201);
        ApiClient.Response del = c.delete(ORGS + "/" + orgId + "/scim-tokens/" + doomed.json().get("id").asText(), ADMIN);
        assertThat(del.status()).as(del.text()).isEqualTo(204);
        String token = tok.json().get("token").asText();

        Map<String, JsonNode> users = new LinkedHashMap<>();
        String[][] people = {
                {"alice.restart@example.com", "Alice", "Archer", "alice.work@example.com", "true"},
                {"bob.restart@example.com", "Bob", "Baker", "bob.work@example.com", "false"},
                {"carol.restart@example.com", "Carol", "Cooper", "carol.work@example.com", "true"},
        };
        for (String[] person : people) {
            ApiClient.Response r = c.post(USERS, token, """
                    {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User",
                                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
                     "userName":"%s", "externalId":"ext-%s",
                     "name":{"givenName":"%s","familyName":"%s"},
                     "emails":[{"value":"%s","type":"work","primary":true}],
                     "active":%s,
                     "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"R&D"}}
                    """.formatted(person[0], person[1], person[1], person[2], person[3], person[4]));
            assertThat(r.status()).as(r.text()).isEqualTo(201);
            users.put(r.json().get("id").asText(), r.json());
        }

        String bobId = new ArrayList<>(users.keySet()).get(1);
        ApiClient.Response patched = c.patch(USERS + "/" + bobId, token, """
                {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                 "Operations":[{"op":"replace","path":"displayName","value":"Bobby"}]}
                """);
        assertThat(patched.status()).as(patched.text()).isEqualTo(200);
        users.put(bobId, patched.json());

        ApiClient.Response gone = c.post(USERS, token, "{\"userName\":\"deleted.restart@example.com\"}");
        assertThat(gone.status()).as(gone.text()).isEqualTo(201);
        assertThat(c.delete(USERS + "/" + gone.json().get("id").asText(), token).status()).isEqualTo(204);

        List<String> ids = new ArrayList<>(users.keySet());
        List<String> memberIds = List.of(ids.get(2), ids.get(0));
        ApiClient.Response group = c.post(GROUPS, token, """
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName":"Restart Team",
                 "members":[{"value":"%s"},{"value":"%s"}]}
                """.formatted(memberIds.get(0), memberIds.get(1)));
        assertThat(group.status()).as(group.text()).isEqualTo(201);
        ApiClient.Response empty = c.post(GROUPS, token,
                "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:Group\"], \"displayName\":\"Restart Nobody\"}");
        assertThat(empty.status()).as(empty.text()).isEqualTo(201);

        return new Provisioned(orgId, tok.json().get("id").asText(), token, doomed.json().get("token").asText(),
                free.json().get("id").asText(), users, group.json().get("id").asText(), memberIds,
                empty.json().get("id").asText());
    }

    private static void verify(ApiClient c, Provisioned p) {
        ApiClient.Response org = c.get(ORGS + "/" + p.orgId(), ADMIN);
        assertThat(org.status()).as(org.text()).isEqualTo(200);
        assertThat(org.json().path("name").asText()).isEqualTo("Restart Corp");
        assertThat(org.json().path("plan").asText()).isEqualTo("enterprise");
        assertThat(org.json().path("scimEnabled").booleanValue()).isTrue();

        ApiClient.Response free = c.get(ORGS + "/" + p.freeOrgId(), ADMIN);
        assertThat(free.status()).as(free.text()).isEqualTo(200);
        assertThat(free.json().path("plan").asText()).isEqualTo("free");
        assertThat(free.json().path("scimEnabled").booleanValue()).isFalse();

        ApiClient.Response tokens = c.get(ORGS + "/" + p.orgId() + "/scim-tokens", ADMIN);
        assertThat(tokens.status()).as(tokens.text()).isEqualTo(200);
        JsonNode list = tokens.json().path("tokens");
        assertThat(list.size()).as(tokens.text()).isEqualTo(1);
        assertThat(list.get(0).path("id").asText()).isEqualTo(p.tokenId());
        assertThat(list.get(0).path("description").asText()).isEqualTo("restart");
        assertThat(list.get(0).path("expiresAt").isTextual()).isTrue();
        assertThat(list.get(0).path("lastUsedAt").isTextual())
                .as("last use written at shut-down: " + list.get(0)).isTrue();

        ApiClient.Response revoked = c.get(USERS, p.revokedToken());
        assertThat(revoked.status()).as(revoked.text()).isEqualTo(401);

        ApiClient.Response all = c.get(USERS, p.token());
        assertThat(all.status()).as(all.text()).isEqualTo(200);
        assertThat(all.json().path("totalResults").asInt()).isEqualTo(p.usersById().size());
        List<String> listed = new ArrayList<>();
        all.json().path("Resources").forEach(u -> listed.add(u.path("id").asText()));
        assertThat(listed).containsExactlyInAnyOrderElementsOf(p.usersById().keySet());

        for (Map.Entry<String, JsonNode> e : p.usersById().entrySet()) {
            JsonNode before = e.getValue();
            ApiClient.Response get = c.get(USERS + "/" + e.getKey(), p.token());
            assertThat(get.status()).as(get.text()).isEqualTo(200);
            JsonNode after = get.json();
            assertThat(after.path("id").asText()).isEqualTo(e.getKey());
            assertThat(after.path("userName")).isEqualTo(before.path("userName"));
            assertThat(after.path("externalId")).isEqualTo(before.path("externalId"));
            assertThat(after.path("name")).isEqualTo(before.path("name"));
            assertThat(after.path("emails")).isEqualTo(before.path("emails"));
            assertThat(after.path("active")).isEqualTo(before.path("active"));
            assertThat(after.path("displayName")).isEqualTo(before.path("displayName"));
            assertThat(after.path("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"))
                    .isEqualTo(before.path("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"));
            assertThat(after.path("meta").path("created")).isEqualTo(before.path("meta").path("created"));
            assertThat(after.path("meta").path("lastModified")).isEqualTo(before.path("meta").path("lastModified"));
            assertThat(after.path("meta").path("version")).isEqualTo(before.path("meta").path("version"));
            assertThat(after.path("meta").path("location").asText()).endsWith("/api/v1/scim/Users/" + e.getKey());

            String userName = before.path("userName").asText();
            assertSingleMatch(c, p.token(), "userName eq \"" + userName + "\"", e.getKey());
            assertSingleMatch(c, p.token(), "userName eq \"" + userName.toUpperCase(java.util.Locale.ROOT) + "\"", e.getKey());
            String email = before.path("emails").get(0).path("value").asText();
            assertSingleMatch(c, p.token(), "emails.value eq \"" + email + "\"", e.getKey());
            assertSingleMatch(c, p.token(), "emails[type eq \"work\" and value eq \"" + email + "\"]", e.getKey());
        }

        ApiClient.Response deleted = c.get(USERS + "?filter=" + ApiClient.encode("userName eq \"deleted.restart@example.com\""),
                p.token());
        assertThat(deleted.json().path("totalResults").asInt()).isZero();

        ApiClient.Response group = c.get(GROUPS + "/" + p.groupId(), p.token());
        assertThat(group.status()).as(group.text()).isEqualTo(200);
        List<String> members = new ArrayList<>();
        group.json().path("members").forEach(m -> members.add(m.path("value").asText()));
        assertThat(members).containsExactlyInAnyOrderElementsOf(p.memberIds());
        for (String id : p.usersById().keySet()) {
            List<String> groups = new ArrayList<>();
            c.get(USERS + "/" + id, p.token()).json().path("groups").forEach(g -> groups.add(g.path("value").asText()));
            assertThat(groups).as(id).isEqualTo(p.memberIds().contains(id) ? List.of(p.groupId()) : List.of());
        }
        ApiClient.Response empty = c.get(GROUPS + "/" + p.emptyGroupId(), p.token());
        assertThat(empty.status()).as(empty.text()).isEqualTo(200);
        assertThat(empty.json().path("members").size()).as(empty.text()).isZero();

        ApiClient.Response duplicate = c.post(USERS, p.token(), "{\"userName\":\"ALICE.restart@example.com\"}");
        assertThat(duplicate.status()).as(duplicate.text()).isEqualTo(409);
    }

    private static void assertSingleMatch(ApiClient c, String token, String filter, String expectedId) {
        ApiClient.Response r = c.get(USERS + "?filter=" + ApiClient.encode(filter), token);
        assertThat(r.status()).as(filter + ": " + r.text()).isEqualTo(200);
        assertThat(r.json().path("totalResults").asInt()).as(filter).isEqualTo(1);
        assertThat(r.json().path("Resources").get(0).path("id").asText()).as(filter).isEqualTo(expectedId);
    }
}
