package io.hanzo.kms.scim.it;

import static io.hanzo.kms.scim.it.ScimChecks.CORE;
import static io.hanzo.kms.scim.it.ScimChecks.ENTERPRISE;
import static io.hanzo.kms.scim.it.ScimChecks.SCIM_JSON;
import static io.hanzo.kms.scim.it.ScimChecks.USERS;
import static io.hanzo.kms.scim.it.ScimChecks.assertScimError;
import static io.hanzo.kms.scim.it.ScimChecks.emails;
import static io.hanzo.kms.scim.it.ScimChecks.ids;
import static io.hanzo.kms.scim.it.ScimChecks.patchOps;
import static io.hanzo.kms.scim.it.ScimChecks.primaryCount;
import static io.hanzo.kms.scim.it.ScimChecks.texts;
import static io.hanzo.kms.scim.it.ScimChecks.user;
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

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** PATCH /Users/{id} over HTTP, in the shapes RFC 7644 describes and the shapes IdPs send. */
@ExtendWith(VertxExtension.class)
class UsersPatchIT {
    private static final String DEPARTMENT = ENTERPRISE + ":department";

    private static ApiClient client;
    private static ScimChecks api;
    private static TestOrg org;

    @BeforeAll
    static void start(Vertx vertx) {
        client = new ApiClient(vertx, TestServer.shared().port());
        api = new ScimChecks(client);
        org = TestOrg.create(client, "UsersPatch");
    }

    @AfterAll
    static void stop() {
        client.close();
    }

    private static String create(String body) {
        return api.createUser(org, body).path("id").asText();
    }

    /** A PATCH that must succeed; returns the body, after checking that GET shows the same. */
    private static JsonNode patchOk(String id, String... operations) {
        ApiClient.Response r = api.patch(USERS + "/" + id, org.token(), patchOps(operations));
        assertThat(r.status()).as("PATCH %s: %s", String.join(",", operations), r.text()).isEqualTo(200);
        assertThat(r.header("Content-Type")).startsWith(SCIM_JSON);
        JsonNode body = r.json();
        assertThat(r.header("ETag")).isEqualTo(body.path("meta").path("version").asText());
        assertThat(api.getUser(org, id)).isEqualTo(body);
        return body;
    }

    private static ApiClient.Response patch(String id, String... operations) {
        return api.patch(USERS + "/" + id, org.token(), patchOps(operations));
    }

    private static void assertUnchanged(String id, JsonNode before) {
        JsonNode now = api.getUser(org, id);
        assertThat(now).isEqualTo(before);
    }

    @Test
    void addWithoutPathSetsTheAttributesGiven() {
        JsonNode before = api.createUser(org, user("add.nopath@example.com"));
        String id = before.path("id").asText();
        JsonNode after = patchOk(id, """
                {"op":"add","value":{"title":"Engineer","nickName":"Bo",
                  "emails":[{"value":"bo@example.com","type":"work","primary":true}]}}""");
        assertThat(after.path("title").asText()).isEqualTo("Engineer");
        assertThat(after.path("nickName").asText()).isEqualTo("Bo");
        assertThat(emails(after)).containsExactly("work:bo@example.com");
        assertThat(after.path("userName").asText()).isEqualTo("add.nopath@example.com");
        assertThat(after.path("meta").path("version").asText()).isEqualTo("W/\"2\"");
        assertThat(after.path("meta").path("created").asText()).isEqualTo(before.path("meta").path("created").asText());
        assertThat(Instant.parse(after.path("meta").path("lastModified").asText()))
                .isAfterOrEqualTo(Instant.parse(before.path("meta").path("lastModified").asText()));
        assertThat(ids(api.list(org, "emails.value eq \"bo@example.com\""))).containsExactly(id);
    }

    @Test
    void addWithPathSetsOrAppends() {
        String id = create("""
                {"schemas":["%s"],"userName":"add.path@example.com",
                 "emails":[{"value":"one@example.com","type":"work","primary":true}]}""".formatted(CORE));
        JsonNode after = patchOk(id,
                "{\"op\":\"add\",\"path\":\"title\",\"value\":\"CTO\"}",
                "{\"op\":\"add\",\"path\":\"emails\",\"value\":[{\"value\":\"two@example.com\",\"type\":\"home\"}]}");
        assertThat(after.path("title").asText()).isEqualTo("CTO");
        assertThat(emails(after)).containsExactly("work:one@example.com", "home:two@example.com");

        JsonNode again = patchOk(id,
                "{\"op\":\"add\",\"path\":\"emails\",\"value\":[{\"value\":\"three@example.com\",\"type\":\"other\",\"primary\":true}]}");
        assertThat(emails(again)).containsExactly("work:one@example.com", "home:two@example.com", "other:three@example.com");
        assertThat(primaryCount(again.path("emails"))).isEqualTo(1);
        assertThat(again.path("emails").get(2).path("primary").asBoolean()).isTrue();
    }

    @Test
    void replaceWithAndWithoutPath() {
        String id = create("""
                {"schemas":["%s"],"userName":"replace.ops@example.com","displayName":"Old","title":"Old title",
                 "emails":[{"value":"a@example.com","type":"work"},{"value":"b@example.com","type":"home"}]}""".formatted(CORE));
        JsonNode withPath = patchOk(id,
                "{\"op\":\"replace\",\"path\":\"displayName\",\"value\":\"New\"}",
                "{\"op\":\"replace\",\"path\":\"emails\",\"value\":[{\"value\":\"only@example.com\",\"type\":\"work\"}]}");
        assertThat(withPath.path("displayName").asText()).isEqualTo("New");
        assertThat(withPath.path("title").asText()).isEqualTo("Old title");
        assertThat(emails(withPath)).containsExactly("work:only@example.com");

        JsonNode withoutPath = patchOk(id, "{\"op\":\"replace\",\"value\":{\"displayName\":\"Newer\",\"title\":\"New title\"}}");
        assertThat(withoutPath.path("displayName").asText()).isEqualTo("Newer");
        assertThat(withoutPath.path("title").asText()).isEqualTo("New title");
        assertThat(emails(withoutPath)).containsExactly("work:only@example.com");
        assertThat(withoutPath.path("meta").path("version").asText()).isEqualTo("W/\"3\"");
    }

    @Test
    void removeWithPath() {
        String id = create("""
                {"schemas":["%s"],"userName":"remove.ops@example.com","title":"Gone soon",
                 "name":{"givenName":"Rem","familyName":"Ove"},
                 "emails":[{"value":"w@example.com","type":"work"},{"value":"h@example.com","type":"home"}]}""".formatted(CORE));
        JsonNode after = patchOk(id,
                "{\"op\":\"remove\",\"path\":\"title\"}",
                "{\"op\":\"remove\",\"path\":\"name.givenName\"}",
                "{\"op\":\"remove\",\"path\":\"emails[type eq \\\"home\\\"]\"}");
        assertThat(after.has("title")).isFalse();
        assertThat(after.path("name").has("givenName")).isFalse();
        assertThat(after.path("name").path("familyName").asText()).isEqualTo("Ove");
        assertThat(emails(after)).containsExactly("work:w@example.com");
        assertThat(api.list(org, "emails.value eq \"h@example.com\"").path("totalResults").asInt()).isZero();

        JsonNode cleared = patchOk(id, "{\"op\":\"remove\",\"path\":\"emails\"}");
        assertThat(cleared.has("emails")).isFalse();
    }

    @Test
    void removeWithoutPathIsRefused() {
        JsonNode before = api.createUser(org, user("remove.nopath@example.com"));
        String id = before.path("id").asText();
        assertScimError(patch(id, "{\"op\":\"remove\"}"), 400, "noTarget");
        assertUnchanged(id, before);
    }

    @Test
    void operationNamesInAnyLetterCase() {
        String id = create(user("op.case@example.com"));
        JsonNode after = patchOk(id,
                "{\"op\":\"Replace\",\"path\":\"displayName\",\"value\":\"Cased\"}",
                "{\"op\":\"ADD\",\"path\":\"nickName\",\"value\":\"Nick\"}",
                "{\"op\":\"Add\",\"path\":\"title\",\"value\":\"To remove\"}",
                "{\"op\":\"REMOVE\",\"path\":\"title\"}");
        assertThat(after.path("displayName").asText()).isEqualTo("Cased");
        assertThat(after.path("nickName").asText()).isEqualTo("Nick");
        assertThat(after.has("title")).isFalse();

        ApiClient.Response capitalisedKeys = api.patch(USERS + "/" + id, org.token(), """
                {"schemas":["%s"],"Operations":[{"Op":"Replace","Path":"displayName","Value":"Keys"}]}"""
                .formatted(ScimChecks.PATCH_OP));
        assertThat(capitalisedKeys.status()).as(capitalisedKeys.text()).isEqualTo(200);
        assertThat(capitalisedKeys.json().path("displayName").asText()).isEqualTo("Keys");
    }

    @Test
    void entraDisablesWithFalseAsAString() {
        String id = create(user("entra.disable@example.com"));
        JsonNode off = patchOk(id, "{\"op\":\"Replace\",\"path\":\"active\",\"value\":\"False\"}");
        assertThat(off.path("active").isBoolean()).isTrue();
        assertThat(off.path("active").asBoolean()).isFalse();

        JsonNode stored = api.getUser(org, id);
        assertThat(stored.path("userName").asText()).isEqualTo("entra.disable@example.com");
        assertThat(stored.path("active").asBoolean(true)).isFalse();
        assertThat(ids(api.list(org, "userName eq \"entra.disable@example.com\" and active eq false"))).containsExactly(id);

        JsonNode on = patchOk(id, "{\"op\":\"Replace\",\"path\":\"active\",\"value\":\"True\"}");
        assertThat(on.path("active").isBoolean()).isTrue();
        assertThat(on.path("active").asBoolean()).isTrue();
    }

    @Test
    void removingActiveLeavesADisabledUserDisabled() {
        String id = create("""
                {"schemas":["%s"],"userName":"stays.disabled@example.com","active":false}""".formatted(CORE));
        for (String op : new String[] {
                "{\"op\":\"remove\",\"path\":\"active\"}",
                "{\"op\":\"replace\",\"path\":\"ACTIVE\",\"value\":null}",
                "{\"op\":\"replace\",\"value\":{\"active\":null}}"}) {
            JsonNode after = patchOk(id, op);
            assertThat(after.path("active").asBoolean(true)).as(op).isFalse();
            assertThat(api.getUser(org, id).path("active").asBoolean(true)).as(op).isFalse();
        }
        assertThat(patchOk(id, "{\"op\":\"replace\",\"path\":\"active\",\"value\":true}").path("active").asBoolean())
                .isTrue();
        assertThat(patchOk(id, "{\"op\":\"remove\",\"path\":\"active\"}").path("active").asBoolean()).isTrue();
    }

    @Test
    void aChangeThatChangesNothingKeepsTheVersionAndTheTimestamp() {
        String body = """
                {"schemas":["%s"],"userName":"no.change@example.com","title":"Lead",
                 "emails":[{"value":"no.change@example.com","type":"work","primary":true}]}""".formatted(CORE);
        ApiClient.Response created = api.post(USERS, org.token(), body);
        String id = created.json().path("id").asText();
        JsonNode meta = created.json().path("meta");
        String[] noChanges = {
                "{\"op\":\"add\",\"path\":\"emails\",\"value\":[{\"value\":\"No.Change@example.com\",\"type\":\"work\"}]}",
                "{\"op\":\"replace\",\"path\":\"title\",\"value\":\"Lead\"}",
                "{\"op\":\"replace\",\"value\":{\"active\":true,\"id\":\"" + id + "\"}}",
                "{\"op\":\"remove\",\"path\":\"nickName\"}"};
        for (String op : noChanges) {
            ApiClient.Response r = patch(id, op);
            assertThat(r.status()).as(r.text()).isEqualTo(200);
            assertThat(r.header("ETag")).as(op).isEqualTo(created.header("ETag"));
            assertThat(r.json().path("meta")).as(op).isEqualTo(meta);
        }
        ApiClient.Response put = api.put(USERS + "/" + id, org.token(), body);
        assertThat(put.status()).as(put.text()).isEqualTo(200);
        assertThat(put.json().path("meta")).isEqualTo(meta);

        JsonNode changed = patchOk(id, "{\"op\":\"replace\",\"path\":\"title\",\"value\":\"Head\"}");
        assertThat(changed.path("meta").path("version").asText()).isNotEqualTo(meta.path("version").asText());
        assertThat(api.getUser(org, id).path("meta")).isEqualTo(changed.path("meta"));
    }

    @Test
    void replaceTheValueOfTheWorkEmail() {
        String id = create("""
                {"schemas":["%s"],"userName":"work.email@example.com",
                 "emails":[{"value":"old.work@example.com","type":"work","primary":true},
                           {"value":"home@example.com","type":"home"}]}""".formatted(CORE));
        JsonNode after = patchOk(id,
                "{\"op\":\"replace\",\"path\":\"emails[type eq \\\"work\\\"].value\",\"value\":\"new.work@example.com\"}");
        assertThat(emails(after)).containsExactly("work:new.work@example.com", "home:home@example.com");
        assertThat(after.path("emails").get(0).path("primary").asBoolean()).isTrue();
        assertThat(api.list(org, "emails.value eq \"old.work@example.com\"").path("totalResults").asInt()).isZero();
        assertThat(ids(api.list(org, "emails[type eq \"work\"].value eq \"new.work@example.com\""))).containsExactly(id);
    }

    @Test
    void addToTheWorkEmailCreatesItWhenThereIsNone() {
        String id = create(user("no.email.yet@example.com"));
        JsonNode after = patchOk(id,
                "{\"op\":\"Add\",\"path\":\"emails[type eq \\\"work\\\"].value\",\"value\":\"first.work@example.com\"}");
        assertThat(emails(after)).containsExactly("work:first.work@example.com");
        assertThat(ids(api.list(org, "emails[type eq \"work\"].value eq \"first.work@example.com\""))).containsExactly(id);

        String withHome = create("""
                {"schemas":["%s"],"userName":"home.only@example.com",
                 "emails":[{"value":"home.only@example.com","type":"home"}]}""".formatted(CORE));
        JsonNode both = patchOk(withHome,
                "{\"op\":\"replace\",\"path\":\"emails[type eq \\\"work\\\"].value\",\"value\":\"work.too@example.com\"}");
        assertThat(emails(both)).containsExactlyInAnyOrder("home:home.only@example.com", "work:work.too@example.com");
    }

    @Test
    void subAttributeOfName() {
        String id = create("""
                {"schemas":["%s"],"userName":"name.sub@example.com","name":{"givenName":"Old","familyName":"Kept"}}"""
                .formatted(CORE));
        JsonNode after = patchOk(id, "{\"op\":\"replace\",\"path\":\"name.givenName\",\"value\":\"New\"}");
        assertThat(after.path("name").path("givenName").asText()).isEqualTo("New");
        assertThat(after.path("name").path("familyName").asText()).isEqualTo("Kept");

        String bare = create(user("name.created@example.com"));
        JsonNode created = patchOk(bare, "{\"op\":\"add\",\"path\":\"name.familyName\",\"value\":\"Fresh\"}");
        assertThat(created.path("name").path("familyName").asText()).isEqualTo("Fresh");
        assertThat(ids(api.list(org, "name.familyName eq \"Fresh\""))).containsExactly(bare);
    }

    @Test
    void urnQualifiedEnterprisePaths() {
        String managerId = create(user("patch.manager@example.com"));
        String otherManagerId = create(user("patch.manager2@example.com"));
        String id = create(user("enterprise.patch@example.com"));

        JsonNode after = patchOk(id,
                "{\"op\":\"add\",\"path\":\"" + DEPARTMENT + "\",\"value\":\"Finance\"}",
                "{\"op\":\"replace\",\"path\":\"" + ENTERPRISE + ":manager.value\",\"value\":\"" + managerId + "\"}");
        assertThat(texts(after.path("schemas"))).containsExactlyInAnyOrder(CORE, ENTERPRISE);
        assertThat(after.path(ENTERPRISE).path("department").asText()).isEqualTo("Finance");
        assertThat(after.path(ENTERPRISE).path("manager").path("value").asText()).isEqualTo(managerId);
        assertThat(ids(api.list(org, DEPARTMENT + " eq \"Finance\""))).containsExactly(id);

        JsonNode entraManager = patchOk(id,
                "{\"op\":\"Add\",\"path\":\"" + ENTERPRISE + ":manager\",\"value\":\"" + otherManagerId + "\"}");
        assertThat(entraManager.path(ENTERPRISE).path("manager").path("value").asText()).isEqualTo(otherManagerId);
        assertThat(entraManager.path(ENTERPRISE).path("department").asText()).isEqualTo("Finance");

        JsonNode removed = patchOk(id,
                "{\"op\":\"Remove\",\"path\":\"" + DEPARTMENT + "\"}",
                "{\"op\":\"Remove\",\"path\":\"" + ENTERPRISE + ":manager\"}");
        assertThat(removed.has(ENTERPRISE)).isFalse();
        assertThat(texts(removed.path("schemas"))).containsExactly(CORE);
        assertThat(api.list(org, DEPARTMENT + " eq \"Finance\"").path("totalResults").asInt()).isZero();
    }

    @Test
    void entraPathlessReplaceWithPathKeys() {
        String id = create("""
                {"schemas":["%s"],"userName":"entra.pathless@example.com","name":{"givenName":"Old","familyName":"Same"}}"""
                .formatted(CORE));
        JsonNode after = patchOk(id, """
                {"op":"replace","value":{"name.givenName":"X","%s":"Y","active":false}}""".formatted(DEPARTMENT));
        assertThat(after.path("name").path("givenName").asText()).isEqualTo("X");
        assertThat(after.path("name").path("familyName").asText()).isEqualTo("Same");
        assertThat(after.path(ENTERPRISE).path("department").asText()).isEqualTo("Y");
        assertThat(texts(after.path("schemas"))).contains(ENTERPRISE);
        assertThat(after.path("active").asBoolean(true)).isFalse();
        assertThat(after.path("userName").asText()).isEqualTo("entra.pathless@example.com");
    }

    @Test
    void oktaDeactivatesWithAPathlessReplace() {
        String id = create("""
                {"schemas":["%s"],"userName":"okta.deactivate@example.com","displayName":"Okta D","active":true}"""
                .formatted(CORE));
        JsonNode after = patchOk(id, "{\"op\":\"replace\",\"value\":{\"active\":false}}");
        assertThat(after.path("active").isBoolean()).isTrue();
        assertThat(after.path("active").asBoolean()).isFalse();
        assertThat(after.path("displayName").asText()).isEqualTo("Okta D");
        assertThat(api.getUser(org, id).path("active").asBoolean(true)).isFalse();

        JsonNode echoed = patchOk(id, """
                {"op":"replace","value":{"id":"%s","active":true,"meta":{"version":"W/\\"99\\""}}}""".formatted(id));
        assertThat(echoed.path("id").asText()).isEqualTo(id);
        assertThat(echoed.path("active").asBoolean()).isTrue();
        assertThat(echoed.path("meta").path("version").asText()).isEqualTo("W/\"3\"");
    }

    @Test
    void entraDeactivatesInTheSamePatchAsACustomExtensionAttribute() {
        String custom = "urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User";
        ApiClient.Response created = api.post(USERS, org.token(), """
                {"schemas":["%s","%s"],"userName":"ext.deact@contoso.com","active":true,"%s":{"CustomAttribute":"a"}}"""
                .formatted(CORE, custom, custom));
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        assertThat(created.json().has(custom)).isFalse();
        String id = created.json().path("id").asText();

        JsonNode off = patchOk(id,
                "{\"op\":\"Replace\",\"path\":\"active\",\"value\":\"False\"}",
                "{\"op\":\"Replace\",\"path\":\"" + custom + ":CustomAttribute\",\"value\":\"b\"}");
        assertThat(off.path("active").asBoolean(true)).isFalse();
        assertThat(off.has(custom)).isFalse();
        assertThat(texts(off.path("schemas"))).containsExactly(CORE);

        // Every other form of path into the same extension is passed over as well, in every op.
        JsonNode titled = patchOk(id,
                "{\"op\":\"add\",\"path\":\"" + custom + ":CustomAttribute\",\"value\":\"c\"}",
                "{\"op\":\"replace\",\"path\":\"" + custom + ":badge.number\",\"value\":7}",
                "{\"op\":\"add\",\"path\":\"" + custom + ":cards[type eq \\\"work\\\"].value\",\"value\":\"x\"}",
                "{\"op\":\"remove\",\"path\":\"" + custom + ":CustomAttribute\"}",
                "{\"op\":\"replace\",\"path\":\"" + custom + "\",\"value\":{\"CustomAttribute\":\"d\"}}",
                "{\"op\":\"replace\",\"path\":\"title\",\"value\":\"Gone\"}");
        assertThat(titled.path("title").asText()).isEqualTo("Gone");
        assertThat(titled.path("active").asBoolean(true)).isFalse();
        assertThat(titled.has(custom)).isFalse();

        // Alone, such an operation is a write that changes nothing: the version stays.
        ApiClient.Response same = patch(id,
                "{\"op\":\"replace\",\"path\":\"" + custom + ":CustomAttribute\",\"value\":\"e\"}");
        assertThat(same.status()).as(same.text()).isEqualTo(200);
        assertThat(same.header("ETag")).isEqualTo(titled.path("meta").path("version").asText());
    }

    @Test
    void removeWithAValueOfASingleValuedAttributeRemovesOnlyThatValue() {
        String m1 = create(user("single.remove.m1@example.com"));
        String m2 = create(user("single.remove.m2@example.com"));
        JsonNode before = api.createUser(org, """
                {"schemas":["%s","%s"],"userName":"single.remove@example.com","displayName":"DN",
                 "%s":{"department":"Sales","manager":{"value":"%s"}}}""".formatted(CORE, ENTERPRISE, ENTERPRISE, m1));
        String id = before.path("id").asText();
        String manager = ENTERPRISE + ":manager";

        String[] otherValues = {
                "{\"op\":\"remove\",\"path\":\"" + manager + "\",\"value\":[{\"value\":\"someone-else\"}]}",
                "{\"op\":\"remove\",\"path\":\"" + manager + "\",\"value\":\"someone-else\"}",
                "{\"op\":\"remove\",\"path\":\"" + manager + ".value\",\"value\":\"someone-else\"}",
                "{\"op\":\"remove\",\"path\":\"displayName\",\"value\":\"other\"}",
                "{\"op\":\"remove\",\"path\":\"" + DEPARTMENT + "\",\"value\":[\"Marketing\"]}"};
        for (String op : otherValues) {
            ApiClient.Response r = patch(id, op);
            assertThat(r.status()).as(op + ": " + r.text()).isEqualTo(200);
            assertThat(r.header("ETag")).as(op).isEqualTo(before.path("meta").path("version").asText());
            assertUnchanged(id, before);
        }

        // "Remove the old manager" arriving after the new one was set keeps the new one.
        patchOk(id, "{\"op\":\"replace\",\"path\":\"" + manager + "\",\"value\":{\"value\":\"" + m2 + "\"}}");
        JsonNode kept = patchOk(id,
                "{\"op\":\"remove\",\"path\":\"" + manager + "\",\"value\":[{\"value\":\"" + m1 + "\"}]}");
        assertThat(kept.path(ENTERPRISE).path("manager").path("value").asText()).isEqualTo(m2);

        // The value held goes, compared as the attribute's caseExact says; without a value, as before.
        JsonNode removed = patchOk(id,
                "{\"op\":\"remove\",\"path\":\"" + manager + "\",\"value\":[{\"value\":\"" + m2 + "\"}]}",
                "{\"op\":\"remove\",\"path\":\"displayName\",\"value\":\"dn\"}",
                "{\"op\":\"remove\",\"path\":\"" + DEPARTMENT + "\",\"value\":[\"sales\"]}");
        assertThat(removed.has("displayName")).isFalse();
        assertThat(removed.has(ENTERPRISE)).isFalse();
        JsonNode titled = patchOk(id, "{\"op\":\"add\",\"path\":\"title\",\"value\":\"Lead\"}");
        assertThat(titled.path("title").asText()).isEqualTo("Lead");
        assertThat(patchOk(id, "{\"op\":\"remove\",\"path\":\"title\"}").has("title")).isFalse();
    }

    @Test
    void aRequestWithAnInvalidOperationChangesNothing() {
        JsonNode before = api.createUser(org, """
                {"schemas":["%s"],"userName":"atomic@example.com","displayName":"Original","title":"Kept"}"""
                .formatted(CORE));
        String id = before.path("id").asText();

        assertScimError(patch(id,
                "{\"op\":\"replace\",\"path\":\"displayName\",\"value\":\"Changed\"}",
                "{\"op\":\"replace\",\"path\":\"active\",\"value\":\"maybe\"}"), 400, "invalidValue");
        assertUnchanged(id, before);

        assertScimError(patch(id,
                "{\"op\":\"replace\",\"path\":\"displayName\",\"value\":\"Changed\"}",
                "{\"op\":\"remove\",\"path\":\"title\"}",
                "{\"op\":\"replace\",\"path\":\"noSuchAttribute\",\"value\":\"x\"}"), 400, "invalidPath");
        assertUnchanged(id, before);

        assertScimError(patch(id,
                "{\"op\":\"replace\",\"path\":\"displayName\",\"value\":\"Changed\"}",
                "{\"op\":\"remove\",\"path\":\"userName\"}"), 400, null);
        assertUnchanged(id, before);

        assertScimError(patch(id,
                "{\"op\":\"replace\",\"path\":\"displayName\",\"value\":\"Changed\"}",
                "{\"op\":\"jump\",\"path\":\"title\",\"value\":\"x\"}"), 400, null);
        assertUnchanged(id, before);
        assertThat(api.getUser(org, id).path("meta").path("version").asText()).isEqualTo("W/\"1\"");
    }

    @Test
    void anAttributeNamedTwiceInAnySpellingIsRefusedAndChangesNothing() {
        JsonNode before = api.createUser(org, """
                {"schemas":["%s"],"userName":"named.twice@example.com","active":true,
                 "name":{"givenName":"Old","familyName":"Same"},"%s":{"department":"Kept"}}"""
                .formatted(CORE, ENTERPRISE));
        String id = before.path("id").asText();
        for (String value : List.of(
                "{\"active\":false,\"" + CORE + ":active\":true}",
                "{\"" + CORE + ":active\":true,\"active\":false}",
                "{\"active\":false,\"" + CORE + "\":{\"active\":true}}",
                "{\"name\":{\"givenName\":\"A\"},\"name.givenName\":\"B\"}",
                "{\"name.givenName\":\"B\",\"name\":{\"givenName\":\"A\"}}",
                "{\"title\":\"A\",\"TITLE\":\"B\"}",
                "{\"emails\":[\"a@example.com\"],\"" + CORE + ":emails\":[\"b@example.com\"]}",
                "{\"" + ENTERPRISE + "\":{\"department\":\"A\"},\"" + DEPARTMENT + "\":\"B\"}")) {
            for (String op : List.of("replace", "Add")) {
                ApiClient.Response r = patch(id, "{\"op\":\"" + op + "\",\"value\":" + value + "}");
                assertScimError(r, 400, "invalidSyntax");
                assertThat(r.json().path("detail").asText()).as(value).contains("twice");
                assertUnchanged(id, before);
            }
        }

        // A POST or PUT body is read the same way.
        for (String body : List.of(
                "{\"userName\":\"named.twice.post@example.com\",\"active\":false,\"" + CORE + ":active\":true}",
                "{\"userName\":\"named.twice.post@example.com\",\"name\":{\"givenName\":null,\"GIVENNAME\":\"B\"}}")) {
            assertScimError(api.post(USERS, org.token(), body), 400, "invalidSyntax");
            assertScimError(api.put(USERS + "/" + id, org.token(), body.replace(".post@", "@")), 400, "invalidSyntax");
            assertUnchanged(id, before);
        }
        assertThat(api.list(org, "userName eq \"named.twice.post@example.com\"").path("totalResults").asInt()).isZero();

        // Named once each, the same parts apply.
        JsonNode after = patchOk(id, """
                {"op":"replace","value":{"%s:active":false,"name":{"familyName":"New"},"name.givenName":"B"}}"""
                .formatted(CORE));
        assertThat(after.path("active").asBoolean(true)).isFalse();
        assertThat(after.path("name").path("givenName").asText()).isEqualTo("B");
        assertThat(after.path("name").path("familyName").asText()).isEqualTo("New");
    }

    @Test
    void invalidPathsAre400InvalidPath() {
        JsonNode before = api.createUser(org, user("invalid.path@example.com"));
        String id = before.path("id").asText();
        List<String> paths = List.of(
                "noSuchAttribute",
                "activ",
                "name.noSuchPart",
                ENTERPRISE + ":noSuchThing",
                "userName.first",
                "urn:ietf:params:scim:schemas:core:2.0:Group:displayName",
                "emails[type eq \\\"work\\\"",
                "emails[nosuch eq \\\"x\\\"].value",
                "emails[type eq \\\"work\\\"].nosuch",
                "title[type eq \\\"x\\\"]",
                "emails..value",
                "emails[type eq \\\"work\\\"]]");
        for (String path : paths) {
            assertScimError(patch(id, "{\"op\":\"replace\",\"path\":\"" + path + "\",\"value\":\"x\"}"), 400, "invalidPath");
        }
        assertUnchanged(id, before);
    }

    @Test
    void pathsIntoAnExtensionTheServerDoesNotServeChangeNothing() {
        JsonNode before = api.createUser(org, user("ignored.path@example.com"));
        for (String path : new String[] {"urn:acme:unknown:1.0:User:thing", "urn:acme:unknown:1.0:User:thing.part",
                "urn:acme:unknown:1.0:User"}) {
            ApiClient.Response r = patch(before.path("id").asText(),
                    "{\"op\":\"replace\",\"path\":\"" + path + "\",\"value\":\"x\"}");
            assertThat(r.status()).as(path + ": " + r.text()).isEqualTo(200);
            assertThat(r.header("ETag")).as(path).isEqualTo(before.path("meta").path("version").asText());
        }
        assertUnchanged(before.path("id").asText(), before);
    }

    @Test
    void serverOwnedAttributesAre400Mutability() {
        JsonNode before = api.createUser(org, user("mutability@example.com"));
        String id = before.path("id").asText();
        assertScimError(patch(id, "{\"op\":\"replace\",\"path\":\"id\",\"value\":\"another-id\"}"), 400, "mutability");
        assertScimError(patch(id, "{\"op\":\"Replace\",\"path\":\"ID\",\"value\":\"another-id\"}"), 400, "mutability");
        assertScimError(patch(id, "{\"op\":\"replace\",\"path\":\"meta.created\",\"value\":\"2001-01-01T00:00:00Z\"}"),
                400, "mutability");
        assertScimError(patch(id, "{\"op\":\"add\",\"path\":\"groups\",\"value\":[{\"value\":\"g1\"}]}"), 400, "mutability");
        assertUnchanged(id, before);
    }

    @Test
    void malformedBodiesAre400InvalidSyntax() {
        JsonNode before = api.createUser(org, user("malformed.patch@example.com"));
        String id = before.path("id").asText();
        String path = USERS + "/" + id;
        assertScimError(api.patch(path, org.token(), "{\"schemas\":[\"" + ScimChecks.PATCH_OP + "\"],\"Operations\":[{\"op\":"),
                400, "invalidSyntax");
        assertScimError(api.patch(path, org.token(), "not json at all"), 400, "invalidSyntax");
        assertScimError(api.patch(path, org.token(), "{\"schemas\":[\"" + ScimChecks.PATCH_OP + "\"]}"), 400, "invalidSyntax");
        assertScimError(api.patch(path, org.token(), "{\"schemas\":[\"" + ScimChecks.PATCH_OP + "\"],\"Operations\":[]}"),
                400, "invalidSyntax");
        assertScimError(api.patch(path, org.token(), "{\"Operations\":{\"op\":\"add\"}}"), 400, "invalidSyntax");
        assertScimError(api.patch(path, org.token(), "[{\"op\":\"add\",\"path\":\"title\",\"value\":\"x\"}]"),
                400, "invalidSyntax");
        assertScimError(api.patch(path, org.token(), ""), 400, "invalidSyntax");
        assertUnchanged(id, before);
    }

    @Test
    void renamingToATakenUserNameIs409() {
        api.createUser(org, user("already.taken@example.com"));
        JsonNode before = api.createUser(org, user("wants.rename@example.com"));
        String id = before.path("id").asText();

        assertScimError(patch(id, "{\"op\":\"replace\",\"path\":\"userName\",\"value\":\"Already.Taken@example.com\"}"),
                409, "uniqueness");
        assertScimError(patch(id, "{\"op\":\"replace\",\"value\":{\"userName\":\"already.taken@example.com\"}}"),
                409, "uniqueness");
        assertUnchanged(id, before);

        JsonNode renamed = patchOk(id, "{\"op\":\"replace\",\"path\":\"userName\",\"value\":\"Renamed.Freely@example.com\"}");
        assertThat(renamed.path("userName").asText()).isEqualTo("Renamed.Freely@example.com");
        assertThat(ids(api.list(org, "userName eq \"renamed.freely@example.com\""))).containsExactly(id);
        assertThat(api.list(org, "userName eq \"wants.rename@example.com\"").path("totalResults").asInt()).isZero();
        api.createUser(org, user("wants.rename@example.com"));
    }

    @Test
    void concurrentPatchesLoseNoUpdate() {
        String id = create("""
                {"schemas":["%s"],"userName":"concurrent.patch@example.com",
                 "emails":[{"value":"concurrent.patch@example.com","type":"work","primary":true}]}""".formatted(CORE));
        int n = 30;
        List<Future<ApiClient.Response>> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            all.add(api.send(HttpMethod.PATCH, USERS + "/" + id, org.token(), patchOps(
                    "{\"op\":\"add\",\"path\":\"emails\",\"value\":[{\"value\":\"extra" + i + "@example.com\",\"type\":\"other\"}]}")));
        }
        ApiClient.await(Future.all(all));
        List<Integer> statuses = new ArrayList<>();
        List<String> acknowledged = new ArrayList<>();
        acknowledged.add("work:concurrent.patch@example.com");
        for (int i = 0; i < n; i++) {
            ApiClient.Response r = all.get(i).result();
            statuses.add(r.status());
            if (r.status() == 200) {
                acknowledged.add("other:extra" + i + "@example.com");
            }
        }

        JsonNode stored = api.getUser(org, id);
        assertThat(emails(stored)).as("every acknowledged PATCH is kept").containsAll(acknowledged);
        assertThat(stored.path("meta").path("version").asText()).isEqualTo("W/\"" + acknowledged.size() + "\"");
        assertThat(statuses).as("answers to %d concurrent PATCHes", n).containsOnly(200);

        List<String> expected = new ArrayList<>();
        expected.add("work:concurrent.patch@example.com");
        for (int i = 0; i < n; i++) {
            expected.add("other:extra" + i + "@example.com");
        }
        assertThat(emails(stored)).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(ids(api.list(org, "emails.value eq \"extra17@example.com\""))).containsExactly(id);
    }

    @Test
    void addingAnEmailThatIsAlreadyThereAddsNoDuplicate() {
        String id = create("""
                {"schemas":["%s"],"userName":"idempotent.add@example.com",
                 "emails":[{"value":"same@example.com","type":"work","primary":true}]}""".formatted(CORE));
        JsonNode after = patchOk(id,
                "{\"op\":\"add\",\"path\":\"emails\",\"value\":[{\"value\":\"same@example.com\",\"type\":\"work\"}]}");
        assertThat(emails(after)).containsExactly("work:same@example.com");
        assertThat(after.path("emails").get(0).path("primary").asBoolean()).isTrue();
    }

    @Test
    void makingAnotherEmailPrimaryClearsTheOldPrimary() {
        String id = create("""
                {"schemas":["%s"],"userName":"primary.switch@example.com",
                 "emails":[{"value":"w@primary.example","type":"work","primary":true},
                           {"value":"h@primary.example","type":"home"}]}""".formatted(CORE));
        JsonNode after = patchOk(id,
                "{\"op\":\"replace\",\"path\":\"emails[type eq \\\"home\\\"].primary\",\"value\":true}");
        assertThat(primaryCount(after.path("emails"))).isEqualTo(1);
        assertThat(after.path("emails").get(1).path("primary").asBoolean()).isTrue();
        assertThat(after.path("emails").get(0).path("primary").asBoolean(false)).isFalse();
    }

    @Test
    void replaceThroughAFilterThatMatchesNothingAndDescribesNoValueIs400NoTarget() {
        JsonNode before = api.createUser(org, """
                {"schemas":["%s"],"userName":"no.target@example.com",
                 "emails":[{"value":"no.target@example.com","type":"work"}]}""".formatted(CORE));
        String id = before.path("id").asText();
        assertScimError(patch(id,
                "{\"op\":\"replace\",\"path\":\"emails[value co \\\"zzz\\\"].value\",\"value\":\"z@example.com\"}"),
                400, "noTarget");
        assertUnchanged(id, before);
    }

    @Test
    void aPatchAfterADeleteIs404() {
        String id = create(user("patch.after.delete@example.com"));
        assertThat(api.delete(USERS + "/" + id, org.token()).status()).isEqualTo(204);
        assertScimError(patch(id, "{\"op\":\"replace\",\"path\":\"active\",\"value\":false}"), 404, null);
        assertScimError(api.get(USERS + "/" + id, org.token()), 404, null);
    }
}
