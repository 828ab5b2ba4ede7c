package io.hanzo.kms.scim.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** Create, read, replace, delete and list of /Groups against the real server. */
@ExtendWith(VertxExtension.class)
class GroupsCrudIT {
    private static final String GROUPS = TestOrg.SCIM + "/Groups";
    private static final String USERS = TestOrg.SCIM + "/Users";
    private static final String GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";
    private static final String ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error";
    private static final String LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse";

    private static ApiClient client;
    private static TestOrg org;

    @BeforeAll
    static void start(Vertx vertx) {
        client = new ApiClient(vertx, TestServer.shared().port());
        org = TestOrg.create(client, "GroupsCrud");
    }

    @AfterAll
    static void stop() {
        client.close();
    }

    @Test
    void createAnswers201WithLocationEtagVersionAndMembers() {
        String alice = createUser(org, "alice.crud@example.com", "Alice Example");
        String bob = createUser(org, "bob.crud@example.com", null);

        ApiClient.Response r = client.post(GROUPS, org.token(), """
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],
                 "displayName":"Engineering",
                 "externalId":"ext-engineering-1",
                 "members":[{"value":"%s"},{"value":"%s","type":"User"}]}
                """.formatted(alice, bob));
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        assertThat(r.header("Content-Type")).startsWith("application/scim+json");
        JsonNode body = r.json();
        String id = body.path("id").asText();
        assertThat(UUID.fromString(id).toString()).isEqualTo(id);
        String location = TestServer.shared().baseUrl() + GROUPS + "/" + id;
        assertThat(r.header("Location")).isEqualTo(location);
        assertThat(r.header("ETag")).isEqualTo("W/\"1\"");
        assertThat(texts(body.path("schemas"))).containsExactly(GROUP_SCHEMA);
        assertThat(body.path("displayName").asText()).isEqualTo("Engineering");
        assertThat(body.path("externalId").asText()).isEqualTo("ext-engineering-1");
        JsonNode meta = body.path("meta");
        assertThat(meta.path("resourceType").asText()).isEqualTo("Group");
        assertThat(meta.path("location").asText()).isEqualTo(location);
        assertThat(meta.path("version").asText()).isEqualTo(r.header("ETag"));
        assertThat(meta.path("created").asText()).isNotEmpty();
        assertThat(meta.path("lastModified").asText()).isNotEmpty();

        Map<String, JsonNode> members = membersById(body);
        assertThat(members.keySet()).containsExactlyInAnyOrder(alice, bob);
        String usersUrl = TestServer.shared().baseUrl() + USERS;
        assertThat(members.get(alice).path("$ref").asText()).isEqualTo(usersUrl + "/" + alice);
        assertThat(members.get(alice).path("display").asText()).isEqualTo("Alice Example");
        assertThat(members.get(alice).path("type").asText()).isEqualTo("User");
        assertThat(members.get(bob).path("$ref").asText()).isEqualTo(usersUrl + "/" + bob);
        assertThat(members.get(bob).path("display").asText()).isEqualTo("bob.crud@example.com");
        assertThat(members.get(bob).path("type").asText()).isEqualTo("User");

        ApiClient.Response read = client.get(GROUPS + "/" + id, org.token());
        assertThat(read.status()).as(read.text()).isEqualTo(200);
        assertThat(read.header("ETag")).isEqualTo("W/\"1\"");
        JsonNode g = read.json();
        assertThat(g.path("id").asText()).isEqualTo(id);
        assertThat(g.path("displayName").asText()).isEqualTo("Engineering");
        assertThat(g.path("externalId").asText()).isEqualTo("ext-engineering-1");
        assertThat(g.path("meta").path("version").asText()).isEqualTo("W/\"1\"");
        assertThat(g.path("meta").path("location").asText()).isEqualTo(location);
        assertThat(memberIds(g)).containsExactlyInAnyOrder(alice, bob);
        assertThat(membersById(g).get(alice).path("display").asText()).isEqualTo("Alice Example");
    }

    @Test
    void createWithEmptyMembersListMakesAnEmptyGroup() {
        ApiClient.Response r = client.post(GROUPS, org.token(), """
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Okta Empty","members":[]}
                """);
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        assertThat(memberIds(r.json())).isEmpty();
        ApiClient.Response read = client.get(GROUPS + "/" + r.json().path("id").asText(), org.token());
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.json().path("displayName").asText()).isEqualTo("Okta Empty");
        assertThat(memberIds(read.json())).isEmpty();
    }

    @Test
    void createSkipsMemberIdsThatNameNoUserOfTheOrganisation() {
        String known = createUser(org, "create.known@example.com", null);
        TestOrg elsewhere = TestOrg.create(client, "GroupsCrudMembersElsewhere");
        String foreign = createUser(elsewhere, "create.foreign@example.com", null);

        ApiClient.Response r = client.post(GROUPS, org.token(),
                groupBody("Create Skips Unknown", null, UUID.randomUUID().toString(), known, "not-a-uuid", foreign));
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        assertThat(memberIds(r.json())).containsExactly(known);
        String id = r.json().path("id").asText();
        assertThat(memberIds(client.get(GROUPS + "/" + id, org.token()).json())).containsExactly(known);
        assertThat(client.get(USERS + "/" + foreign, elsewhere.token()).json().path("groups").size()).isZero();
    }

    @Test
    void displayNameIsUniquePerOrganisationInAnyLetterCase() {
        String first = createGroup(org, "Sales Team", null);

        ApiClient.Response dup = client.post(GROUPS, org.token(), groupBody("SALES team", null));
        assertError(dup, 409, "uniqueness");
        ApiClient.Response exact = client.post(GROUPS, org.token(), groupBody("Sales Team", null));
        assertError(exact, 409, "uniqueness");

        String other = createGroup(org, "Sales Other", null);
        ApiClient.Response rename = client.put(GROUPS + "/" + other, org.token(), groupBody("sales team", null));
        assertError(rename, 409, "uniqueness");
        assertThat(client.get(GROUPS + "/" + other, org.token()).json().path("displayName").asText())
                .isEqualTo("Sales Other");

        JsonNode found = list(org, "filter=" + ApiClient.encode("displayName eq \"Sales Team\"")).json();
        assertThat(found.path("totalResults").asInt()).isEqualTo(1);
        assertThat(found.path("Resources").get(0).path("id").asText()).isEqualTo(first);

        TestOrg elsewhere = TestOrg.create(client, "GroupsCrudElsewhere");
        ApiClient.Response sameNameOtherOrg = client.post(GROUPS, elsewhere.token(), groupBody("Sales Team", null));
        assertThat(sameNameOtherOrg.status()).as(sameNameOtherOrg.text()).isEqualTo(201);
    }

    @Test
    void externalIdIsKeptAndFilterable() {
        String id = createGroup(org, "With External", "8c1d2e3f-external");
        JsonNode g = client.get(GROUPS + "/" + id, org.token()).json();
        assertThat(g.path("externalId").asText()).isEqualTo("8c1d2e3f-external");

        JsonNode found = list(org, "filter=" + ApiClient.encode("externalId eq \"8c1d2e3f-external\"")).json();
        assertThat(found.path("totalResults").asInt()).isEqualTo(1);
        assertThat(found.path("Resources").get(0).path("id").asText()).isEqualTo(id);
        assertThat(found.path("Resources").get(0).path("externalId").asText()).isEqualTo("8c1d2e3f-external");
    }

    @Test
    void ldapDistinguishedNamesWorkAsDisplayNamesAndInFilters() {
        String dn = "CN=Admins,OU=Groups,DC=corp";
        String spaced = "CN=Domain Admins,OU=Security Groups,DC=corp,DC=example";
        String user = createUser(org, "ldap.member@example.com", null);
        ApiClient.Response r = client.post(GROUPS, org.token(), """
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],
                 "displayName":"%s","members":[{"value":"%s"}]}
                """.formatted(dn, user));
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        String id = r.json().path("id").asText();
        assertThat(r.json().path("displayName").asText()).isEqualTo(dn);
        String spacedId = createGroup(org, spaced, null);

        assertThat(client.get(GROUPS + "/" + id, org.token()).json().path("displayName").asText()).isEqualTo(dn);

        ApiClient.Response found = list(org, "filter=" + ApiClient.encode("displayName eq \"" + dn + "\""));
        assertThat(found.status()).as(found.text()).isEqualTo(200);
        assertThat(found.json().path("totalResults").asInt()).isEqualTo(1);
        JsonNode hit = found.json().path("Resources").get(0);
        assertThat(hit.path("id").asText()).isEqualTo(id);
        assertThat(hit.path("displayName").asText()).isEqualTo(dn);
        assertThat(memberIds(hit)).containsExactly(user);

        JsonNode lower = list(org, "filter=" + ApiClient.encode("displayName eq \"" + dn.toLowerCase() + "\"")).json();
        assertThat(ids(lower)).containsExactly(id);

        JsonNode spacedFound = list(org, "excludedAttributes=members&filter="
                + ApiClient.encode("displayName eq \"" + spaced + "\"")).json();
        assertThat(ids(spacedFound)).containsExactly(spacedId);

        ApiClient.Response dup = client.post(GROUPS, org.token(), groupBody("cn=admins,ou=groups,dc=corp", null));
        assertError(dup, 409, "uniqueness");
    }

    @Test
    void unknownIdIs404WithScimError() {
        assertError(client.get(GROUPS + "/" + UUID.randomUUID(), org.token()), 404, null);
        assertError(client.get(GROUPS + "/not-a-uuid", org.token()), 404, null);
        assertError(client.put(GROUPS + "/" + UUID.randomUUID(), org.token(), groupBody("Nobody", null)), 404, null);
        assertError(client.delete(GROUPS + "/" + UUID.randomUUID(), org.token()), 404, null);
        assertError(client.patch(GROUPS + "/" + UUID.randomUUID(), org.token(), """
                {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                 "Operations":[{"op":"add","path":"members","value":[{"value":"%s"}]}]}
                """.formatted(UUID.randomUUID())), 404, null);

        TestOrg elsewhere = TestOrg.create(client, "GroupsCrudForeign");
        String foreign = createGroup(elsewhere, "Foreign Group", null);
        assertError(client.get(GROUPS + "/" + foreign, org.token()), 404, null);
        assertError(client.delete(GROUPS + "/" + foreign, org.token()), 404, null);
        assertThat(client.get(GROUPS + "/" + foreign, elsewhere.token()).status()).isEqualTo(200);
    }

    @Test
    void putReplacesTheGroupAndItsMembersExactly() {
        String a = createUser(org, "put.a@example.com", null);
        String b = createUser(org, "put.b@example.com", null);
        String c = createUser(org, "put.c@example.com", null);
        String id = createGroup(org, "Put Target", "put-ext-1", a, b);

        ApiClient.Response r = client.put(GROUPS + "/" + id, org.token(), """
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],
                 "id":"%s",
                 "displayName":"Put Target Renamed",
                 "externalId":"put-ext-2",
                 "members":[{"value":"%s"},{"value":"%s"}]}
                """.formatted(id, b, c));
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.json().path("id").asText()).isEqualTo(id);
        assertThat(r.json().path("displayName").asText()).isEqualTo("Put Target Renamed");
        assertThat(r.json().path("externalId").asText()).isEqualTo("put-ext-2");
        assertThat(memberIds(r.json())).containsExactlyInAnyOrder(b, c);
        assertThat(r.header("ETag")).isEqualTo("W/\"2\"");

        JsonNode g = client.get(GROUPS + "/" + id, org.token()).json();
        assertThat(g.path("displayName").asText()).isEqualTo("Put Target Renamed");
        assertThat(g.path("externalId").asText()).isEqualTo("put-ext-2");
        assertThat(memberIds(g)).containsExactlyInAnyOrder(b, c);
        assertThat(g.path("meta").path("version").asText()).isEqualTo("W/\"2\"");

        assertThat(groupIdsOf(a)).doesNotContain(id);
        assertThat(groupIdsOf(b)).contains(id);
        assertThat(groupIdsOf(c)).contains(id);

        JsonNode byOldName = list(org, "filter=" + ApiClient.encode("displayName eq \"Put Target\"")).json();
        assertThat(byOldName.path("totalResults").asInt()).isZero();
        ApiClient.Response reuse = client.post(GROUPS, org.token(), groupBody("Put Target", null));
        assertThat(reuse.status()).as(reuse.text()).isEqualTo(201);
    }

    @Test
    void membersGivenAsBareIdsAreTheseMembers() {
        String a = createUser(org, "bare.a@example.com", "Bare A");
        String b = createUser(org, "bare.b@example.com", null);
        String c = createUser(org, "bare.c@example.com", null);

        ApiClient.Response created = client.post(GROUPS, org.token(), """
                {"schemas":["%s"],"displayName":"Bare Members","members":["%s",{"value":"%s"},"%s"]}"""
                .formatted(GROUP_SCHEMA, a, b, UUID.randomUUID()));
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        String id = created.json().path("id").asText();
        assertThat(memberIds(created.json())).containsExactlyInAnyOrder(a, b);
        assertThat(membersById(created.json()).get(a).path("display").asText()).isEqualTo("Bare A");
        assertThat(groupIdsOf(a)).containsExactly(id);

        ApiClient.Response replaced = client.put(GROUPS + "/" + id, org.token(), """
                {"schemas":["%s"],"displayName":"Bare Members","members":["%s","%s"]}""".formatted(GROUP_SCHEMA, b, c));
        assertThat(replaced.status()).as(replaced.text()).isEqualTo(200);
        assertThat(memberIds(replaced.json())).containsExactlyInAnyOrder(b, c);
        assertThat(memberIds(client.get(GROUPS + "/" + id, org.token()).json())).containsExactlyInAnyOrder(b, c);
        assertThat(groupIdsOf(a)).isEmpty();

        // Only a string is an id: anything else bare is refused, and nothing changes.
        for (String bad : List.of("7", "true", "null", "[\"" + a + "\"]")) {
            assertError(client.post(GROUPS, org.token(), """
                    {"schemas":["%s"],"displayName":"Bare Refused","members":["%s",%s]}""".formatted(GROUP_SCHEMA, a, bad)),
                    400, "invalidValue");
            assertError(client.put(GROUPS + "/" + id, org.token(), """
                    {"schemas":["%s"],"displayName":"Bare Members","members":["%s",%s]}""".formatted(GROUP_SCHEMA, a, bad)),
                    400, "invalidValue");
        }
        JsonNode after = client.get(GROUPS + "/" + id, org.token()).json();
        assertThat(memberIds(after)).containsExactlyInAnyOrder(b, c);
        assertThat(after.path("meta").path("version").asText()).isEqualTo("W/\"2\"");
        assertThat(list(org, "filter=" + ApiClient.encode("displayName eq \"Bare Refused\"")).json()
                .path("totalResults").asInt()).isZero();
    }

    @Test
    void attributesInAnObjectNamedByTheCoreSchemaAreTheGroups() {
        String a = createUser(org, "core.object.a@example.com", null);
        String b = createUser(org, "core.object.b@example.com", null);

        ApiClient.Response created = client.post(GROUPS, org.token(), """
                {"schemas":["%1$s"],"%1$s":{"displayName":"Core Object Group","members":[{"value":"%2$s"}]},
                 "externalId":"core-object-1"}""".formatted(GROUP_SCHEMA, a));
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        String id = created.json().path("id").asText();
        assertThat(created.json().path("displayName").asText()).isEqualTo("Core Object Group");
        assertThat(created.json().path("externalId").asText()).isEqualTo("core-object-1");
        assertThat(memberIds(created.json())).containsExactly(a);

        ApiClient.Response replaced = client.put(GROUPS + "/" + id, org.token(), """
                {"schemas":["%1$s"],"displayName":"Core Object Group","%2$s":{"externalId":"core-object-2",
                 "members":["%3$s"]}}""".formatted(GROUP_SCHEMA, GROUP_SCHEMA.toUpperCase(), b));
        assertThat(replaced.status()).as(replaced.text()).isEqualTo(200);
        JsonNode g = client.get(GROUPS + "/" + id, org.token()).json();
        assertThat(g.path("externalId").asText()).isEqualTo("core-object-2");
        assertThat(memberIds(g)).containsExactly(b);

        ApiClient.Response twice = client.put(GROUPS + "/" + id, org.token(), """
                {"displayName":"Core Object Group","%s":{"DISPLAYNAME":"Renamed Inside"}}""".formatted(GROUP_SCHEMA));
        assertError(twice, 400, "invalidSyntax");
        assertThat(twice.json().path("detail").asText()).contains("'displayName'");
        assertError(client.put(GROUPS + "/" + id, org.token(), """
                {"displayName":"Core Object Group","%s":["%s"]}""".formatted(GROUP_SCHEMA, a)), 400, "invalidSyntax");
        JsonNode after = client.get(GROUPS + "/" + id, org.token()).json();
        assertThat(after.path("meta").path("version")).isEqualTo(g.path("meta").path("version"));
        assertThat(memberIds(after)).containsExactly(b);
    }

    @Test
    void putOverwriteWithTheSameMembersInAnotherOrderKeepsThem() {
        String a = createUser(org, "overwrite.a@example.com", null);
        String b = createUser(org, "overwrite.b@example.com", null);
        String c = createUser(org, "overwrite.c@example.com", null);
        String id = createGroup(org, "Overwrite Target", null, a, b, c);

        ApiClient.Response r = client.put(GROUPS + "/" + id, org.token(), """
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],
                 "displayName":"Overwrite Target",
                 "members":[{"value":"%s"},{"value":"%s"},{"value":"%s"}]}
                """.formatted(c, a, b));
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(memberIds(client.get(GROUPS + "/" + id, org.token()).json())).containsExactlyInAnyOrder(a, b, c);
    }

    @Test
    void putWithoutMembersLeavesTheGroupEmpty() {
        String a = createUser(org, "putempty.a@example.com", null);
        String b = createUser(org, "putempty.b@example.com", null);
        String id = createGroup(org, "Put Empty", null, a, b);

        ApiClient.Response r = client.put(GROUPS + "/" + id, org.token(), groupBody("Put Empty", null));
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(memberIds(r.json())).isEmpty();
        JsonNode g = client.get(GROUPS + "/" + id, org.token()).json();
        assertThat(g.path("displayName").asText()).isEqualTo("Put Empty");
        assertThat(memberIds(g)).isEmpty();
        assertThat(groupIdsOf(a)).doesNotContain(id);
        assertThat(groupIdsOf(b)).doesNotContain(id);

        JsonNode byMember = list(org, "filter=" + ApiClient.encode("members[value eq \"" + a + "\"]")).json();
        assertThat(ids(byMember)).doesNotContain(id);
    }

    @Test
    void deleteRemovesTheGroupButNotItsMembers() {
        String a = createUser(org, "delete.a@example.com", null);
        String b = createUser(org, "delete.b@example.com", null);
        String keep = createGroup(org, "Delete Keeps", null, a);
        String id = createGroup(org, "Delete Me", null, a, b);
        assertThat(groupIdsOf(a)).contains(id, keep);

        ApiClient.Response del = client.delete(GROUPS + "/" + id, org.token());
        assertThat(del.status()).as(del.text()).isEqualTo(204);
        assertThat(del.text()).isNullOrEmpty();

        assertError(client.get(GROUPS + "/" + id, org.token()), 404, null);
        assertError(client.delete(GROUPS + "/" + id, org.token()), 404, null);

        ApiClient.Response userA = client.get(USERS + "/" + a, org.token());
        ApiClient.Response userB = client.get(USERS + "/" + b, org.token());
        assertThat(userA.status()).isEqualTo(200);
        assertThat(userB.status()).isEqualTo(200);
        assertThat(groupIdsOf(userA.json())).containsExactly(keep);
        assertThat(groupIdsOf(userB.json())).isEmpty();

        JsonNode byName = list(org, "filter=" + ApiClient.encode("displayName eq \"Delete Me\"")).json();
        assertThat(byName.path("totalResults").asInt()).isZero();
        JsonNode byMember = list(org, "filter=" + ApiClient.encode("members[value eq \"" + b + "\"]")).json();
        assertThat(byMember.path("totalResults").asInt()).isZero();

        ApiClient.Response again = client.post(GROUPS, org.token(), groupBody("Delete Me", null));
        assertThat(again.status()).as(again.text()).isEqualTo(201);
    }

    @Test
    void userGroupsAttributeListsDirectGroupsAndDeletingTheUserRemovesItEverywhere() {
        String gone = createUser(org, "leaver@example.com", "The Leaver");
        String stays = createUser(org, "stayer@example.com", null);
        String g1 = createGroup(org, "Leaver Group One", null, gone, stays);
        String g2 = createGroup(org, "Leaver Group Two", null, gone);

        ApiClient.Response user = client.get(USERS + "/" + gone, org.token());
        assertThat(user.status()).isEqualTo(200);
        Map<String, JsonNode> groups = new HashMap<>();
        for (JsonNode g : user.json().path("groups")) {
            groups.put(g.path("value").asText(), g);
        }
        assertThat(groups.keySet()).containsExactlyInAnyOrder(g1, g2);
        String groupsUrl = TestServer.shared().baseUrl() + GROUPS;
        assertThat(groups.get(g1).path("$ref").asText()).isEqualTo(groupsUrl + "/" + g1);
        assertThat(groups.get(g1).path("display").asText()).isEqualTo("Leaver Group One");
        assertThat(groups.get(g1).path("type").asText()).isEqualTo("direct");
        assertThat(groups.get(g2).path("$ref").asText()).isEqualTo(groupsUrl + "/" + g2);
        assertThat(groups.get(g2).path("display").asText()).isEqualTo("Leaver Group Two");
        assertThat(groups.get(g2).path("type").asText()).isEqualTo("direct");

        ApiClient.Response del = client.delete(USERS + "/" + gone, org.token());
        assertThat(del.status()).as(del.text()).isEqualTo(204);

        assertThat(memberIds(client.get(GROUPS + "/" + g1, org.token()).json())).containsExactly(stays);
        assertThat(memberIds(client.get(GROUPS + "/" + g2, org.token()).json())).isEmpty();
        JsonNode byMember = list(org, "filter=" + ApiClient.encode("members[value eq \"" + gone + "\"]")).json();
        assertThat(byMember.path("totalResults").asInt()).isZero();
        assertThat(groupIdsOf(stays)).containsExactly(g1);
    }

    @Test
    void listFiltersByDisplayNameExternalIdIdAndMember() {
        String member = createUser(org, "filter.member@example.com", null);
        String other = createUser(org, "filter.other@example.com", null);
        String admins = createGroup(org, "Admins", "admins-ext-77", member);
        String adminsToo = createGroup(org, "Admins Too", "admins-ext-78", other);

        assertThat(ids(listOk(org, "filter=" + ApiClient.encode("DISPLAYNAME EQ \"admins\"")))).containsExactly(admins);
        assertThat(ids(listOk(org, "filter=" + ApiClient.encode("displayName eq \"ADMINS\"")))).containsExactly(admins);
        assertThat(ids(listOk(org, "filter=" + ApiClient.encode("displayname Eq \"Admins Too\"")))).containsExactly(adminsToo);
        assertThat(ids(listOk(org, "filter=" + ApiClient.encode("externalId eq \"admins-ext-77\"")))).containsExactly(admins);
        assertThat(ids(listOk(org, "filter=" + ApiClient.encode("id eq \"" + adminsToo + "\"")))).containsExactly(adminsToo);
        assertThat(ids(listOk(org, "filter=" + ApiClient.encode("members[value eq \"" + member + "\"]")))).containsExactly(admins);
        assertThat(ids(listOk(org, "filter=" + ApiClient.encode("members.value eq \"" + other + "\"")))).containsExactly(adminsToo);
        assertThat(ids(listOk(org, "filter=" + ApiClient.encode("members[value eq \"" + member + "\" or value eq \""
                + other + "\"]")))).containsExactlyInAnyOrder(admins, adminsToo);
        assertThat(ids(listOk(org, "filter=" + ApiClient.encode("members[value eq \"" + UUID.randomUUID() + "\"]")))).isEmpty();
        // A UUID's text has no case (RFC 9562 §4): ids in upper case match, as /Groups/<ID> finds the group.
        assertThat(ids(listOk(org, "filter=" + ApiClient.encode("members.value eq \"" + other.toUpperCase(Locale.ROOT)
                + "\"")))).containsExactly(adminsToo);
        assertThat(ids(listOk(org, "filter=" + ApiClient.encode("id eq \"" + adminsToo.toUpperCase(Locale.ROOT) + "\""))))
                .containsExactly(adminsToo);
        assertThat(ids(listOk(org, "filter=" + ApiClient.encode("displayName eq \"Admins\" and members[value eq \""
                + other + "\"]")))).isEmpty();

        JsonNode hit = listOk(org, "filter=" + ApiClient.encode("displayName eq \"Admins\""));
        assertThat(texts(hit.path("schemas"))).containsExactly(LIST_SCHEMA);
        assertThat(hit.path("totalResults").isIntegralNumber()).isTrue();
        assertThat(hit.path("totalResults").asInt()).isEqualTo(1);
        JsonNode resource = hit.path("Resources").get(0);
        assertThat(resource.path("externalId").asText()).isEqualTo("admins-ext-77");
        assertThat(memberIds(resource)).containsExactly(member);
        assertThat(membersById(resource).get(member).path("$ref").asText())
                .isEqualTo(TestServer.shared().baseUrl() + USERS + "/" + member);
    }

    @Test
    void excludedAttributesAndAttributesLeaveMembersOut() {
        String member = createUser(org, "projection.member@example.com", null);
        String id = createGroup(org, "Projection Group", "projection-ext", member);
        String byName = "filter=" + ApiClient.encode("displayName eq \"Projection Group\"");

        ApiClient.Response excluded = client.get(GROUPS + "/" + id + "?excludedAttributes=members", org.token());
        assertThat(excluded.status()).as(excluded.text()).isEqualTo(200);
        assertThat(excluded.json().has("members")).isFalse();
        assertThat(excluded.json().path("id").asText()).isEqualTo(id);
        assertThat(excluded.json().path("displayName").asText()).isEqualTo("Projection Group");

        ApiClient.Response onlyName = client.get(GROUPS + "/" + id + "?attributes=displayName", org.token());
        assertThat(onlyName.status()).as(onlyName.text()).isEqualTo(200);
        assertThat(onlyName.json().has("members")).isFalse();
        assertThat(onlyName.json().path("id").asText()).isEqualTo(id);
        assertThat(onlyName.json().path("displayName").asText()).isEqualTo("Projection Group");

        JsonNode listExcluded = listOk(org, "excludedAttributes=members&" + byName);
        assertThat(listExcluded.path("totalResults").asInt()).isEqualTo(1);
        assertThat(listExcluded.path("Resources").get(0).has("members")).isFalse();
        assertThat(listExcluded.path("Resources").get(0).path("displayName").asText()).isEqualTo("Projection Group");

        JsonNode listOnlyName = listOk(org, "attributes=displayName&" + byName);
        assertThat(listOnlyName.path("totalResults").asInt()).isEqualTo(1);
        assertThat(listOnlyName.path("Resources").get(0).has("members")).isFalse();
        assertThat(listOnlyName.path("Resources").get(0).path("displayName").asText()).isEqualTo("Projection Group");

        JsonNode withMembers = listOk(org, "attributes=displayName,members&" + byName);
        assertThat(memberIds(withMembers.path("Resources").get(0))).containsExactly(member);

        JsonNode stillThere = client.get(GROUPS + "/" + id, org.token()).json();
        assertThat(memberIds(stillThere)).containsExactly(member);
    }

    /**
     * RFC 7644 §3.4.2.2: {@code ne} on the multi-valued members asks for a member whose value differs,
     * as on a user's emails; a group without members has none.
     */
    @Test
    void memberValueNeFindsTheGroupsWithSomeOtherMember() {
        TestOrg o = TestOrg.create(client, "GroupsCrudMemberNe");
        String a = createUser(o, "ne.a@example.com", null);
        String b = createUser(o, "ne.b@example.com", null);
        String onlyA = createGroup(o, "Only A", null, a);
        String both = createGroup(o, "A and B", null, a, b);
        String onlyB = createGroup(o, "Only B", null, b);
        String empty = createGroup(o, "Nobody", null);

        for (String filter : List.of("members.value ne \"" + a + "\"", "members[value ne \"" + a + "\"]",
                "members.value ne \"" + a.toUpperCase(Locale.ROOT) + "\"")) {
            assertThat(ids(listOk(o, "filter=" + ApiClient.encode(filter)))).as(filter).containsExactly(both, onlyB);
        }
        for (String filter : List.of("members.value ne \"" + UUID.randomUUID() + "\"", "members.value ne \"not an id\"",
                "members[value ne \"" + a + "\" or value eq \"" + a + "\"]")) {
            assertThat(ids(listOk(o, "filter=" + ApiClient.encode(filter)))).as(filter).containsExactly(onlyA, both, onlyB);
        }
        assertThat(ids(listOk(o, "filter=" + ApiClient.encode("not (members.value ne \"" + a + "\")"))))
                .containsExactly(onlyA, empty);
        // Unchanged: "not eq" is every group without that member, the empty one included.
        assertThat(ids(listOk(o, "filter=" + ApiClient.encode("not (members.value eq \"" + a + "\")"))))
                .containsExactly(onlyB, empty);
        assertThat(ids(listOk(o, "filter=" + ApiClient.encode("displayName eq \"Only A\" and members.value ne \""
                + a + "\"")))).isEmpty();
        assertThat(ids(listOk(o, "filter=" + ApiClient.encode("displayName eq \"Only A\" and members.value ne \""
                + b + "\"")))).containsExactly(onlyA);
    }

    @Test
    void memberFilterOtherThanByValueIsInvalidFilter() {
        createGroup(org, "Invalid Filter Group", null);
        for (String filter : List.of(
                "members[display eq \"x\"]",
                "members.display eq \"x\"",
                "members[type eq \"User\"]",
                "members[value sw \"abc\"]",
                "members.value co \"abc\"",
                "nonsense eq \"x\"")) {
            ApiClient.Response r = client.get(GROUPS + "?filter=" + ApiClient.encode(filter), org.token());
            assertError(r, 400, "invalidFilter");
        }
    }

    @Test
    void pagingWithStartIndexAndCountReportsAllMatches() {
        TestOrg paged = TestOrg.create(client, "GroupsCrudPaging");
        Set<String> created = new LinkedHashSet<>();
        for (int i = 0; i < 5; i++) {
            created.add(createGroup(paged, "Paged Group " + i, null));
        }

        List<String> seen = new ArrayList<>();
        for (int start = 1; start <= 5; start += 2) {
            JsonNode page = listOk(paged, "startIndex=" + start + "&count=2");
            assertThat(page.path("totalResults").isIntegralNumber()).isTrue();
            assertThat(page.path("totalResults").asInt()).isEqualTo(5);
            assertThat(page.path("startIndex").isIntegralNumber()).isTrue();
            assertThat(page.path("startIndex").asInt()).isEqualTo(start);
            assertThat(page.path("itemsPerPage").isIntegralNumber()).isTrue();
            int expected = Math.min(2, 5 - start + 1);
            assertThat(page.path("itemsPerPage").asInt()).isEqualTo(expected);
            assertThat(page.path("Resources").size()).isEqualTo(expected);
            seen.addAll(ids(page));
        }
        assertThat(seen).hasSize(5).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(created);

        JsonNode all = listOk(paged, "");
        assertThat(ids(all)).containsExactlyElementsOf(seen);

        JsonNode zero = listOk(paged, "count=0");
        assertThat(zero.path("totalResults").asInt()).isEqualTo(5);
        assertThat(zero.path("Resources").size()).isZero();

        JsonNode beyond = listOk(paged, "startIndex=10&count=2");
        assertThat(beyond.path("totalResults").asInt()).isEqualTo(5);
        assertThat(beyond.path("Resources").size()).isZero();

        JsonNode filtered = listOk(paged, "startIndex=2&count=10&filter="
                + ApiClient.encode("displayName eq \"Paged Group 3\""));
        assertThat(filtered.path("totalResults").asInt()).isEqualTo(1);
        assertThat(filtered.path("Resources").size()).isZero();
    }

    @Test
    void entraTestConnectionLookupOfARandomGroupIsAnEmptyList() {
        String random = UUID.randomUUID().toString();
        ApiClient.Response r = client.get(GROUPS + "?excludedAttributes=members&filter="
                + ApiClient.encode("displayName eq \"" + random + "\""), org.token());
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.header("Content-Type")).startsWith("application/scim+json");
        JsonNode body = r.json();
        assertThat(texts(body.path("schemas"))).containsExactly(LIST_SCHEMA);
        assertThat(body.path("totalResults").isIntegralNumber()).isTrue();
        assertThat(body.path("totalResults").asInt()).isZero();
        assertThat(body.path("Resources").size()).isZero();

        TestOrg empty = TestOrg.create(client, "GroupsCrudEmpty");
        JsonNode none = listOk(empty, "");
        assertThat(none.path("totalResults").asInt()).isZero();
        assertThat(none.path("Resources").size()).isZero();
    }

    private static String createUser(TestOrg o, String userName, String displayName) {
        String body = displayName == null
                ? "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],\"userName\":\"" + userName + "\"}"
                : "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],\"userName\":\"" + userName
                + "\",\"displayName\":\"" + displayName + "\"}";
        ApiClient.Response r = client.post(USERS, o.token(), body);
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        return r.json().path("id").asText();
    }

    private static String groupBody(String displayName, String externalId, String... memberIds) {
        StringBuilder b = new StringBuilder("{\"schemas\":[\"").append(GROUP_SCHEMA).append("\"],\"displayName\":\"")
                .append(displayName).append('"');
        if (externalId != null) {
            b.append(",\"externalId\":\"").append(externalId).append('"');
        }
        if (memberIds.length > 0) {
            b.append(",\"members\":[");
            for (int i = 0; i < memberIds.length; i++) {
                b.append(i > 0 ? "," : "").append("{\"value\":\"").append(memberIds[i]).append("\"}");
            }
            b.append(']');
        }
        return b.append('}').toString();
    }

    private static String createGroup(TestOrg o, String displayName, String externalId, String... memberIds) {
        ApiClient.Response r = client.post(GROUPS, o.token(), groupBody(displayName, externalId, memberIds));
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        return r.json().path("id").asText();
    }

    private static ApiClient.Response list(TestOrg o, String query) {
        return client.get(GROUPS + (query.isEmpty() ? "" : "?" + query), o.token());
    }

    private static JsonNode listOk(TestOrg o, String query) {
        ApiClient.Response r = list(o, query);
        assertThat(r.status()).as(query + " -> " + r.text()).isEqualTo(200);
        return r.json();
    }

    private static List<String> ids(JsonNode listResponse) {
        List<String> out = new ArrayList<>();
        for (JsonNode g : listResponse.path("Resources")) {
            out.add(g.path("id").asText());
        }
        return out;
    }

    private static List<String> memberIds(JsonNode group) {
        List<String> out = new ArrayList<>();
        for (JsonNode m : group.path("members")) {
            out.add(m.path("value").asText());
        }
        return out;
    }

    private static Map<String, JsonNode> membersById(JsonNode group) {
        Map<String, JsonNode> out = new HashMap<>();
        for (JsonNode m : group.path("members")) {
            assertThat(out.put(m.path("value").asText(), m)).as("duplicate member " + m).isNull();
        }
        return out;
    }

    private static List<String> groupIdsOf(String userId) {
        ApiClient.Response r = client.get(USERS + "/" + userId, org.token());
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        return groupIdsOf(r.json());
    }

    private static List<String> groupIdsOf(JsonNode user) {
        List<String> out = new ArrayList<>();
        for (JsonNode g : user.path("groups")) {
            out.add(g.path("value").asText());
        }
        return out;
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static void assertError(ApiClient.Response r, int status, String scimType) {
        assertThat(r.status()).as(r.text()).isEqualTo(status);
        JsonNode body = r.json();
        assertThat(texts(body.path("schemas"))).as(r.text()).contains(ERROR_SCHEMA);
        assertThat(body.path("status").isTextual()).as(r.text()).isTrue();
        assertThat(body.path("status").asText()).isEqualTo(Integer.toString(status));
        if (scimType != null) {
            assertThat(body.path("scimType").asText()).as(r.text()).isEqualTo(scimType);
        }
    }
}
