package io.hanzo.kms.scim.it;

import static io.hanzo.kms.scim.it.ScimChecks.CORE;
import static io.hanzo.kms.scim.it.ScimChecks.ENTERPRISE;
import static io.hanzo.kms.scim.it.ScimChecks.USERS;
import static io.hanzo.kms.scim.it.ScimChecks.assertListResponse;
import static io.hanzo.kms.scim.it.ScimChecks.patchOps;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** attributes and excludedAttributes (RFC 7644 §3.4.2.5, §3.9) on reads and on write responses. */
@ExtendWith(VertxExtension.class)
class AttributesIT {
    private static final String GROUPS = TestOrg.SCIM + "/Groups";
    private static final String GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";
    private static final AtomicInteger SEQ = new AtomicInteger();

    private static ApiClient client;
    private static ScimChecks api;
    private static TestOrg org;

    @BeforeAll
    static void start(Vertx vertx) {
        client = new ApiClient(vertx, TestServer.shared().port());
        api = new ScimChecks(client);
        org = TestOrg.create(client, "Attributes");
    }

    @AfterAll
    static void stop() {
        client.close();
    }

    /** A full user body with name, emails, phone numbers and the enterprise extension. */
    private static String fullUser(String userName) {
        return """
                {"schemas":["%s","%s"],"userName":"%s","externalId":"ext-%s","displayName":"Full User",
                 "name":{"givenName":"Grace","familyName":"Hopper","middleName":"Brewster"},
                 "title":"Rear Admiral","active":true,
                 "emails":[{"value":"%s","type":"work","primary":true},{"value":"home.%s","type":"home"}],
                 "phoneNumbers":[{"value":"+1 555 0100","type":"work"}],
                 "%s":{"department":"Navy","employeeNumber":"701"}}
                """.formatted(CORE, ENTERPRISE, userName, userName, userName, userName, ENTERPRISE);
    }

    private static String newUserName() {
        return "attr.user." + SEQ.incrementAndGet() + "@example.com";
    }

    private static String createFullUser() {
        return api.createUser(org, fullUser(newUserName())).path("id").asText();
    }

    /** Three full users of the organisation, named {@code <prefix>0@example.com} and on; their ids. */
    private static List<String> createFullUsers(TestOrg in, String prefix) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(api.createUser(in, fullUser(prefix + i + "@example.com")).path("id").asText());
        }
        return ids;
    }

    private static JsonNode getUser(String id, String query) {
        ApiClient.Response r = api.get(USERS + "/" + id + query, org.token());
        assertThat(r.status()).as("%s: %s", query, r.text()).isEqualTo(200);
        return r.json();
    }

    private static String attrs(String names) {
        return "?attributes=" + ApiClient.encode(names);
    }

    private static String excluded(String names) {
        return "?excludedAttributes=" + ApiClient.encode(names);
    }

    private static List<String> keys(JsonNode o) {
        List<String> out = new ArrayList<>();
        o.fieldNames().forEachRemaining(out::add);
        return out;
    }

    /** schemas, id and userName: what {@code attributes=userName} leaves of a user. */
    private static void assertOnlyUserName(JsonNode user, String id) {
        assertThat(keys(user)).as(user.toString()).containsExactlyInAnyOrder("schemas", "id", "userName");
        assertThat(user.path("id").asText()).isEqualTo(id);
        assertThat(user.path("schemas").isArray()).isTrue();
        assertThat(user.path("userName").asText()).isNotBlank();
    }

    @Test
    void attributesUserNameOnGet() {
        String id = createFullUser();
        assertOnlyUserName(getUser(id, attrs("userName")), id);
        assertOnlyUserName(getUser(id, attrs("USERNAME")), id);
        assertOnlyUserName(getUser(id, attrs(CORE + ":userName")), id);
    }

    @Test
    void idIsReturnedEvenWhenNotAsked() {
        String id = createFullUser();
        JsonNode u = getUser(id, attrs("title"));
        assertThat(u.path("id").asText()).isEqualTo(id);
        assertThat(u.path("title").asText()).isEqualTo("Rear Admiral");
        assertThat(u.has("name")).isFalse();
        assertThat(u.has("emails")).isFalse();
        assertThat(u.has(ENTERPRISE)).isFalse();
    }

    @Test
    void subAttributeOfAComplexAttribute() {
        String id = createFullUser();
        JsonNode u = getUser(id, attrs("name.givenName"));
        assertThat(u.path("id").asText()).isEqualTo(id);
        assertThat(keys(u.path("name"))).containsExactly("givenName");
        assertThat(u.path("name").path("givenName").asText()).isEqualTo("Grace");
        assertThat(keys(u)).doesNotContain("emails", "phoneNumbers", "title", "displayName", "meta", ENTERPRISE,
                "externalId", "active");
    }

    @Test
    void subAttributeOfAMultiValuedAttribute() {
        String id = createFullUser();
        JsonNode u = getUser(id, attrs("emails.value"));
        assertThat(u.path("emails").size()).isEqualTo(2);
        List<String> values = new ArrayList<>();
        for (JsonNode e : u.path("emails")) {
            assertThat(keys(e)).as(e.toString()).containsExactly("value");
            values.add(e.path("value").asText());
        }
        assertThat(values).hasSize(2).allMatch(v -> v.contains("attr.user."));
        assertThat(keys(u)).doesNotContain("name", "phoneNumbers", "meta");
    }

    @Test
    void severalAttributesAtOnce() {
        String id = createFullUser();
        JsonNode u = getUser(id, attrs("userName,name.familyName,emails"));
        assertThat(keys(u)).containsExactlyInAnyOrder("schemas", "id", "userName", "name", "emails");
        assertThat(keys(u.path("name"))).containsExactly("familyName");
        assertThat(u.path("emails").get(0).path("type").asText()).isEqualTo("work");
        assertThat(u.path("emails").get(0).path("primary").asBoolean()).isTrue();
    }

    @Test
    void excludedAttributesRemoveFromTheDefaultSet() {
        String id = createFullUser();
        JsonNode full = getUser(id, "");
        JsonNode u = getUser(id, excluded("emails,name"));
        assertThat(u.has("emails")).isFalse();
        assertThat(u.has("name")).isFalse();
        assertThat(u.path("id").asText()).isEqualTo(id);
        assertThat(u.path("userName").asText()).isEqualTo(full.path("userName").asText());
        assertThat(u.path("title").asText()).isEqualTo("Rear Admiral");
        assertThat(u.path("phoneNumbers")).isEqualTo(full.path("phoneNumbers"));
        assertThat(u.path(ENTERPRISE)).isEqualTo(full.path(ENTERPRISE));
        assertThat(u.path("meta")).isEqualTo(full.path("meta"));
    }

    @Test
    void excludedSubAttribute() {
        String id = createFullUser();
        JsonNode u = getUser(id, excluded("name.middleName,emails.type"));
        assertThat(keys(u.path("name"))).containsExactlyInAnyOrder("givenName", "familyName");
        for (JsonNode e : u.path("emails")) {
            assertThat(e.has("type")).as(e.toString()).isFalse();
            assertThat(e.has("value")).isTrue();
        }
    }

    /** A value whose only sub-attributes are excluded is left out, as unassigned, not sent as {}. */
    @Test
    void excludingEverySubAttributeOfAValueLeavesItOut() {
        String id = createFullUser();
        JsonNode u = getUser(id, excluded("phoneNumbers.value,phoneNumbers.type,name.givenName,name.familyName,name.middleName"));
        assertThat(u.has("phoneNumbers")).as(u.toString()).isFalse();
        assertThat(u.has("name")).as(u.toString()).isFalse();
        JsonNode emails = getUser(id, excluded("emails.type,emails.primary")).path("emails");
        assertThat(emails.size()).isEqualTo(2);
        emails.forEach(e -> assertThat(keys(e)).containsExactly("value"));
    }

    @Test
    void excludingIdOrUserNameStillReturnsThem() {
        String id = createFullUser();
        JsonNode u = getUser(id, excluded("id"));
        assertThat(u.path("id").asText()).isEqualTo(id);
        assertThat(u.has("name")).isTrue();
        JsonNode v = getUser(id, excluded("userName,id"));
        assertThat(v.path("id").asText()).isEqualTo(id);
        assertThat(v.path("userName").asText()).startsWith("attr.user.");
    }

    @Test
    void urnQualifiedExtensionAttribute() {
        String id = createFullUser();
        JsonNode u = getUser(id, attrs(ENTERPRISE + ":department"));
        assertThat(u.path("id").asText()).isEqualTo(id);
        assertThat(keys(u.path(ENTERPRISE))).containsExactly("department");
        assertThat(u.path(ENTERPRISE).path("department").asText()).isEqualTo("Navy");
        assertThat(keys(u)).doesNotContain("name", "emails", "title", "meta");

        JsonNode without = getUser(id, excluded(ENTERPRISE + ":department"));
        assertThat(without.path(ENTERPRISE).has("department")).isFalse();
        assertThat(without.path(ENTERPRISE).path("employeeNumber").asText()).isEqualTo("701");
        assertThat(without.path("name").path("givenName").asText()).isEqualTo("Grace");
    }

    /** The representation without one of its members. */
    private static JsonNode without(JsonNode resource, String key) {
        ObjectNode copy = resource.deepCopy();
        copy.remove(key);
        return copy;
    }

    @Test
    void extensionNamedByItsUrnIsTheWholeExtension() {
        String id = createFullUser();
        JsonNode full = getUser(id, "");

        JsonNode only = getUser(id, attrs(ENTERPRISE));
        assertThat(keys(only)).as(only.toString()).containsExactlyInAnyOrder("schemas", "id", "userName", ENTERPRISE);
        assertThat(only.path(ENTERPRISE)).isEqualTo(full.path(ENTERPRISE));
        assertThat(getUser(id, attrs(ENTERPRISE.toLowerCase()))).isEqualTo(only);

        JsonNode withTitle = getUser(id, attrs(ENTERPRISE + ",title"));
        assertThat(keys(withTitle)).as(withTitle.toString())
                .containsExactlyInAnyOrder("schemas", "id", "userName", "title", ENTERPRISE);
        assertThat(withTitle.path(ENTERPRISE)).isEqualTo(full.path(ENTERPRISE));
        assertThat(getUser(id, attrs(ENTERPRISE + "," + ENTERPRISE + ":department"))).isEqualTo(only);

        assertThat(getUser(id, excluded(ENTERPRISE))).isEqualTo(without(full, ENTERPRISE));
        JsonNode alsoEmails = getUser(id, excluded("emails," + ENTERPRISE));
        assertThat(alsoEmails).isEqualTo(without(without(full, ENTERPRISE), "emails"));
    }

    @Test
    void coreSchemaNamedByItsUrnIsEverythingOutsideTheExtensions() {
        String id = createFullUser();
        JsonNode full = getUser(id, "");

        assertThat(getUser(id, attrs(CORE))).isEqualTo(without(full, ENTERPRISE));
        assertThat(getUser(id, attrs(CORE + "," + ENTERPRISE))).isEqualTo(full);

        JsonNode noCore = getUser(id, excluded(CORE));
        assertThat(keys(noCore)).as(noCore.toString()).containsExactlyInAnyOrder("schemas", "id", "userName", ENTERPRISE);
        assertThat(noCore.path("userName")).isEqualTo(full.path("userName"));
        assertThat(noCore.path(ENTERPRISE)).isEqualTo(full.path(ENTERPRISE));
        assertThat(getUser(id, excluded(CORE + "," + ENTERPRISE))).isEqualTo(getUser(id, attrs("userName")));
    }

    @Test
    void urnQualifiedSubAttributes() {
        String managerId = createFullUser();
        String body = fullUser(newUserName()).replace("\"employeeNumber\":\"701\"",
                "\"employeeNumber\":\"702\",\"manager\":{\"value\":\"" + managerId + "\"}");
        String id = api.createUser(org, body).path("id").asText();
        JsonNode full = getUser(id, "");
        assertThat(full.path(ENTERPRISE).path("manager").path("value").asText()).as(full.toString()).isEqualTo(managerId);

        JsonNode managerValue = getUser(id, attrs(ENTERPRISE + ":manager.value"));
        assertThat(keys(managerValue)).containsExactlyInAnyOrder("schemas", "id", "userName", ENTERPRISE);
        assertThat(keys(managerValue.path(ENTERPRISE))).containsExactly("manager");
        assertThat(keys(managerValue.path(ENTERPRISE).path("manager"))).containsExactly("value");
        assertThat(managerValue.path(ENTERPRISE).path("manager").path("value").asText()).isEqualTo(managerId);
        ObjectNode coreAndManager = (ObjectNode) without(full, ENTERPRISE);
        coreAndManager.set(ENTERPRISE, managerValue.path(ENTERPRISE));
        assertThat(getUser(id, attrs(CORE + "," + ENTERPRISE + ":manager.value"))).isEqualTo(coreAndManager);

        JsonNode givenName = getUser(id, attrs(CORE + ":name.givenName"));
        assertThat(keys(givenName)).containsExactlyInAnyOrder("schemas", "id", "userName", "name");
        assertThat(keys(givenName.path("name"))).containsExactly("givenName");

        JsonNode noManagerValue = getUser(id, excluded(ENTERPRISE + ":manager.value," + CORE + ":name.givenName"));
        assertThat(noManagerValue.path(ENTERPRISE).path("manager").has("value")).isFalse();
        assertThat(noManagerValue.path(ENTERPRISE).path("department").asText()).isEqualTo("Navy");
        assertThat(keys(noManagerValue.path("name"))).containsExactlyInAnyOrder("familyName", "middleName");
    }

    @Test
    void schemaUrnsInListsAndSearches() {
        TestOrg own = TestOrg.create(client, "Attributes-urns");
        List<String> ids = createFullUsers(own, "urn.");
        ApiClient.Response listed = api.get(USERS + attrs(ENTERPRISE), own.token());
        assertThat(listed.status()).as(listed.text()).isEqualTo(200);
        String search = "{\"attributes\":[\"" + ENTERPRISE + "\"],\"filter\":\"userName sw \\\"urn.\\\"\"}";
        ApiClient.Response searched = api.post(USERS + "/.search", own.token(), search);
        assertThat(searched.status()).as(searched.text()).isEqualTo(200);
        ApiClient.Response atRoot = api.post(TestOrg.SCIM + "/.search", own.token(), search);
        assertThat(atRoot.status()).as(atRoot.text()).isEqualTo(200);
        for (ApiClient.Response r : List.of(listed, searched, atRoot)) {
            assertListResponse(r);
            assertThat(ScimChecks.ids(r.json())).containsExactlyInAnyOrderElementsOf(ids);
            for (JsonNode u : r.json().path("Resources")) {
                assertThat(keys(u)).as(u.toString()).containsExactlyInAnyOrder("schemas", "id", "userName", ENTERPRISE);
                assertThat(u.path(ENTERPRISE).path("department").asText()).isEqualTo("Navy");
            }
        }

        ApiClient.Response withoutExtension = api.post(USERS + "/.search", own.token(),
                "{\"excludedAttributes\":[\"" + ENTERPRISE + "\"]}");
        assertThat(withoutExtension.status()).as(withoutExtension.text()).isEqualTo(200);
        assertThat(withoutExtension.json().path("totalResults").asInt()).isEqualTo(3);
        for (JsonNode u : withoutExtension.json().path("Resources")) {
            assertThat(u.has(ENTERPRISE)).as(u.toString()).isFalse();
            assertThat(u.path("title").asText()).isEqualTo("Rear Admiral");
        }
    }

    @Test
    void unknownNamesAreIgnored() {
        String id = createFullUser();
        JsonNode full = getUser(id, "");

        assertOnlyUserName(getUser(id, attrs("userName,noSuchThing")), id);
        assertOnlyUserName(getUser(id, attrs("userName,urn:acme:unknown:1.0:User:thing")), id);
        assertOnlyUserName(getUser(id, attrs("userName,name.noSuchPart")), id);

        assertThat(getUser(id, excluded("noSuchThing"))).isEqualTo(full);
        JsonNode partly = getUser(id, excluded("emails,noSuchThing"));
        assertThat(partly.has("emails")).isFalse();
        assertThat(partly.has("name")).isTrue();

        // Unknown names alone still replace the default set: what is always returned is left.
        assertOnlyUserName(getUser(id, attrs("noSuchThing")), id);
        assertOnlyUserName(getUser(id, attrs("noSuchThing,,urn:acme:unknown:1.0:User")), id);

        ApiClient.Response list = api.get(USERS + attrs("noSuchThing,userName"), org.token());
        assertThat(list.status()).as(list.text()).isEqualTo(200);
    }

    @Test
    void aNameListedAgainCountsOnceAndTheListIsBounded() {
        String id = createFullUser();
        assertOnlyUserName(getUser(id, attrs(String.join(",", java.util.Collections.nCopies(300, "userName")))), id);
        ApiClient.Response search = api.post(USERS + "/.search", org.token(), "{\"filter\":\"id eq \\\"" + id
                + "\\\"\",\"attributes\":[" + String.join(",", java.util.Collections.nCopies(20000, "\"USERNAME\"")) + "]}");
        assertThat(search.status()).as(search.text()).isEqualTo(200);
        assertOnlyUserName(search.json().path("Resources").get(0), id);

        StringBuilder names = new StringBuilder();
        for (int i = 0; i <= 200; i++) {
            names.append(i == 0 ? "" : ",").append("x").append(i);
        }
        ScimChecks.assertScimError(api.get(USERS + "/" + id + attrs(names.toString()), org.token()), 400, "invalidValue");
        // On a write, the list is refused before anything is written.
        ApiClient.Response create = api.post(USERS + attrs(names.toString()), org.token(),
                "{\"userName\":\"too.many.names@example.com\"}");
        ScimChecks.assertScimError(create, 400, "invalidValue");
        assertThat(api.get(USERS + "?filter=" + ApiClient.encode("userName eq \"too.many.names@example.com\""), org.token())
                .json().path("totalResults").asInt()).isZero();
        ApiClient.Response patch = api.patch(USERS + "/" + id + "?excludedAttributes=" + ApiClient.encode(names.toString()),
                org.token(), ScimChecks.patchOps("{\"op\":\"replace\",\"path\":\"title\",\"value\":\"Not Written\"}"));
        ScimChecks.assertScimError(patch, 400, "invalidValue");
        assertThat(api.get(USERS + "/" + id, org.token()).json().path("title").asText()).isNotEqualTo("Not Written");
        ScimChecks.assertScimError(api.post(ScimChecks.GROUPS + attrs(names.toString()), org.token(),
                "{\"displayName\":\"Too Many Names\"}"), 400, "invalidValue");
    }

    @Test
    void listAppliesTheProjectionToEveryResource() {
        TestOrg own = TestOrg.create(client, "Attributes-list");
        List<String> ids = createFullUsers(own, "list.");

        ApiClient.Response r = api.get(USERS + attrs("userName"), own.token());
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertListResponse(r);
        assertThat(r.json().path("totalResults").asInt()).isEqualTo(3);
        for (JsonNode u : r.json().path("Resources")) {
            assertThat(keys(u)).as(u.toString()).containsExactlyInAnyOrder("schemas", "id", "userName");
        }
        assertThat(ScimChecks.ids(r.json())).containsExactlyInAnyOrderElementsOf(ids);

        ApiClient.Response ex = api.get(USERS + excluded("emails,name") + "&filter="
                + ApiClient.encode("userName sw \"list.\""), own.token());
        assertThat(ex.status()).as(ex.text()).isEqualTo(200);
        assertThat(ex.json().path("totalResults").asInt()).isEqualTo(3);
        for (JsonNode u : ex.json().path("Resources")) {
            assertThat(u.has("emails")).isFalse();
            assertThat(u.has("name")).isFalse();
            assertThat(u.has("id")).isTrue();
            assertThat(u.path("title").asText()).isEqualTo("Rear Admiral");
        }

        ApiClient.Response sub = api.get(USERS + attrs("name.givenName," + ENTERPRISE + ":department"), own.token());
        for (JsonNode u : sub.json().path("Resources")) {
            assertThat(keys(u.path("name"))).containsExactly("givenName");
            assertThat(keys(u.path(ENTERPRISE))).containsExactly("department");
            assertThat(u.has("emails")).isFalse();
        }
    }

    @Test
    void postResponseHonoursAttributes() {
        ApiClient.Response r = api.post(USERS + attrs("userName"), org.token(), fullUser(newUserName()));
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        String id = r.json().path("id").asText();
        assertOnlyUserName(r.json(), id);
        assertThat(r.header("Location")).endsWith("/Users/" + id);
        assertThat(getUser(id, "").path("name").path("givenName").asText()).isEqualTo("Grace");

        ApiClient.Response ex = api.post(USERS + excluded("emails,name"), org.token(), fullUser(newUserName()));
        assertThat(ex.status()).as(ex.text()).isEqualTo(201);
        assertThat(ex.json().has("emails")).isFalse();
        assertThat(ex.json().has("name")).isFalse();
        assertThat(ex.json().path("title").asText()).isEqualTo("Rear Admiral");
        assertThat(ex.json().has("meta")).isTrue();
    }

    @Test
    void putResponseHonoursAttributes() {
        String userName = newUserName();
        String id = api.createUser(org, fullUser(userName)).path("id").asText();
        String replacement = fullUser(userName).replace("\"Rear Admiral\"", "\"Commodore\"");

        ApiClient.Response r = api.put(USERS + "/" + id + attrs("title"), org.token(), replacement);
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(keys(r.json())).containsExactlyInAnyOrder("schemas", "id", "userName", "title");
        assertThat(r.json().path("title").asText()).isEqualTo("Commodore");

        ApiClient.Response ex = api.put(USERS + "/" + id + excluded("emails,name"), org.token(), replacement);
        assertThat(ex.status()).as(ex.text()).isEqualTo(200);
        assertThat(ex.json().has("emails")).isFalse();
        assertThat(ex.json().has("name")).isFalse();
        assertThat(ex.json().path(ENTERPRISE).path("department").asText()).isEqualTo("Navy");
    }

    @Test
    void patchResponseHonoursAttributes() {
        String id = createFullUser();
        String body = patchOps("{\"op\":\"replace\",\"path\":\"name.givenName\",\"value\":\"Amazing\"}");

        ApiClient.Response r = api.patch(USERS + "/" + id + attrs("name.givenName"), org.token(), body);
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(keys(r.json())).containsExactlyInAnyOrder("schemas", "id", "userName", "name");
        assertThat(keys(r.json().path("name"))).containsExactly("givenName");
        assertThat(r.json().path("name").path("givenName").asText()).isEqualTo("Amazing");

        ApiClient.Response ex = api.patch(USERS + "/" + id + excluded("emails,name"), org.token(),
                patchOps("{\"op\":\"replace\",\"path\":\"title\",\"value\":\"Admiral\"}"));
        assertThat(ex.status()).as(ex.text()).isEqualTo(200);
        assertThat(ex.json().has("emails")).isFalse();
        assertThat(ex.json().has("name")).isFalse();
        assertThat(ex.json().path("title").asText()).isEqualTo("Admiral");
        assertThat(getUser(id, "").path("name").path("familyName").asText()).isEqualTo("Hopper");
    }

    private static List<String> users(int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(api.createUser(org, ScimChecks.user(newUserName())).path("id").asText());
        }
        return out;
    }

    private static String createGroup(String displayName, List<String> members) {
        StringBuilder m = new StringBuilder();
        for (String id : members) {
            m.append(m.length() == 0 ? "" : ",").append("{\"value\":\"").append(id).append("\"}");
        }
        ApiClient.Response r = api.post(GROUPS, org.token(), "{\"schemas\":[\"" + GROUP_SCHEMA + "\"],\"displayName\":\""
                + displayName + "\",\"externalId\":\"gx-" + displayName.hashCode() + "\",\"members\":[" + m + "]}");
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        return r.json().path("id").asText();
    }

    private static JsonNode getGroup(String id, String query) {
        ApiClient.Response r = api.get(GROUPS + "/" + id + query, org.token());
        assertThat(r.status()).as("%s: %s", query, r.text()).isEqualTo(200);
        return r.json();
    }

    private static List<String> memberIds(JsonNode group) {
        List<String> out = new ArrayList<>();
        group.path("members").forEach(m -> out.add(m.path("value").asText()));
        return out;
    }

    @Test
    void groupMembersExcludedAndIncluded() {
        List<String> members = users(3);
        String g = createGroup("Attr Group " + SEQ.incrementAndGet(), members);

        JsonNode full = getGroup(g, "");
        assertThat(memberIds(full)).containsExactlyInAnyOrderElementsOf(members);

        JsonNode noMembers = getGroup(g, excluded("members"));
        assertThat(noMembers.has("members")).isFalse();
        assertThat(noMembers.path("id").asText()).isEqualTo(g);
        assertThat(noMembers.path("displayName").asText()).isEqualTo(full.path("displayName").asText());
        assertThat(noMembers.has("meta")).isTrue();

        JsonNode onlyName = getGroup(g, attrs("displayName"));
        assertThat(keys(onlyName)).containsExactlyInAnyOrder("schemas", "id", "displayName");

        JsonNode onlyMembers = getGroup(g, attrs("members"));
        assertThat(keys(onlyMembers)).containsExactlyInAnyOrder("schemas", "id", "members");
        assertThat(memberIds(onlyMembers)).containsExactlyInAnyOrderElementsOf(members);

        JsonNode excludedId = getGroup(g, excluded("id,members"));
        assertThat(excludedId.path("id").asText()).isEqualTo(g);
        assertThat(excludedId.has("members")).isFalse();

        JsonNode unknown = getGroup(g, attrs("displayName,noSuchThing"));
        assertThat(keys(unknown)).containsExactlyInAnyOrder("schemas", "id", "displayName");
        // A user's attribute asked of a group (as a root search asks both types) leaves the members out.
        assertThat(keys(getGroup(g, attrs("userName")))).containsExactlyInAnyOrder("schemas", "id");
    }

    @Test
    void groupSchemaNamedByItsUrn() {
        List<String> members = users(2);
        String g = createGroup("Attr Group Urn " + SEQ.incrementAndGet(), members);
        JsonNode full = getGroup(g, "");

        assertThat(getGroup(g, attrs(GROUP_SCHEMA))).isEqualTo(full);
        JsonNode noCore = getGroup(g, excluded(GROUP_SCHEMA));
        assertThat(keys(noCore)).as(noCore.toString()).containsExactlyInAnyOrder("schemas", "id");

        JsonNode values = getGroup(g, attrs(GROUP_SCHEMA + ":members.value"));
        assertThat(keys(values)).containsExactlyInAnyOrder("schemas", "id", "members");
        assertThat(memberIds(values)).containsExactlyInAnyOrderElementsOf(members);
        for (JsonNode m : values.path("members")) {
            assertThat(keys(m)).as(m.toString()).containsExactly("value");
        }
        // The User's extension is no schema of a Group: an unknown name, which alone leaves what is
        // always returned.
        assertThat(keys(getGroup(g, attrs(ENTERPRISE)))).containsExactlyInAnyOrder("schemas", "id");
        assertThat(getGroup(g, attrs(ENTERPRISE + "," + GROUP_SCHEMA))).isEqualTo(full);
    }

    @Test
    void groupMemberSubAttribute() {
        List<String> members = users(2);
        String g = createGroup("Attr Group Sub " + SEQ.incrementAndGet(), members);
        JsonNode values = getGroup(g, attrs("members.value"));
        assertThat(memberIds(values)).containsExactlyInAnyOrderElementsOf(members);
        for (JsonNode m : values.path("members")) {
            assertThat(keys(m)).as(m.toString()).containsExactly("value");
        }
        assertThat(values.has("displayName")).isFalse();
    }

    @Test
    void groupListAndWriteResponses() {
        List<String> members = users(2);
        String name = "Attr Group List " + SEQ.incrementAndGet();
        String g = createGroup(name, members);

        ApiClient.Response list = api.get(GROUPS + excluded("members") + "&filter="
                + ApiClient.encode("displayName eq \"" + name + "\""), org.token());
        assertThat(list.status()).as(list.text()).isEqualTo(200);
        assertListResponse(list);
        assertThat(list.json().path("totalResults").asInt()).isEqualTo(1);
        JsonNode listed = list.json().path("Resources").get(0);
        assertThat(listed.path("id").asText()).isEqualTo(g);
        assertThat(listed.has("members")).isFalse();
        assertThat(listed.path("displayName").asText()).isEqualTo(name);

        ApiClient.Response created = api.post(GROUPS + excluded("members"), org.token(),
                "{\"schemas\":[\"" + GROUP_SCHEMA + "\"],\"displayName\":\"" + name + " B\",\"members\":[{\"value\":\""
                        + members.get(0) + "\"}]}");
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        assertThat(created.json().has("members")).isFalse();
        assertThat(created.json().path("displayName").asText()).isEqualTo(name + " B");
        String b = created.json().path("id").asText();
        assertThat(memberIds(getGroup(b, ""))).containsExactly(members.get(0));

        ApiClient.Response put = api.put(GROUPS + "/" + b + attrs("displayName"), org.token(),
                "{\"schemas\":[\"" + GROUP_SCHEMA + "\"],\"displayName\":\"" + name + " C\",\"members\":[{\"value\":\""
                        + members.get(1) + "\"}]}");
        assertThat(put.status()).as(put.text()).isEqualTo(200);
        assertThat(keys(put.json())).containsExactlyInAnyOrder("schemas", "id", "displayName");

        ApiClient.Response patched = api.patch(GROUPS + "/" + b + attrs("members"), org.token(),
                patchOps("{\"op\":\"add\",\"path\":\"members\",\"value\":[{\"value\":\"" + members.get(0) + "\"}]}"));
        assertThat(patched.status()).as(patched.text()).isEqualTo(200);
        assertThat(keys(patched.json())).containsExactlyInAnyOrder("schemas", "id", "members");
        assertThat(memberIds(patched.json())).containsExactlyInAnyOrderElementsOf(members);
    }
}
