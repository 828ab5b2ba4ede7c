package io.hanzo.kms.scim.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import io.hanzo.kms.scim.store.pg.DatabaseTarget;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;

/**
 * A group of 100,000 members loaded from the database by a freshly started server, then grown by one
 * PATCH of 1,000 members and read back in full.
 */
@ExtendWith(VertxExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GroupsScaleIT {
    private static final String GROUPS = TestOrg.SCIM + "/Groups";
    private static final String USERS = TestOrg.SCIM + "/Users";
    private static final int LOADED_MEMBERS = 100_000;
    private static final int ADDED_MEMBERS = 1_000;
    private static final String GROUP_NAME = "CN=Everyone,OU=Scale,DC=corp";

    private static TestOrg org;
    private static UUID orgId;
    private static UUID groupId;
    private static List<String> oldSample;
    private static List<String> newIds;
    private static TestServer server;
    private static ApiClient client;

    @BeforeAll
    static void setUp(Vertx vertx) throws Exception {
        ApiClient sharedClient = new ApiClient(vertx, TestServer.shared().port());
        try {
            org = TestOrg.create(sharedClient, "GroupsScale");
        } finally {
            sharedClient.close();
        }
        orgId = UUID.fromString(org.id());
        groupId = UUID.randomUUID();

        try (Connection c = connect()) {
            c.setAutoCommit(false);
            insertUsers(c, "u", LOADED_MEMBERS);
            insertUsers(c, "n", ADDED_MEMBERS);
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO scim_groups (org_id, id, display_name, external_id, attributes, version, created_at, updated_at) "
                            + "VALUES (?, ?, ?, 'scale-ext', jsonb_build_object('displayName', ?::text, 'externalId', 'scale-ext'), "
                            + "1, now(), now())")) {
                ps.setObject(1, orgId);
                ps.setObject(2, groupId);
                ps.setString(3, GROUP_NAME);
                ps.setString(4, GROUP_NAME);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO scim_group_members (org_id, group_id, user_id) "
                            + "SELECT org_id, ?, id FROM scim_users WHERE org_id = ? AND user_name LIKE 'u%'")) {
                ps.setObject(1, groupId);
                ps.setObject(2, orgId);
                assertThat(ps.executeUpdate()).isEqualTo(LOADED_MEMBERS);
            }
            c.commit();
            oldSample = ids(c, "SELECT id FROM scim_users WHERE org_id = ? AND user_name IN "
                    + "('u1@x.com', 'u2@x.com', 'u50000@x.com', 'u99999@x.com', 'u100000@x.com') ORDER BY user_name");
            newIds = ids(c, "SELECT id FROM scim_users WHERE org_id = ? AND user_name LIKE 'n%' ORDER BY user_name");
        }
        assertThat(oldSample).hasSize(5);
        assertThat(newIds).hasSize(ADDED_MEMBERS);

        server = TestServer.start();
        client = new ApiClient(vertx, server.port());
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.stop();
        }
        if (orgId != null) {
            try (Connection c = connect()) {
                for (String table : List.of("scim_group_members", "scim_groups", "scim_users")) {
                    try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table + " WHERE org_id = ?")) {
                        ps.setObject(1, orgId);
                        ps.executeUpdate();
                    }
                }
            }
        }
    }

    @Test
    @Order(1)
    void restartedServerServesTheLoadedGroupWithoutMembersWhenExcluded() {
        ApiClient.Response r = client.get(GROUPS + "/" + groupId + "?excludedAttributes=members", org.token());
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        JsonNode g = r.json();
        assertThat(g.has("members")).isFalse();
        assertThat(g.path("id").asText()).isEqualTo(groupId.toString());
        assertThat(g.path("displayName").asText()).isEqualTo(GROUP_NAME);
        assertThat(g.path("externalId").asText()).isEqualTo("scale-ext");
        assertThat(g.path("meta").path("version").asText()).isEqualTo("W/\"1\"");
        assertThat(r.header("ETag")).isEqualTo("W/\"1\"");

        JsonNode byOldMember = listOk("excludedAttributes=members&filter="
                + ApiClient.encode("members[value eq \"" + oldSample.get(2) + "\"]"));
        assertThat(byOldMember.path("totalResults").asInt()).isEqualTo(1);
        assertThat(byOldMember.path("Resources").get(0).path("id").asText()).isEqualTo(groupId.toString());
        assertThat(byOldMember.path("Resources").get(0).has("members")).isFalse();

        JsonNode byNewUser = listOk("excludedAttributes=members&filter="
                + ApiClient.encode("members.value eq \"" + newIds.get(0) + "\""));
        assertThat(byNewUser.path("totalResults").asInt()).isZero();

        JsonNode byName = listOk("excludedAttributes=members&filter=" + ApiClient.encode("displayName eq \"" + GROUP_NAME + "\""));
        assertThat(byName.path("totalResults").asInt()).isEqualTo(1);
        assertThat(byName.path("Resources").get(0).has("members")).isFalse();
    }

    @Test
    @Order(2)
    void oneThousandMembersAreAddedInOnePatch() throws SQLException {
        StringBuilder value = new StringBuilder("[");
        for (int i = 0; i < newIds.size(); i++) {
            value.append(i > 0 ? "," : "").append("{\"value\":\"").append(newIds.get(i)).append("\"}");
        }
        value.append(']');
        ApiClient.Response r = client.patch(GROUPS + "/" + groupId, org.token(),
                "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"],"
                        + "\"Operations\":[{\"op\":\"add\",\"path\":\"members\",\"value\":" + value + "}]}");
        assertThat(r.status()).as(r.text()).isEqualTo(204);
        assertThat(r.text()).isNullOrEmpty();
        assertThat(r.header("ETag")).isEqualTo("W/\"2\"");

        ApiClient.Response light = client.get(GROUPS + "/" + groupId + "?excludedAttributes=members", org.token());
        assertThat(light.status()).as(light.text()).isEqualTo(200);
        assertThat(light.json().has("members")).isFalse();
        assertThat(light.json().path("displayName").asText()).isEqualTo(GROUP_NAME);
        assertThat(light.json().path("meta").path("version").asText()).isEqualTo("W/\"2\"");

        try (Connection c = connect();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT count(*) FROM scim_group_members WHERE org_id = ? AND group_id = ?")) {
            ps.setObject(1, orgId);
            ps.setObject(2, groupId);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getLong(1)).isEqualTo(LOADED_MEMBERS + ADDED_MEMBERS);
            }
        }
    }

    @Test
    @Order(3)
    void fullReadStreamsEveryMemberOnce() throws IOException {
        ApiClient.Response r = client.get(GROUPS + "/" + groupId, org.token());
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Type")).startsWith("application/scim+json");
        MemberScan scan = scan(r.text());

        assertThat(scan.id).isEqualTo(groupId.toString());
        assertThat(scan.displayName).isEqualTo(GROUP_NAME);
        assertThat(scan.metaVersion).isEqualTo("W/\"2\"");
        assertThat(scan.entries).isEqualTo(LOADED_MEMBERS + ADDED_MEMBERS);
        assertThat(scan.values).hasSize(LOADED_MEMBERS + ADDED_MEMBERS);
        assertThat(scan.values).containsAll(oldSample).containsAll(newIds);
        assertThat(scan.badEntries).as("members without type User or a matching $ref").isZero();
        assertThat(scan.withoutDisplay).as("members without display").isZero();
    }

    @Test
    @Order(4)
    void memberFilterFindsTheGroupByANewlyAddedMember() {
        for (String member : List.of(newIds.get(0), newIds.get(ADDED_MEMBERS / 2), newIds.get(ADDED_MEMBERS - 1))) {
            JsonNode found = listOk("filter=" + ApiClient.encode("members[value eq \"" + member + "\"]")
                    + "&excludedAttributes=members");
            assertThat(found.path("totalResults").asInt()).isEqualTo(1);
            JsonNode g = found.path("Resources").get(0);
            assertThat(g.path("id").asText()).isEqualTo(groupId.toString());
            assertThat(g.has("members")).isFalse();
        }
    }

    @Test
    @Order(5)
    void usersShowTheGroupInTheirGroups() {
        for (String user : List.of(newIds.get(7), oldSample.get(0))) {
            ApiClient.Response r = client.get(USERS + "/" + user, org.token());
            assertThat(r.status()).as(r.text()).isEqualTo(200);
            JsonNode groups = r.json().path("groups");
            assertThat(groups.size()).isEqualTo(1);
            assertThat(groups.get(0).path("value").asText()).isEqualTo(groupId.toString());
            assertThat(groups.get(0).path("display").asText()).isEqualTo(GROUP_NAME);
            assertThat(groups.get(0).path("type").asText()).isEqualTo("direct");
            assertThat(groups.get(0).path("$ref").asText()).isEqualTo(server.baseUrl() + GROUPS + "/" + groupId);
        }
    }

    @Test
    @Order(6)
    void removingOneMemberOfTheBigGroupTouchesOnlyThatMember() {
        String leaver = oldSample.get(1);
        ApiClient.Response r = client.patch(GROUPS + "/" + groupId, org.token(),
                "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"],"
                        + "\"Operations\":[{\"op\":\"remove\",\"path\":\"members[value eq \\\"" + leaver + "\\\"]\"}]}");
        assertThat(r.status()).as(r.text()).isEqualTo(204);

        JsonNode byLeaver = listOk("excludedAttributes=members&filter=" + ApiClient.encode("members[value eq \"" + leaver + "\"]"));
        assertThat(byLeaver.path("totalResults").asInt()).isZero();
        JsonNode byStayer = listOk("excludedAttributes=members&filter=" + ApiClient.encode("members[value eq \"" + oldSample.get(3) + "\"]"));
        assertThat(byStayer.path("totalResults").asInt()).isEqualTo(1);
        ApiClient.Response user = client.get(USERS + "/" + leaver, org.token());
        assertThat(user.status()).isEqualTo(200);
        assertThat(user.json().path("groups").size()).isZero();
    }

    private static JsonNode listOk(String query) {
        ApiClient.Response r = client.get(GROUPS + "?" + query, org.token());
        assertThat(r.status()).as(query + " -> " + r.text()).isEqualTo(200);
        return r.json();
    }

    /** What a streaming read of one group document found. */
    private static final class MemberScan {
        String id;
        String displayName;
        String metaVersion;
        int entries;
        int badEntries;
        int withoutDisplay;
        final Set<String> values = new HashSet<>();
    }

    private static MemberScan scan(String json) throws IOException {
        MemberScan out = new MemberScan();
        String usersUrl = server.baseUrl() + USERS + "/";
        try (JsonParser p = new JsonFactory().createParser(json)) {
            assertThat(p.nextToken()).isEqualTo(JsonToken.START_OBJECT);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                switch (field) {
                    case "id" -> out.id = p.getText();
                    case "displayName" -> out.displayName = p.getText();
                    case "meta" -> {
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String name = p.currentName();
                            p.nextToken();
                            if (name.equals("version")) {
                                out.metaVersion = p.getText();
                            }
                            p.skipChildren();
                        }
                    }
                    case "members" -> {
                        assertThat(t).isEqualTo(JsonToken.START_ARRAY);
                        while (p.nextToken() == JsonToken.START_OBJECT) {
                            String value = null;
                            String ref = null;
                            String type = null;
                            String display = null;
                            while (p.nextToken() == JsonToken.FIELD_NAME) {
                                String name = p.currentName();
                                p.nextToken();
                                switch (name) {
                                    case "value" -> value = p.getText();
                                    case "$ref" -> ref = p.getText();
                                    case "type" -> type = p.getText();
                                    case "display" -> display = p.getText();
                                    default -> p.skipChildren();
                                }
                            }
                            out.entries++;
                            if (value != null) {
                                out.values.add(value);
                            }
                            if (value == null || !"User".equals(type) || !(usersUrl + value).equals(ref)) {
                                out.badEntries++;
                            }
                            if (display == null || display.isEmpty()) {
                                out.withoutDisplay++;
                            }
                        }
                    }
                    default -> p.skipChildren();
                }
            }
            assertThat(p.nextToken()).as("nothing after the document").isNull();
        }
        return out;
    }

    private static void insertUsers(Connection c, String prefix, int count) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO scim_users (org_id, id, user_name, external_id, active, attributes, version, created_at, updated_at) "
                        + "SELECT ?, md5(?::text || n)::uuid, ?::text || n || '@x.com', NULL, true, "
                        + "jsonb_build_object('userName', ?::text || n || '@x.com', 'active', true), 1, now(), now() "
                        + "FROM generate_series(1, ?) AS n")) {
            ps.setObject(1, orgId);
            ps.setString(2, orgId + ":" + prefix + ":");
            ps.setString(3, prefix);
            ps.setString(4, prefix);
            ps.setInt(5, count);
            assertThat(ps.executeUpdate()).isEqualTo(count);
        }
    }

    private static List<String> ids(Connection c, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, orgId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getObject(1, UUID.class).toString());
                }
            }
        }
        return out;
    }

    private static Connection connect() throws SQLException {
        DatabaseTarget db = TestServer.database();
        Properties props = new Properties();
        props.setProperty("user", db.user());
        if (db.password() != null) {
            props.setProperty("password", db.password());
        }
        return DriverManager.getConnection(db.jdbcUrl(), props);
    }
}
