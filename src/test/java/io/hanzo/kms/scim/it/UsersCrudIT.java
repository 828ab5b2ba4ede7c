package io.hanzo.kms.scim.it;

import static io.hanzo.kms.scim.it.ScimChecks.CORE;
import static io.hanzo.kms.scim.it.ScimChecks.ENTERPRISE;
import static io.hanzo.kms.scim.it.ScimChecks.SCIM_JSON;
import static io.hanzo.kms.scim.it.ScimChecks.USERS;
import static io.hanzo.kms.scim.it.ScimChecks.assertScimError;
import static io.hanzo.kms.scim.it.ScimChecks.emails;
import static io.hanzo.kms.scim.it.ScimChecks.ids;
import static io.hanzo.kms.scim.it.ScimChecks.primaryCount;
import static io.hanzo.kms.scim.it.ScimChecks.texts;
import static io.hanzo.kms.scim.it.ScimChecks.user;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Create, read, replace and delete of /Users against the real server. */
@ExtendWith(VertxExtension.class)
class UsersCrudIT {
    private static ApiClient client;
    private static ScimChecks api;
    private static TestOrg org;

    @BeforeAll
    static void start(Vertx vertx) {
        client = new ApiClient(vertx, TestServer.shared().port());
        api = new ScimChecks(client);
        org = TestOrg.create(client, "UsersCrud");
    }

    @AfterAll
    static void stop() {
        client.close();
    }

    @Test
    void createAnswers201WithLocationEtagIdAndMeta() {
        Instant before = Instant.now().minusSeconds(5);
        ApiClient.Response r = api.post(USERS, org.token(), """
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],
                 "userName":"Create.Me@Example.com",
                 "name":{"givenName":"Create","familyName":"Me"},
                 "emails":[{"value":"create.me@example.com","type":"work","primary":true}]}
                """);
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        assertThat(r.header("Content-Type")).startsWith(SCIM_JSON);
        JsonNode body = r.json();
        String id = body.path("id").asText();
        assertThat(UUID.fromString(id).toString()).isEqualTo(id);
        String expectedLocation = TestServer.shared().baseUrl() + "/api/v1/scim/Users/" + id;
        assertThat(r.header("Location")).isEqualTo(expectedLocation);
        assertThat(r.header("ETag")).isEqualTo("W/\"1\"");
        assertThat(texts(body.path("schemas"))).containsExactly(CORE);
        assertThat(body.path("userName").asText()).isEqualTo("Create.Me@Example.com");
        assertThat(body.path("active").isBoolean()).isTrue();
        assertThat(body.path("active").asBoolean()).isTrue();

        JsonNode meta = body.path("meta");
        assertThat(meta.path("resourceType").asText()).isEqualTo("User");
        assertThat(meta.path("location").asText()).isEqualTo(expectedLocation);
        assertThat(meta.path("version").asText()).isEqualTo("W/\"1\"");
        Instant created = Instant.parse(meta.path("created").asText());
        Instant lastModified = Instant.parse(meta.path("lastModified").asText());
        assertThat(created).isAfter(before).isBefore(Instant.now().plusSeconds(5));
        assertThat(lastModified).isAfterOrEqualTo(created);

        ApiClient.Response read = api.get(USERS + "/" + id, org.token());
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.header("ETag")).isEqualTo("W/\"1\"");
        assertThat(read.header("Content-Type")).startsWith(SCIM_JSON);
        assertThat(read.json()).isEqualTo(body);
    }

    @Test
    void userNameIsUniquePerOrganisationInAnyLetterCase() {
        api.createUser(org, user("Dup.User@Example.com"));

        ApiClient.Response again = api.post(USERS, org.token(), user("dup.user@EXAMPLE.COM"));
        assertScimError(again, 409, "uniqueness");
        assertThat(again.json().path("status").asText()).isEqualTo("409");

        ApiClient.Response exact = api.post(USERS, org.token(), user("Dup.User@Example.com"));
        assertScimError(exact, 409, "uniqueness");

        JsonNode found = api.list(org, "userName eq \"dup.user@example.com\"");
        assertThat(found.path("totalResults").asInt()).isEqualTo(1);
        assertThat(found.path("Resources").get(0).path("userName").asText()).isEqualTo("Dup.User@Example.com");
    }

    /** The database refuses a repeat by lower(); a lookup must fold the same way and find the user it refused for. */
    @Test
    void aUserNameThatTheDatabaseFoldsOneWayIsFoundByIt() {
        api.createUser(org, user("\u0130stanbul.\u039f\u0394\u039f\u03a3@example.com"));

        assertScimError(api.post(USERS, org.token(), user("istanbul.\u03bf\u03b4\u03bf\u03c3@example.com")), 409, "uniqueness");
        for (String asked : List.of("istanbul.\u03bf\u03b4\u03bf\u03c3@example.com", "ISTANBUL.\u039f\u0394\u039f\u03a3@EXAMPLE.COM")) {
            JsonNode found = api.list(org, "userName eq \"" + asked + "\"");
            assertThat(found.path("totalResults").asInt()).as(asked).isEqualTo(1);
            assertThat(found.path("Resources").get(0).path("userName").asText())
                    .isEqualTo("\u0130stanbul.\u039f\u0394\u039f\u03a3@example.com");
        }
    }

    /**
     * U+A7C0 and U+A7C1 are a case pair of Unicode 14, which this JDK's tables do not have and a
     * recent C library does: whichever way the database folds them, a refused create's name finds
     * the user that holds it, and a name the database lets in finds its own user.
     */
    @Test
    void lettersTheDatabaseAndTheJdkFoldDifferentlyAreFoldedAsTheDatabaseDoes() throws Exception {
        boolean databaseFolds;
        try (java.sql.Connection c = MembershipDb.connect(); java.sql.Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery("SELECT lower(chr(42944)) = chr(42945)")) {
            rs.next();
            databaseFolds = rs.getBoolean(1);
        }
        String first = "\ua7c0nna@example.com";
        String second = "\ua7c1nna@example.com";
        String firstId = api.createUser(org, user(first)).path("id").asText();
        ApiClient.Response other = api.post(USERS, org.token(), user(second));
        if (databaseFolds) {
            assertScimError(other, 409, "uniqueness");
            for (String asked : List.of(first, second)) {
                assertThat(ids(api.list(org, "userName eq \"" + asked + "\""))).as(asked).containsExactly(firstId);
            }
        } else {
            assertThat(other.status()).as(other.text()).isEqualTo(201);
            assertThat(ids(api.list(org, "userName eq \"" + second + "\"")))
                    .containsExactly(other.json().path("id").asText());
            assertThat(ids(api.list(org, "userName eq \"" + first + "\""))).containsExactly(firstId);
        }
    }

    @Test
    void sameUserNameInAnotherOrganisationIsAccepted() {
        TestOrg other = TestOrg.create(client, "UsersCrud-other");
        JsonNode mine = api.createUser(org, user("shared.name@example.com"));
        JsonNode theirs = api.createUser(other, user("Shared.Name@example.com"));
        assertThat(theirs.path("id").asText()).isNotEqualTo(mine.path("id").asText());

        assertThat(api.get(USERS + "/" + theirs.path("id").asText(), org.token()).status()).isEqualTo(404);
        assertThat(api.get(USERS + "/" + mine.path("id").asText(), other.token()).status()).isEqualTo(404);
        assertThat(api.getUser(other, theirs.path("id").asText()).path("userName").asText())
                .isEqualTo("Shared.Name@example.com");
    }

    @Test
    void concurrentCreatesOfOneUserNameMakeExactlyOneUser() {
        List<Future<ApiClient.Response>> all = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            String name = i % 2 == 0 ? "Race.User@example.com" : "race.user@EXAMPLE.com";
            all.add(api.send(HttpMethod.POST, USERS, org.token(), user(name)));
        }
        ApiClient.await(Future.join(all));
        int created = 0;
        for (Future<ApiClient.Response> f : all) {
            ApiClient.Response r = f.result();
            if (r.status() == 201) {
                created++;
            } else {
                assertScimError(r, 409, "uniqueness");
            }
        }
        assertThat(created).isEqualTo(1);
        assertThat(api.list(org, "userName eq \"race.user@example.com\"").path("totalResults").asInt()).isEqualTo(1);
    }

    @Test
    void passwordIsNeitherReturnedNorStored() {
        String secret = "S3cret-Pa55word-that-must-not-leak";
        ApiClient.Response r = api.post(USERS, org.token(), """
                {"schemas":["%s"],"userName":"pw.user@example.com","password":"%s"}
                """.formatted(CORE, secret));
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        assertThat(r.json().has("password")).isFalse();
        assertThat(r.text()).doesNotContain(secret);
        String id = r.json().path("id").asText();

        ApiClient.Response read = api.get(USERS + "/" + id, org.token());
        assertThat(read.json().has("password")).isFalse();
        assertThat(read.text()).doesNotContain(secret);

        ApiClient.Response listed = api.get(USERS + "?filter=" + ApiClient.encode("userName eq \"pw.user@example.com\""),
                org.token());
        assertThat(listed.text()).doesNotContain(secret).doesNotContain("\"password\"");

        ApiClient.Response replaced = api.put(USERS + "/" + id, org.token(), """
                {"schemas":["%s"],"userName":"pw.user@example.com","password":"%s-2"}
                """.formatted(CORE, secret));
        assertThat(replaced.status()).as(replaced.text()).isEqualTo(200);
        assertThat(replaced.text()).doesNotContain(secret);
        assertThat(api.get(USERS + "/" + id, org.token()).text()).doesNotContain(secret);
    }

    @Test
    void readOnlyAttributesSentByTheClientAreIgnored() {
        String clientId = UUID.randomUUID().toString();
        ApiClient.Response r = api.post(USERS, org.token(), """
                {"schemas":["%s"],"id":"%s","userName":"readonly.user@example.com",
                 "groups":[{"value":"%s","display":"Admins"}],
                 "meta":{"resourceType":"Group","created":"2001-01-01T00:00:00Z","lastModified":"2001-01-01T00:00:00Z",
                         "version":"W/\\"77\\"","location":"https://evil.example.com/Users/x"}}
                """.formatted(CORE, clientId, UUID.randomUUID()));
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        JsonNode body = r.json();
        String id = body.path("id").asText();
        assertThat(id).isNotEqualTo(clientId);
        assertThat(body.has("groups")).isFalse();
        assertThat(body.path("meta").path("resourceType").asText()).isEqualTo("User");
        assertThat(body.path("meta").path("version").asText()).isEqualTo("W/\"1\"");
        assertThat(body.path("meta").path("location").asText()).endsWith("/api/v1/scim/Users/" + id);
        assertThat(Instant.parse(body.path("meta").path("created").asText()))
                .isAfter(Instant.now().minus(Duration.ofMinutes(5)));

        assertThat(api.get(USERS + "/" + clientId, org.token()).status()).isEqualTo(404);
        assertThat(api.getUser(org, id).has("groups")).isFalse();
    }

    @Test
    void unknownAttributesAreIgnored() {
        ApiClient.Response r = api.post(USERS, org.token(), """
                {"schemas":["%s","urn:acme:custom:1.0:User"],
                 "userName":"unknown.attrs@example.com",
                 "favouriteColour":"green",
                 "name":{"givenName":"Una","shoeSize":44},
                 "urn:acme:custom:1.0:User":{"badge":"X1"},
                 "emails":[{"value":"una@example.com","type":"work","label":"mine"}]}
                """.formatted(CORE));
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        JsonNode stored = api.getUser(org, r.json().path("id").asText());
        assertThat(stored.has("favouriteColour")).isFalse();
        assertThat(stored.has("urn:acme:custom:1.0:User")).isFalse();
        assertThat(texts(stored.path("schemas"))).containsExactly(CORE);
        assertThat(stored.path("name").path("givenName").asText()).isEqualTo("Una");
        assertThat(stored.path("name").has("shoeSize")).isFalse();
        assertThat(stored.path("emails").get(0).has("label")).isFalse();
        assertThat(stored.path("emails").get(0).path("value").asText()).isEqualTo("una@example.com");
    }

    @Test
    void activeFalseOnCreateIsHonoured() {
        JsonNode disabled = api.createUser(org, """
                {"schemas":["%s"],"userName":"disabled.at.birth@example.com","active":false}
                """.formatted(CORE));
        assertThat(disabled.path("active").isBoolean()).isTrue();
        assertThat(disabled.path("active").asBoolean()).isFalse();
        assertThat(api.getUser(org, disabled.path("id").asText()).path("active").asBoolean(true)).isFalse();

        JsonNode disabledAsText = api.createUser(org, """
                {"schemas":["%s"],"userName":"disabled.text@example.com","active":"False"}
                """.formatted(CORE));
        assertThat(disabledAsText.path("active").isBoolean()).isTrue();
        assertThat(disabledAsText.path("active").asBoolean()).isFalse();

        JsonNode defaulted = api.createUser(org, user("active.by.default@example.com"));
        assertThat(defaulted.path("active").asBoolean(false)).isTrue();
    }

    @Test
    void aBodyWithoutTheCoreSchemaIsReadAsTheEndpointsResource() {
        ApiClient.Response none = api.post(USERS, org.token(), """
                {"userName":"no.schemas@example.com","displayName":"No Schemas"}""");
        assertThat(none.status()).as(none.text()).isEqualTo(201);
        assertThat(texts(none.json().path("schemas"))).containsExactly(CORE);

        ApiClient.Response extensionOnly = api.post(USERS, org.token(), """
                {"schemas":["%s"],"userName":"extension.only@example.com",
                 "%s":{"department":"Ops"}}""".formatted(ENTERPRISE, ENTERPRISE));
        assertThat(extensionOnly.status()).as(extensionOnly.text()).isEqualTo(201);
        String id = extensionOnly.json().path("id").asText();
        assertThat(api.getUser(org, id).path(ENTERPRISE).path("department").asText()).isEqualTo("Ops");

        ApiClient.Response emptyList = api.put(USERS + "/" + id, org.token(), """
                {"schemas":[],"userName":"extension.only@example.com","displayName":"Put Without Schemas"}""");
        assertThat(emptyList.status()).as(emptyList.text()).isEqualTo(200);
        assertThat(api.getUser(org, id).path("displayName").asText()).isEqualTo("Put Without Schemas");
    }

    @Test
    void coreAttributesInAnObjectNamedByTheCoreSchemaAreRead() {
        ApiClient.Response nested = api.post(USERS, org.token(), """
                {"schemas":["%1$s"],"%1$s":{"userName":"core.object@example.com","active":false,
                 "emails":[{"value":"core.object@example.com","type":"work"}]},"displayName":"Core Object"}"""
                .formatted(CORE));
        assertThat(nested.status()).as(nested.text()).isEqualTo(201);
        ApiClient.Response flat = api.post(USERS, org.token(), """
                {"schemas":["%s"],"userName":"core.object@example.com.flat","active":false,
                 "emails":[{"value":"core.object@example.com","type":"work"}],"displayName":"Core Object"}"""
                .formatted(CORE));
        assertThat(flat.status()).as(flat.text()).isEqualTo(201);
        assertThat(withoutIdMetaAndUserName(nested.json())).isEqualTo(withoutIdMetaAndUserName(flat.json()));
        String id = nested.json().path("id").asText();
        assertThat(api.getUser(org, id).path("userName").asText()).isEqualTo("core.object@example.com");

        ApiClient.Response put = api.put(USERS + "/" + id, org.token(), """
                {"schemas":["%s"],"userName":"core.object@example.com",
                 "%s":{"title":"Put Inside","active":true}}""".formatted(CORE, CORE.toUpperCase()));
        assertThat(put.status()).as(put.text()).isEqualTo(200);
        JsonNode replaced = api.getUser(org, id);
        assertThat(replaced.path("title").asText()).isEqualTo("Put Inside");
        assertThat(replaced.path("active").asBoolean()).isTrue();
        assertThat(replaced.has("displayName")).isFalse();

        ApiClient.Response twice = api.put(USERS + "/" + id, org.token(), """
                {"userName":"core.object@example.com","active":false,"%s":{"ACTIVE":true}}""".formatted(CORE));
        assertScimError(twice, 400, "invalidSyntax");
        assertThat(twice.json().path("detail").asText()).contains("'active'");
        ApiClient.Response notAnObject = api.put(USERS + "/" + id, org.token(), """
                {"userName":"core.object@example.com","active":false,"%s":"Not An Object"}""".formatted(CORE));
        assertScimError(notAnObject, 400, "invalidSyntax");
        assertThat(notAnObject.json().path("detail").asText()).contains(CORE);
        JsonNode unchanged = api.getUser(org, id);
        assertThat(unchanged.path("active").asBoolean()).isTrue();
        assertThat(unchanged.path("meta").path("version")).isEqualTo(replaced.path("meta").path("version"));
    }

    private static JsonNode withoutIdMetaAndUserName(JsonNode user) {
        ObjectNode copy = user.deepCopy();
        copy.remove(List.of("id", "meta", "userName"));
        return copy;
    }

    @Test
    void aBodyThatDeclaresAnotherResourceTypeIsRefusedAndChangesNothing() {
        ApiClient.Response userAsGroup = api.post(ScimChecks.GROUPS, org.token(), """
                {"schemas":["%s"],"userName":"meant.for.users@example.com","displayName":"Meant For Users"}"""
                .formatted(CORE));
        assertScimError(userAsGroup, 400, "invalidSyntax");
        assertThat(userAsGroup.json().path("detail").asText()).contains(CORE);
        ApiClient.Response found = api.get(ScimChecks.GROUPS + "?filter="
                + ApiClient.encode("displayName eq \"Meant For Users\""), org.token());
        assertThat(found.json().path("totalResults").asInt()).isZero();

        assertScimError(api.post(USERS, org.token(), """
                {"schemas":["%s"],"userName":"meant.for.groups@example.com","displayName":"Meant For Groups"}"""
                .formatted(ScimChecks.GROUP)), 400, "invalidSyntax");
        assertThat(api.get(USERS + "?filter=" + ApiClient.encode("userName eq \"meant.for.groups@example.com\""),
                org.token()).json().path("totalResults").asInt()).isZero();

        String id = api.createUser(org, user("kept.as.it.was@example.com")).path("id").asText();
        assertScimError(api.put(USERS + "/" + id, org.token(), """
                {"schemas":["%s"],"userName":"changed.by.put@example.com"}""".formatted(ScimChecks.PATCH_OP)),
                400, "invalidSyntax");
        assertThat(api.getUser(org, id).path("userName").asText()).isEqualTo("kept.as.it.was@example.com");
    }

    @Test
    void twoPrimaryEmailsKeepExactlyOnePrimary() {
        JsonNode created = api.createUser(org, """
                {"schemas":["%s"],"userName":"two.primaries@example.com",
                 "emails":[{"value":"first@example.com","type":"work","primary":true},
                           {"value":"second@example.com","type":"home","primary":true}]}
                """.formatted(CORE));
        assertThat(created.path("emails").size()).isEqualTo(2);
        assertThat(primaryCount(created.path("emails"))).isEqualTo(1);
        assertThat(created.path("emails").get(0).path("primary").asBoolean()).isTrue();

        JsonNode stored = api.getUser(org, created.path("id").asText());
        assertThat(primaryCount(stored.path("emails"))).isEqualTo(1);
        assertThat(emails(stored)).containsExactly("work:first@example.com", "home:second@example.com");
    }

    @Test
    void enterpriseExtensionIsStoredAndReturned() {
        JsonNode manager = api.createUser(org, user("the.manager@example.com"));
        String managerId = manager.path("id").asText();
        JsonNode created = api.createUser(org, """
                {"schemas":["%s","%s"],"userName":"enterprise.user@example.com",
                 "%s":{"employeeNumber":"E-1001","costCenter":"CC-7","organization":"Hanzo","division":"R&D",
                       "department":"Security","manager":{"value":"%s"}}}
                """.formatted(CORE, ENTERPRISE, ENTERPRISE, managerId));
        assertThat(texts(created.path("schemas"))).containsExactlyInAnyOrder(CORE, ENTERPRISE);
        JsonNode stored = api.getUser(org, created.path("id").asText());
        assertThat(texts(stored.path("schemas"))).containsExactlyInAnyOrder(CORE, ENTERPRISE);
        JsonNode ext = stored.path(ENTERPRISE);
        assertThat(ext.path("employeeNumber").asText()).isEqualTo("E-1001");
        assertThat(ext.path("costCenter").asText()).isEqualTo("CC-7");
        assertThat(ext.path("organization").asText()).isEqualTo("Hanzo");
        assertThat(ext.path("division").asText()).isEqualTo("R&D");
        assertThat(ext.path("department").asText()).isEqualTo("Security");
        assertThat(ext.path("manager").path("value").asText()).isEqualTo(managerId);

        JsonNode withoutExtension = api.createUser(org, user("plain.user@example.com"));
        assertThat(texts(withoutExtension.path("schemas"))).containsExactly(CORE);
        assertThat(withoutExtension.has(ENTERPRISE)).isFalse();
    }

    @Test
    void oktaStyleCreateBodyIsAccepted() {
        ApiClient.Response r = api.post(USERS, org.token(), """
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],
                 "userName":"okta.person@example.com",
                 "name":{"givenName":"Okta","familyName":"Person"},
                 "emails":[{"primary":true,"value":"okta.person@example.com","type":"work"}],
                 "displayName":"Okta Person",
                 "locale":"en-US",
                 "externalId":"00ujl29u0le5T6Aj10h7",
                 "groups":[],
                 "password":"1mz050nq",
                 "active":true}
                """);
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        assertThat(r.text()).isNotBlank();
        JsonNode body = r.json();
        assertThat(body.path("id").asText()).isNotBlank();
        assertThat(body.path("userName").asText()).isEqualTo("okta.person@example.com");
        assertThat(body.path("displayName").asText()).isEqualTo("Okta Person");
        assertThat(body.path("locale").asText()).isEqualTo("en-US");
        assertThat(body.path("externalId").asText()).isEqualTo("00ujl29u0le5T6Aj10h7");
        assertThat(body.path("active").asBoolean(false)).isTrue();
        assertThat(body.path("name").path("familyName").asText()).isEqualTo("Person");
        assertThat(body.has("password")).isFalse();
        assertThat(body.has("groups")).isFalse();

        ApiClient.Response dup = api.post(USERS, org.token(), """
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"okta.person@example.com",
                 "password":"other","groups":[],"active":true}
                """);
        assertScimError(dup, 409, "uniqueness");

        JsonNode byExternalId = api.list(org, "externalId eq \"00ujl29u0le5T6Aj10h7\"");
        assertThat(ScimChecks.ids(byExternalId)).containsExactly(body.path("id").asText());
    }

    @Test
    void getReturnsTheUser() {
        JsonNode created = api.createUser(org, """
                {"schemas":["%s"],"userName":"get.me@example.com","title":"Tester","nickName":"G"}
                """.formatted(CORE));
        String id = created.path("id").asText();
        ApiClient.Response r = api.get(USERS + "/" + id, org.token());
        assertThat(r.status()).isEqualTo(200);
        JsonNode body = r.json();
        assertThat(body.path("id").asText()).isEqualTo(id);
        assertThat(body.path("userName").asText()).isEqualTo("get.me@example.com");
        assertThat(body.path("title").asText()).isEqualTo("Tester");
        assertThat(body.path("nickName").asText()).isEqualTo("G");
        assertThat(body.path("meta").path("version").asText()).isEqualTo(r.header("ETag"));
    }

    @Test
    void unknownIdsOfAnyShapeAre404() {
        List<String> paths = List.of(
                USERS + "/" + UUID.randomUUID(),
                USERS + "/" + UUID.randomUUID().toString().toUpperCase(),
                USERS + "/abc",
                USERS + "/" + ApiClient.encode("../x"),
                USERS + "/../x",
                USERS + "/..%2F..%2Fetc%2Fpasswd",
                USERS + "/" + "a".repeat(2000),
                USERS + "/" + ApiClient.encode("' OR '1'='1"),
                USERS + "/00000000-0000-0000-0000-000000000000",
                USERS + "/" + ApiClient.encode("ünïcødé"),
                USERS + "/12345");
        for (String path : paths) {
            assertScimError(api.get(path, org.token()), 404, null);
            assertScimError(api.delete(path, org.token()), 404, null);
            assertScimError(api.put(path, org.token(), user("nobody@example.com")), 404, null);
            assertScimError(api.patch(path, org.token(), ScimChecks.patchOps(
                    "{\"op\":\"replace\",\"path\":\"title\",\"value\":\"x\"}")), 404, null);
        }
        assertThat(api.list(org, "userName eq \"nobody@example.com\"").path("totalResults").asInt()).isZero();
    }

    @Test
    void aUserOfAnotherOrganisationIs404() {
        TestOrg other = TestOrg.create(client, "UsersCrud-foreign");
        String foreignId = api.createUser(other, user("foreign@example.com")).path("id").asText();
        assertScimError(api.get(USERS + "/" + foreignId, org.token()), 404, null);
        assertScimError(api.put(USERS + "/" + foreignId, org.token(), user("foreign@example.com")), 404, null);
        assertScimError(api.delete(USERS + "/" + foreignId, org.token()), 404, null);
        assertThat(api.getUser(other, foreignId).path("userName").asText()).isEqualTo("foreign@example.com");
    }

    @Test
    void putReplacesTheWholeUser() throws InterruptedException {
        JsonNode created = api.createUser(org, """
                {"schemas":["%s"],"userName":"replace.me@example.com","externalId":"ext-1",
                 "name":{"givenName":"Re","familyName":"Place"},"title":"Before","displayName":"Re Place",
                 "emails":[{"value":"replace.me@example.com","type":"work","primary":true}]}
                """.formatted(CORE));
        String id = created.path("id").asText();
        Thread.sleep(5);

        ApiClient.Response r = api.put(USERS + "/" + id, org.token(), """
                {"schemas":["%s"],"userName":"replace.me@example.com","externalId":"ext-2","displayName":"After"}
                """.formatted(CORE));
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.header("Content-Type")).startsWith(SCIM_JSON);
        assertThat(r.header("ETag")).isEqualTo("W/\"2\"");
        JsonNode body = r.json();
        assertThat(body.path("id").asText()).isEqualTo(id);
        assertThat(body.path("externalId").asText()).isEqualTo("ext-2");
        assertThat(body.path("displayName").asText()).isEqualTo("After");
        assertThat(body.has("name")).isFalse();
        assertThat(body.has("title")).isFalse();
        assertThat(body.has("emails")).isFalse();
        assertThat(body.path("active").asBoolean(false)).isTrue();
        assertThat(body.path("meta").path("version").asText()).isEqualTo("W/\"2\"");
        assertThat(body.path("meta").path("created").asText()).isEqualTo(created.path("meta").path("created").asText());
        assertThat(Instant.parse(body.path("meta").path("lastModified").asText()))
                .isAfter(Instant.parse(created.path("meta").path("lastModified").asText()));

        JsonNode stored = api.getUser(org, id);
        assertThat(stored).isEqualTo(body);
        assertThat(ScimChecks.ids(api.list(org, "externalId eq \"ext-2\""))).containsExactly(id);
        assertThat(api.list(org, "externalId eq \"ext-1\"").path("totalResults").asInt()).isZero();
        assertThat(api.list(org, "emails.value eq \"replace.me@example.com\"").path("totalResults").asInt()).isZero();

        ApiClient.Response again = api.put(USERS + "/" + id, org.token(), """
                {"schemas":["%s"],"userName":"replace.me@example.com","title":"Third"}
                """.formatted(CORE));
        assertThat(again.status()).as(again.text()).isEqualTo(200);
        assertThat(again.json().path("meta").path("version").asText()).isEqualTo("W/\"3\"");
        assertThat(again.json().has("externalId")).isFalse();
        assertThat(again.json().has("displayName")).isFalse();
        assertThat(again.json().path("meta").path("created").asText())
                .isEqualTo(created.path("meta").path("created").asText());
    }

    @Test
    void putCanChangeUserNameButNotToATakenOne() {
        api.createUser(org, user("taken.by.put@example.com"));
        String id = api.createUser(org, user("renamed.by.put@example.com")).path("id").asText();

        assertScimError(api.put(USERS + "/" + id, org.token(), user("TAKEN.by.put@example.com")), 409, "uniqueness");
        assertThat(api.getUser(org, id).path("userName").asText()).isEqualTo("renamed.by.put@example.com");
        assertThat(api.getUser(org, id).path("meta").path("version").asText()).isEqualTo("W/\"1\"");

        ApiClient.Response ok = api.put(USERS + "/" + id, org.token(), user("Renamed.By.Put.2@example.com"));
        assertThat(ok.status()).as(ok.text()).isEqualTo(200);
        assertThat(ok.json().path("userName").asText()).isEqualTo("Renamed.By.Put.2@example.com");
        assertThat(api.list(org, "userName eq \"renamed.by.put@example.com\"").path("totalResults").asInt()).isZero();
        assertThat(ScimChecks.ids(api.list(org, "userName eq \"renamed.by.put.2@example.com\""))).containsExactly(id);
        api.createUser(org, user("renamed.by.put@example.com"));
    }

    @Test
    void putWithoutActiveKeepsADisabledUserDisabled() {
        String id = api.createUser(org, """
                {"schemas":["%s"],"userName":"stays.disabled@example.com","active":false}
                """.formatted(CORE)).path("id").asText();
        ApiClient.Response r = api.put(USERS + "/" + id, org.token(), """
                {"schemas":["%s"],"userName":"stays.disabled@example.com","displayName":"Still Off"}
                """.formatted(CORE));
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.json().path("active").asBoolean(true)).isFalse();
        assertThat(api.getUser(org, id).path("active").asBoolean(true)).isFalse();

        ApiClient.Response on = api.put(USERS + "/" + id, org.token(), """
                {"schemas":["%s"],"userName":"stays.disabled@example.com","active":true}
                """.formatted(CORE));
        assertThat(on.json().path("active").asBoolean(false)).isTrue();
    }

    @Test
    void putWithoutUserNameIsRefusedAndChangesNothing() {
        String id = api.createUser(org, """
                {"schemas":["%s"],"userName":"put.invalid@example.com","title":"Kept"}
                """.formatted(CORE)).path("id").asText();
        ApiClient.Response r = api.put(USERS + "/" + id, org.token(), """
                {"schemas":["%s"],"title":"Lost"}
                """.formatted(CORE));
        assertScimError(r, 400, null);
        JsonNode stored = api.getUser(org, id);
        assertThat(stored.path("title").asText()).isEqualTo("Kept");
        assertThat(stored.path("meta").path("version").asText()).isEqualTo("W/\"1\"");
    }

    @Test
    void putOnAMissingUserIs404AndCreatesNothing() {
        String id = UUID.randomUUID().toString();
        assertScimError(api.put(USERS + "/" + id, org.token(), user("put.nobody@example.com")), 404, null);
        assertScimError(api.get(USERS + "/" + id, org.token()), 404, null);
        assertThat(api.list(org, "userName eq \"put.nobody@example.com\"").path("totalResults").asInt()).isZero();
    }

    /** An invitation holds the address its link was sent to and the link's token hash: it goes with its person. */
    @Test
    void deleteTakesThePersonsInvitationsWithThem() {
        String gone = api.createUser(org, user("invited.then.deleted." + UUID.randomUUID())).path("id").asText();
        String stays = api.createUser(org, user("invited.and.kept." + UUID.randomUUID())).path("id").asText();
        assertThat(MembershipDb.invitations(org.id(), gone)).as("queued when provisioned").hasSize(1);

        ApiClient.Response deleted = api.delete(USERS + "/" + gone, org.token());

        assertThat(deleted.status()).as(deleted.text()).isEqualTo(204);
        assertThat(MembershipDb.invitations(org.id(), gone)).isEmpty();
        assertThat(MembershipDb.invitations(org.id(), stays)).hasSize(1);
    }

    @Test
    void deleteRemovesTheUserAndTheUserNameCanBeProvisionedAgain() {
        String id = api.createUser(org, """
                {"schemas":["%s"],"userName":"delete.me@example.com","externalId":"del-1",
                 "emails":[{"value":"delete.me@example.com","type":"work"}]}
                """.formatted(CORE)).path("id").asText();

        ApiClient.Response deleted = api.delete(USERS + "/" + id, org.token());
        assertThat(deleted.status()).as(deleted.text()).isEqualTo(204);
        assertThat(deleted.text()).isNullOrEmpty();

        assertScimError(api.get(USERS + "/" + id, org.token()), 404, null);
        assertScimError(api.delete(USERS + "/" + id, org.token()), 404, null);
        assertScimError(api.patch(USERS + "/" + id, org.token(), ScimChecks.patchOps(
                "{\"op\":\"replace\",\"path\":\"active\",\"value\":false}")), 404, null);
        assertScimError(api.put(USERS + "/" + id, org.token(), user("delete.me@example.com")), 404, null);
        assertThat(api.list(org, "userName eq \"delete.me@example.com\"").path("totalResults").asInt()).isZero();
        assertThat(api.list(org, "externalId eq \"del-1\"").path("totalResults").asInt()).isZero();
        assertThat(api.list(org, "emails.value eq \"delete.me@example.com\"").path("totalResults").asInt()).isZero();

        JsonNode again = api.createUser(org, user("delete.me@example.com"));
        String newId = again.path("id").asText();
        assertThat(newId).isNotEqualTo(id);
        assertThat(again.path("meta").path("version").asText()).isEqualTo("W/\"1\"");
        assertThat(again.has("externalId")).isFalse();
        assertScimError(api.get(USERS + "/" + id, org.token()), 404, null);
        assertThat(ScimChecks.ids(api.list(org, "userName eq \"delete.me@example.com\""))).containsExactly(newId);
    }

    @Test
    void entraStyleCreateBodyIsAccepted() {
        ApiClient.Response r = api.post(USERS, org.token(), """
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User",
                            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
                 "externalId":"0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
                 "userName":"Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1",
                 "active":true,
                 "displayName":"Test User",
                 "emails":[{"primary":true,"type":"work","value":"Test_User_fd0ea19b@testuser.com"}],
                 "meta":{"resourceType":"User"},
                 "name":{"formatted":"givenName familyName","familyName":"familyName","givenName":"givenName"},
                 "roles":[],
                 "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Dept","employeeNumber":"42"}}
                """);
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        JsonNode body = r.json();
        assertThat(body.path("userName").asText()).isEqualTo("Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1");
        assertThat(body.path("externalId").asText()).isEqualTo("0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef");
        assertThat(body.path("name").path("formatted").asText()).isEqualTo("givenName familyName");
        assertThat(body.path(ENTERPRISE).path("department").asText()).isEqualTo("Dept");
        assertThat(texts(body.path("schemas"))).containsExactlyInAnyOrder(CORE, ENTERPRISE);
        assertThat(body.path("roles").size()).isZero();
        String id = body.path("id").asText();

        assertThat(ScimChecks.ids(api.list(org, "userName eq \"test_user_ab6490ee-1e48-479e-a20b-2d77186b5dd1\"")))
                .containsExactly(id);
        assertThat(ScimChecks.ids(api.list(org, "externalId eq \"0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef\"")))
                .containsExactly(id);
        assertThat(ScimChecks.ids(api.list(org, "emails[type eq \"work\"].value eq \"test_user_fd0ea19b@testuser.com\"")))
                .containsExactly(id);
    }

    @Test
    void oktaGetThenPutOfTheWholeResourceRoundTrips() {
        JsonNode created = api.createUser(org, """
                {"schemas":["%s","%s"],"userName":"okta.roundtrip@example.com","externalId":"00u-rt",
                 "name":{"givenName":"Round","familyName":"Trip"},"displayName":"Round Trip",
                 "emails":[{"value":"okta.roundtrip@example.com","type":"work","primary":true}],
                 "%s":{"department":"Ops"}}
                """.formatted(CORE, ENTERPRISE, ENTERPRISE));
        String id = created.path("id").asText();
        String fetched = api.get(USERS + "/" + id, org.token()).text();
        String edited = fetched.replace("\"Round Trip\"", "\"Round Trip Edited\"");
        assertThat(edited).isNotEqualTo(fetched);

        ApiClient.Response r = api.put(USERS + "/" + id, org.token(), edited);
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        JsonNode body = r.json();
        assertThat(body.path("id").asText()).isEqualTo(id);
        assertThat(body.path("displayName").asText()).isEqualTo("Round Trip Edited");
        assertThat(body.path("externalId").asText()).isEqualTo("00u-rt");
        assertThat(body.path("name")).isEqualTo(created.path("name"));
        assertThat(body.path("emails")).isEqualTo(created.path("emails"));
        assertThat(body.path(ENTERPRISE)).isEqualTo(created.path(ENTERPRISE));
        assertThat(body.path("meta").path("version").asText()).isEqualTo("W/\"2\"");
        assertThat(body.path("meta").path("created").asText()).isEqualTo(created.path("meta").path("created").asText());
        assertThat(api.getUser(org, id)).isEqualTo(body);
    }

    @Test
    void putIgnoresAnIdInTheBody() {
        String id = api.createUser(org, user("put.id@example.com")).path("id").asText();
        String otherId = api.createUser(org, user("put.id.other@example.com")).path("id").asText();
        ApiClient.Response r = api.put(USERS + "/" + id, org.token(), """
                {"schemas":["%s"],"id":"%s","userName":"put.id@example.com","title":"Mine"}
                """.formatted(CORE, otherId));
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.json().path("id").asText()).isEqualTo(id);
        assertThat(api.getUser(org, id).path("title").asText()).isEqualTo("Mine");
        JsonNode other = api.getUser(org, otherId);
        assertThat(other.has("title")).isFalse();
        assertThat(other.path("userName").asText()).isEqualTo("put.id.other@example.com");
    }

    @Test
    void concurrentRenamesToOneUserNameLetExactlyOneWin() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            ids.add(api.createUser(org, user("rename.race." + i + "@example.com")).path("id").asText());
        }
        List<Future<ApiClient.Response>> all = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            String body = i % 2 == 0 ? user("Rename.Target@example.com")
                    : ScimChecks.patchOps("{\"op\":\"replace\",\"path\":\"userName\",\"value\":\"rename.target@EXAMPLE.com\"}");
            all.add(api.send(i % 2 == 0 ? HttpMethod.PUT : HttpMethod.PATCH, USERS + "/" + ids.get(i), org.token(), body));
        }
        ApiClient.await(Future.join(all));
        int won = 0;
        for (Future<ApiClient.Response> f : all) {
            ApiClient.Response r = f.result();
            if (r.status() == 200) {
                won++;
            } else {
                assertScimError(r, 409, "uniqueness");
            }
        }
        assertThat(won).isEqualTo(1);
        assertThat(api.list(org, "userName eq \"rename.target@example.com\"").path("totalResults").asInt()).isEqualTo(1);
        assertThat(api.list(org, "userName sw \"rename.race.\"").path("totalResults").asInt()).isEqualTo(ids.size() - 1);
    }
}
