package io.hanzo.kms.scim.it;

import static io.hanzo.kms.scim.it.ScimChecks.assertScimError;
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

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/** PATCH of /Groups in every form the identity providers send, atomicity and concurrency. */
@ExtendWith(VertxExtension.class)
class GroupsPatchIT {
    private static final String GROUPS = TestOrg.SCIM + "/Groups";
    private static final String USERS = TestOrg.SCIM + "/Users";
    private static final String ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error";
    private static final String PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
    private static final AtomicInteger USER_SEQ = new AtomicInteger();

    private static ApiClient client;
    private static TestOrg org;

    @BeforeAll
    static void start(Vertx vertx) {
        client = new ApiClient(vertx, TestServer.shared().port());
        org = TestOrg.create(client, "GroupsPatch");
    }

    @AfterAll
    static void stop() {
        client.close();
    }

    @Test
    void addMembersWithPathMembers() {
        List<String> u = users(3);
        String g = createGroup("Patch Add", u.get(0));

        ApiClient.Response r = patch(g, "{\"op\":\"add\",\"path\":\"members\",\"value\":" + memberList(u.get(1), u.get(2)) + "}");
        assertThat(r.status()).as(r.text()).isEqualTo(204);
        assertThat(r.text()).isNullOrEmpty();
        assertThat(r.header("ETag")).isEqualTo("W/\"2\"");

        JsonNode group = read(g);
        assertThat(memberIds(group)).containsExactlyInAnyOrderElementsOf(u);
        assertThat(group.path("meta").path("version").asText()).isEqualTo("W/\"2\"");
        assertThat(groupIdsOf(u.get(2))).containsExactly(g);
    }

    @Test
    void addWithSingleMemberObjectAsValue() {
        List<String> u = users(1);
        String g = createGroup("Patch Add Single");
        ApiClient.Response r = patch(g, "{\"op\":\"add\",\"path\":\"members\",\"value\":{\"value\":\"" + u.get(0) + "\"}}");
        assertThat(r.status()).as(r.text()).isEqualTo(204);
        assertThat(memberIds(read(g))).containsExactly(u.get(0));
    }

    @Test
    void membersGivenAsBareIdsAreTheseMembers() {
        List<String> u = users(4);
        String g = createGroup("Patch Bare Ids", u.get(0));

        ApiClient.Response added = patchOps(g, "[{\"op\":\"add\",\"path\":\"members\",\"value\":[\"" + u.get(1) + "\"]},"
                + "{\"op\":\"add\",\"path\":\"members\",\"value\":\"" + u.get(2) + "\"}]");
        assertThat(added.status()).as(added.text()).isEqualTo(204);
        assertThat(memberIds(read(g))).containsExactlyInAnyOrder(u.get(0), u.get(1), u.get(2));
        assertThat(groupIdsOf(u.get(2))).containsExactly(g);

        ApiClient.Response removed = patch(g, "{\"op\":\"Remove\",\"path\":\"members\",\"value\":[\"" + u.get(0) + "\"]}");
        assertThat(removed.status()).as(removed.text()).isEqualTo(204);
        assertThat(memberIds(read(g))).containsExactlyInAnyOrder(u.get(1), u.get(2));

        ApiClient.Response replaced = patch(g, "{\"op\":\"replace\",\"path\":\"members\",\"value\":[\"" + u.get(3) + "\"]}");
        assertThat(replaced.status()).as(replaced.text()).isEqualTo(204);
        assertThat(memberIds(read(g))).containsExactly(u.get(3));

        ApiClient.Response pathless = patch(g, "{\"op\":\"replace\",\"value\":{\"displayName\":\"Patch Bare Ids 2\","
                + "\"members\":[\"" + u.get(0) + "\",{\"value\":\"" + u.get(1) + "\"}]}}");
        assertThat(pathless.status()).as(pathless.text()).isEqualTo(204);
        JsonNode group = read(g);
        assertThat(memberIds(group)).containsExactlyInAnyOrder(u.get(0), u.get(1));
        assertThat(group.path("displayName").asText()).isEqualTo("Patch Bare Ids 2");
        assertThat(groupIdsOf(u.get(3))).isEmpty();
    }

    @Test
    void aPathlessValueThatNamesDisplayNameTwiceIsRefused() {
        List<String> u = users(1);
        String g = createGroup("Patch Named Twice", u.get(0));
        JsonNode before = read(g);
        for (String value : List.of(
                "{\"displayName\":\"A\",\"urn:ietf:params:scim:schemas:core:2.0:Group:displayName\":\"B\"}",
                "{\"displayName\":\"A\",\"urn:ietf:params:scim:schemas:core:2.0:Group\":{\"displayName\":\"B\"}}",
                "{\"displayName\":\"A\",\"DisplayName\":\"B\"}")) {
            ApiClient.Response r = patchOps(g, "[{\"op\":\"add\",\"path\":\"members\",\"value\":[]},"
                    + "{\"op\":\"replace\",\"value\":" + value + "}]");
            assertError(r, 400, "invalidSyntax");
            assertThat(read(g)).as(value).isEqualTo(before);
        }
    }

    @Test
    void removeByValueFilterPath() {
        List<String> u = users(4);
        String g = createGroup("Patch Remove Filter", u.toArray(new String[0]));

        ApiClient.Response r = patch(g, "{\"op\":\"remove\",\"path\":\"members[value eq \\\"" + u.get(1) + "\\\"]\"}");
        assertThat(r.status()).as(r.text()).isEqualTo(204);
        assertThat(memberIds(read(g))).containsExactlyInAnyOrder(u.get(0), u.get(2), u.get(3));
        assertThat(groupIdsOf(u.get(1))).doesNotContain(g);

        ApiClient.Response or = patch(g, "{\"op\":\"remove\",\"path\":\"members[value eq \\\"" + u.get(0)
                + "\\\" or value eq \\\"" + u.get(3) + "\\\"]\"}");
        assertThat(or.status()).as(or.text()).isEqualTo(204);
        assertThat(memberIds(read(g))).containsExactly(u.get(2));
    }

    @Test
    void entraRemoveWithValueListAndAddWithNullRef() {
        List<String> u = users(4);
        String g = createGroup("Patch Entra", u.get(0), u.get(1));

        ApiClient.Response remove = patch(g, "{\"op\":\"Remove\",\"path\":\"members\",\"value\":[{\"value\":\"" + u.get(0) + "\"}]}");
        assertThat(remove.status()).as(remove.text()).isEqualTo(204);
        assertThat(memberIds(read(g))).containsExactly(u.get(1));

        ApiClient.Response add = patch(g, "{\"op\":\"Add\",\"path\":\"members\",\"value\":[{\"$ref\":null,\"value\":\""
                + u.get(2) + "\"},{\"$ref\":null,\"value\":\"" + u.get(3) + "\"}]}");
        assertThat(add.status()).as(add.text()).isEqualTo(204);
        assertThat(memberIds(read(g))).containsExactlyInAnyOrder(u.get(1), u.get(2), u.get(3));
    }

    @Test
    void membersNamedByTheirUrnAreMembersAndNeverStoredAttributes() {
        List<String> u = users(4);
        String core = "urn:ietf:params:scim:schemas:core:2.0:Group";
        ApiClient.Response created = client.post(GROUPS, org.token(), "{\"displayName\":\"Urn Members\",\"" + core
                + ":members\":" + memberList(u.get(0)) + "}");
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        String g = created.json().path("id").asText();
        assertThat(memberIds(read(g))).containsExactly(u.get(0));

        assertThat(patch(g, "{\"op\":\"add\",\"value\":{\"" + core + ":members\":" + memberList(u.get(1)) + "}}")
                .status()).isEqualTo(204);
        assertThat(patch(g, "{\"op\":\"add\",\"value\":{\"" + core + "\":{\"members\":" + memberList(u.get(2))
                + "}}}").status()).isEqualTo(204);
        ApiClient.Response r = client.get(GROUPS + "/" + g, org.token());
        // One members key, and every member a real one: the user's groups and a filter agree.
        assertThat(r.text().split("\"members\"", -1)).hasSize(2);
        assertThat(memberIds(r.json())).containsExactlyInAnyOrder(u.get(0), u.get(1), u.get(2));
        assertThat(groupIdsOf(u.get(2))).contains(g);

        // Members given twice, or a member's value given twice, are refused and change nothing.
        assertScimError(patch(g, "{\"op\":\"add\",\"value\":{\"members\":" + memberList(u.get(3)) + ",\"Members\":[]}}"),
                400, "invalidSyntax");
        assertScimError(patch(g, "{\"op\":\"add\",\"path\":\"members\",\"value\":[{\"value\":\"" + u.get(3)
                + "\",\"VALUE\":\"typo\"}]}"), 400, "invalidSyntax");
        assertThat(memberIds(read(g))).containsExactlyInAnyOrder(u.get(0), u.get(1), u.get(2));
    }

    @Test
    void removeWithAnEmptyValueListRemovesNobody() {
        List<String> u = users(2);
        String g = createGroup("Patch Remove None", u.get(0), u.get(1));

        ApiClient.Response none = patch(g, "{\"op\":\"Remove\",\"path\":\"members\",\"value\":[]}");
        assertThat(none.status()).as(none.text()).isEqualTo(204);
        assertThat(memberIds(read(g))).containsExactlyInAnyOrder(u.get(0), u.get(1));

        // Without a value, or with null, it is the RFC's remove of the whole attribute.
        ApiClient.Response all = patch(g, "{\"op\":\"remove\",\"path\":\"members\",\"value\":null}");
        assertThat(all.status()).as(all.text()).isEqualTo(204);
        assertThat(memberIds(read(g))).isEmpty();
    }

    @Test
    void replaceMembersSetsExactlyTheGivenList() {
        List<String> u = users(4);
        String g = createGroup("Patch Replace Members", u.get(0), u.get(1), u.get(2));

        ApiClient.Response r = patch(g, "{\"op\":\"replace\",\"path\":\"members\",\"value\":" + memberList(u.get(2), u.get(3)) + "}");
        assertThat(r.status()).as(r.text()).isEqualTo(204);
        assertThat(memberIds(read(g))).containsExactlyInAnyOrder(u.get(2), u.get(3));
        assertThat(groupIdsOf(u.get(0))).doesNotContain(g);
        assertThat(groupIdsOf(u.get(3))).contains(g);

        ApiClient.Response empty = patch(g, "{\"op\":\"replace\",\"path\":\"members\",\"value\":[]}");
        assertThat(empty.status()).as(empty.text()).isEqualTo(204);
        assertThat(memberIds(read(g))).isEmpty();
    }

    @Test
    void oktaRenameWithPathlessReplaceIgnoresId() {
        List<String> u = users(2);
        String g = createGroup("Okta Before Rename", u.get(0), u.get(1));

        ApiClient.Response r = patch(g, "{\"op\":\"replace\",\"value\":{\"id\":\"" + g + "\",\"displayName\":\"Okta After Rename\"}}");
        assertThat(r.status()).as(r.text()).isEqualTo(204);
        JsonNode group = read(g);
        assertThat(group.path("id").asText()).isEqualTo(g);
        assertThat(group.path("displayName").asText()).isEqualTo("Okta After Rename");
        assertThat(memberIds(group)).containsExactlyInAnyOrderElementsOf(u);

        String otherId = UUID.randomUUID().toString();
        ApiClient.Response again = patch(g, "{\"op\":\"replace\",\"value\":{\"id\":\"" + otherId
                + "\",\"displayName\":\"Okta Renamed Twice\"}}");
        assertThat(again.status()).as(again.text()).isEqualTo(204);
        JsonNode twice = read(g);
        assertThat(twice.path("id").asText()).isEqualTo(g);
        assertThat(twice.path("displayName").asText()).isEqualTo("Okta Renamed Twice");
        assertThat(client.get(GROUPS + "/" + otherId, org.token()).status()).isEqualTo(404);

        assertThat(idsByDisplayName("Okta Before Rename")).isEmpty();
        assertThat(idsByDisplayName("Okta After Rename")).isEmpty();
        assertThat(idsByDisplayName("okta renamed twice")).containsExactly(g);
        JsonNode user = client.get(USERS + "/" + u.get(0), org.token()).json();
        assertThat(user.path("groups").get(0).path("display").asText()).isEqualTo("Okta Renamed Twice");
    }

    @Test
    void aPathIntoAnUnknownExtensionIsPassedOverAndTheRestApplies() {
        List<String> u = users(2);
        String g = createGroup("Custom Extension Before", u.get(0));
        String custom = "urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:Group";

        ApiClient.Response r = patchOps(g, "[{\"op\":\"Replace\",\"path\":\"" + custom + ":CustomAttribute\",\"value\":\"b\"},"
                + "{\"op\":\"Replace\",\"path\":\"displayName\",\"value\":\"Custom Extension After\"},"
                + "{\"op\":\"Add\",\"path\":\"members\",\"value\":" + memberList(u.get(1)) + "}]");
        assertThat(r.status()).as(r.text()).isEqualTo(204);
        JsonNode group = read(g);
        assertThat(group.path("displayName").asText()).isEqualTo("Custom Extension After");
        assertThat(group.has(custom)).isFalse();
        assertThat(memberIds(group)).containsExactlyInAnyOrderElementsOf(u);

        // A path into the User schemas names nothing a group has: still refused, and nothing applies.
        assertError(patchOps(g, "[{\"op\":\"Replace\",\"path\":\"displayName\",\"value\":\"Not Applied\"},"
                + "{\"op\":\"Replace\",\"path\":\"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department\","
                + "\"value\":\"x\"}]"), 400, "invalidPath");
        assertThat(read(g).path("displayName").asText()).isEqualTo("Custom Extension After");
    }

    @Test
    void removeMembersWithoutFilterRemovesEveryMember() {
        List<String> u = users(3);
        String g = createGroup("Patch Remove All", u.toArray(new String[0]));

        ApiClient.Response r = patch(g, "{\"op\":\"remove\",\"path\":\"members\"}");
        assertThat(r.status()).as(r.text()).isEqualTo(204);
        JsonNode group = read(g);
        assertThat(memberIds(group)).isEmpty();
        assertThat(group.path("displayName").asText()).isEqualTo("Patch Remove All");
        for (String user : u) {
            assertThat(groupIdsOf(user)).doesNotContain(g);
        }
    }

    @Test
    void oktaMixesRemoveAndAddInOnePatch() {
        List<String> u = users(5);
        String g = createGroup("Okta Mixed", u.get(0), u.get(1), u.get(2));

        ApiClient.Response r = patchOps(g, "[{\"op\":\"remove\",\"path\":\"members[value eq \\\"" + u.get(0) + "\\\"]\"},"
                + "{\"op\":\"remove\",\"path\":\"members[value eq \\\"" + u.get(1) + "\\\"]\"},"
                + "{\"op\":\"add\",\"path\":\"members\",\"value\":" + memberList(u.get(3), u.get(4)) + "}]");
        assertThat(r.status()).as(r.text()).isEqualTo(204);
        assertThat(memberIds(read(g))).containsExactlyInAnyOrder(u.get(2), u.get(3), u.get(4));

        ApiClient.Response addThenRemove = patchOps(g, "[{\"op\":\"add\",\"path\":\"members\",\"value\":" + memberList(u.get(0)) + "},"
                + "{\"op\":\"remove\",\"path\":\"members[value eq \\\"" + u.get(0) + "\\\"]\"}]");
        assertThat(addThenRemove.status()).as(addThenRemove.text()).isEqualTo(204);
        assertThat(memberIds(read(g))).containsExactlyInAnyOrder(u.get(2), u.get(3), u.get(4));
        assertThat(groupIdsOf(u.get(0))).doesNotContain(g);

        ApiClient.Response removeThenAdd = patchOps(g, "[{\"op\":\"remove\",\"path\":\"members[value eq \\\"" + u.get(2) + "\\\"]\"},"
                + "{\"op\":\"add\",\"path\":\"members\",\"value\":" + memberList(u.get(2)) + "}]");
        assertThat(removeThenAdd.status()).as(removeThenAdd.text()).isEqualTo(204);
        assertThat(memberIds(read(g))).containsExactlyInAnyOrder(u.get(2), u.get(3), u.get(4));
        assertThat(groupIdsOf(u.get(2))).contains(g);
    }

    @Test
    void addingPresentAndRemovingAbsentMembersIsANoOp() {
        List<String> u = users(3);
        String g = createGroup("Patch Idempotent", u.get(0), u.get(1));

        String addPresent = "{\"op\":\"add\",\"path\":\"members\",\"value\":" + memberList(u.get(0)) + "}";
        String removeAbsent = "{\"op\":\"remove\",\"path\":\"members[value eq \\\"" + u.get(2) + "\\\"]\"}";
        for (int i = 0; i < 2; i++) {
            ApiClient.Response add = patch(g, addPresent);
            assertThat(add.status()).as(add.text()).isEqualTo(204);
            ApiClient.Response remove = patch(g, removeAbsent);
            assertThat(remove.status()).as(remove.text()).isEqualTo(204);
            ApiClient.Response entraRemove = patch(g, "{\"op\":\"Remove\",\"path\":\"members\",\"value\":" + memberList(u.get(2)) + "}");
            assertThat(entraRemove.status()).as(entraRemove.text()).isEqualTo(204);
            assertThat(memberIds(read(g))).containsExactlyInAnyOrder(u.get(0), u.get(1));
        }

        String addNew = "{\"op\":\"add\",\"path\":\"members\",\"value\":" + memberList(u.get(2)) + "}";
        assertThat(patch(g, addNew).status()).isEqualTo(204);
        assertThat(patch(g, addNew).status()).isEqualTo(204);
        List<String> after = memberIds(read(g));
        assertThat(after).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(u);
        assertThat(groupIdsOf(u.get(2))).containsExactly(g);
    }

    /**
     * RFC 7644 §3.5.2.1: adding a value already there "SHALL NOT change the modify timestamp"; neither
     * does a write that changes nothing move the version, so that an IdP's next If-Match still holds.
     * Each way a group is written: batched PATCHes, a PATCH under If-Match, a PATCH that also sets the
     * displayName it has, and a PUT of the group as it is.
     */
    @Test
    void aWriteThatChangesNothingKeepsTheVersionAndLastModified() {
        List<String> u = users(3);
        String g = createGroup("Patch Unchanged", u.get(0), u.get(1));
        JsonNode before = read(g).path("meta");
        String version = before.path("version").asText();
        String addPresent = "{\"op\":\"add\",\"path\":\"members\",\"value\":" + memberList(u.get(0)) + "}";
        String removeAbsent = "{\"op\":\"remove\",\"path\":\"members\",\"value\":" + memberList(u.get(2)) + "}";

        List<ApiClient.Response> answers = new ArrayList<>();
        List<Future<ApiClient.Response>> together = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            together.add(client.send(HttpMethod.PATCH, GROUPS + "/" + g, org.token(),
                    patchBody("[" + (i % 2 == 0 ? addPresent : removeAbsent) + "]")));
        }
        ApiClient.await(Future.all(together));
        together.forEach(f -> answers.add(f.result()));
        answers.add(client.patchIfMatch(GROUPS + "/" + g, org.token(), version, patchBody("[" + addPresent + "]")));
        answers.add(patchOps(g, "[{\"op\":\"replace\",\"path\":\"displayName\",\"value\":\"Patch Unchanged\"}," + addPresent + "]"));
        answers.add(client.put(GROUPS + "/" + g, org.token(), "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:Group\"],"
                + "\"displayName\":\"Patch Unchanged\",\"members\":" + memberList(u.get(1), u.get(0)) + "}"));
        for (ApiClient.Response r : answers) {
            assertThat(r.status()).as(r.text()).isIn(200, 204);
            assertThat(r.header("ETag")).as(r.text()).isEqualTo(version);
        }
        JsonNode after = read(g);
        assertThat(after.path("meta").path("version").asText()).isEqualTo(version);
        assertThat(after.path("meta").path("lastModified").asText()).isEqualTo(before.path("lastModified").asText());
        assertThat(memberIds(after)).containsExactlyInAnyOrder(u.get(0), u.get(1));

        // A change still moves it, by one.
        ApiClient.Response add = patch(g, "{\"op\":\"add\",\"path\":\"members\",\"value\":" + memberList(u.get(2)) + "}");
        assertThat(add.status()).as(add.text()).isEqualTo(204);
        assertThat(read(g).path("meta").path("version").asText()).isEqualTo("W/\"2\"").isEqualTo(add.header("ETag"));
    }

    @Test
    void patchAnswers204ByDefaultAnd200WithBodyWhenAttributesAreAsked() {
        List<String> u = users(3);
        String g = createGroup("Patch Responses", u.get(0));

        ApiClient.Response plain = patch(g, "{\"op\":\"add\",\"path\":\"members\",\"value\":" + memberList(u.get(1)) + "}");
        assertThat(plain.status()).as(plain.text()).isEqualTo(204);
        assertThat(plain.text()).isNullOrEmpty();

        ApiClient.Response withMembers = client.patch(GROUPS + "/" + g + "?attributes=members", org.token(),
                patchBody("[{\"op\":\"add\",\"path\":\"members\",\"value\":" + memberList(u.get(2)) + "}]"));
        assertThat(withMembers.status()).as(withMembers.text()).isEqualTo(200);
        assertThat(withMembers.header("Content-Type")).startsWith("application/scim+json");
        JsonNode body = withMembers.json();
        assertThat(body.path("id").asText()).isEqualTo(g);
        assertThat(memberIds(body)).containsExactlyInAnyOrderElementsOf(u);
        assertThat(withMembers.header("ETag")).isEqualTo("W/\"3\"");

        ApiClient.Response withName = client.patch(GROUPS + "/" + g + "?attributes=displayName", org.token(),
                patchBody("[{\"op\":\"remove\",\"path\":\"members[value eq \\\"" + u.get(0) + "\\\"]\"}]"));
        assertThat(withName.status()).as(withName.text()).isEqualTo(200);
        JsonNode named = withName.json();
        assertThat(named.path("id").asText()).isEqualTo(g);
        assertThat(named.path("displayName").asText()).isEqualTo("Patch Responses");
        assertThat(named.has("members")).isFalse();

        JsonNode group = read(g);
        assertThat(memberIds(group)).containsExactlyInAnyOrder(u.get(1), u.get(2));
        assertThat(group.path("meta").path("version").asText()).isEqualTo("W/\"4\"");
        assertThat(withName.header("ETag")).isEqualTo("W/\"4\"");
    }

    @Test
    void memberIdsThatNameNoUserOfTheOrganisationAreSkipped() {
        List<String> u = users(3);
        TestOrg other = TestOrg.create(client, "GroupsPatchOther");
        ApiClient.Response foreignUser = client.post(USERS, other.token(),
                "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],\"userName\":\"foreign@example.com\"}");
        assertThat(foreignUser.status()).as(foreignUser.text()).isEqualTo(201);
        String foreign = foreignUser.json().path("id").asText();
        String randomId = UUID.randomUUID().toString();
        String g = createGroup("Patch Skips Unknown");

        ApiClient.Response r = patch(g, "{\"op\":\"add\",\"path\":\"members\",\"value\":"
                + memberList(u.get(0), randomId, "not-a-uuid", foreign, u.get(1)) + "}");
        assertThat(r.status()).as(r.text()).isEqualTo(204);
        List<String> members = memberIds(read(g));
        assertThat(members).containsExactlyInAnyOrder(u.get(0), u.get(1));

        ApiClient.Response replace = patch(g, "{\"op\":\"replace\",\"path\":\"members\",\"value\":"
                + memberList(foreign, u.get(2), randomId, "not-a-uuid") + "}");
        assertThat(replace.status()).as(replace.text()).isEqualTo(204);
        assertThat(memberIds(read(g))).containsExactly(u.get(2));

        ApiClient.Response removeUnknown = patch(g, "{\"op\":\"remove\",\"path\":\"members[value eq \\\"not-a-uuid\\\" or value eq \\\""
                + foreign + "\\\"]\"}");
        assertThat(removeUnknown.status()).as(removeUnknown.text()).isEqualTo(204);
        assertThat(memberIds(read(g))).containsExactly(u.get(2));

        JsonNode foreignRead = client.get(USERS + "/" + foreign, other.token()).json();
        assertThat(foreignRead.path("groups").size()).isZero();
        assertThat(client.get(GROUPS + "?filter=" + ApiClient.encode("members[value eq \"" + foreign + "\"]"),
                other.token()).json().path("totalResults").asInt()).isZero();
    }

    @Test
    void malformedMemberEntryRejectsTheWholePatch() {
        List<String> u = users(3);
        String g = createGroup("Patch Malformed", u.get(0));
        String version = read(g).path("meta").path("version").asText();

        for (String bad : List.of("{\"display\":\"no value\"}", "{\"value\":42}", "42", "true", "null", "\"\"",
                "{\"value\":null}", "{\"value\":\"\"}")) {
            ApiClient.Response r = patchOps(g, "[{\"op\":\"add\",\"path\":\"members\",\"value\":" + memberList(u.get(1)) + "},"
                    + "{\"op\":\"replace\",\"path\":\"displayName\",\"value\":\"Patch Malformed Renamed\"},"
                    + "{\"op\":\"add\",\"path\":\"members\",\"value\":[{\"value\":\"" + u.get(2) + "\"}," + bad + "]}]");
            assertError(r, 400, "invalidValue");

            JsonNode group = read(g);
            assertThat(memberIds(group)).as(bad).containsExactly(u.get(0));
            assertThat(group.path("displayName").asText()).as(bad).isEqualTo("Patch Malformed");
            assertThat(group.path("meta").path("version").asText()).as(bad).isEqualTo(version);
        }
        assertThat(groupIdsOf(u.get(1))).isEmpty();
        assertThat(groupIdsOf(u.get(2))).isEmpty();

        ApiClient.Response pathless = patch(g, "{\"op\":\"add\",\"value\":{\"displayName\":\"Patch Malformed X\",\"members\":[7]}}");
        assertError(pathless, 400, "invalidValue");
        ApiClient.Response booleanValue = patch(g, "{\"op\":\"add\",\"path\":\"members\",\"value\":true}");
        assertError(booleanValue, 400, "invalidValue");
        JsonNode group = read(g);
        assertThat(memberIds(group)).containsExactly(u.get(0));
        assertThat(group.path("displayName").asText()).isEqualTo("Patch Malformed");
        assertThat(group.path("meta").path("version").asText()).isEqualTo(version);
    }

    @Test
    void patchIsAtomicWhenARenameCollides() {
        List<String> u = users(2);
        createGroup("Patch Taken Name");
        String g = createGroup("Patch Atomic", u.get(0));
        String version = read(g).path("meta").path("version").asText();

        ApiClient.Response addFirst = patchOps(g, "[{\"op\":\"add\",\"path\":\"members\",\"value\":" + memberList(u.get(1)) + "},"
                + "{\"op\":\"replace\",\"path\":\"displayName\",\"value\":\"PATCH TAKEN NAME\"}]");
        assertError(addFirst, 409, "uniqueness");

        ApiClient.Response renameFirst = patchOps(g, "[{\"op\":\"replace\",\"value\":{\"displayName\":\"patch taken name\"}},"
                + "{\"op\":\"remove\",\"path\":\"members\"},"
                + "{\"op\":\"add\",\"path\":\"members\",\"value\":" + memberList(u.get(1)) + "}]");
        assertError(renameFirst, 409, "uniqueness");

        JsonNode group = read(g);
        assertThat(group.path("displayName").asText()).isEqualTo("Patch Atomic");
        assertThat(memberIds(group)).containsExactly(u.get(0));
        assertThat(group.path("meta").path("version").asText()).isEqualTo(version);
        assertThat(groupIdsOf(u.get(1))).isEmpty();

        ApiClient.Response removeDisplayName = patchOps(g, "[{\"op\":\"add\",\"path\":\"members\",\"value\":"
                + memberList(u.get(1)) + "},{\"op\":\"remove\",\"path\":\"displayName\"}]");
        assertThat(removeDisplayName.status()).as(removeDisplayName.text()).isEqualTo(400);
        JsonNode unchanged = read(g);
        assertThat(unchanged.path("displayName").asText()).isEqualTo("Patch Atomic");
        assertThat(memberIds(unchanged)).containsExactly(u.get(0));
    }

    @Test
    void renameAndMemberChangeTogetherApplyTogether() {
        List<String> u = users(3);
        String g = createGroup("Patch Together", u.get(0), u.get(1));
        ApiClient.Response r = patchOps(g, "[{\"op\":\"replace\",\"path\":\"displayName\",\"value\":\"Patch Together Renamed\"},"
                + "{\"op\":\"replace\",\"path\":\"externalId\",\"value\":\"together-ext\"},"
                + "{\"op\":\"remove\",\"path\":\"members[value eq \\\"" + u.get(0) + "\\\"]\"},"
                + "{\"op\":\"add\",\"path\":\"members\",\"value\":" + memberList(u.get(2)) + "}]");
        assertThat(r.status()).as(r.text()).isEqualTo(204);
        JsonNode group = read(g);
        assertThat(group.path("displayName").asText()).isEqualTo("Patch Together Renamed");
        assertThat(group.path("externalId").asText()).isEqualTo("together-ext");
        assertThat(memberIds(group)).containsExactlyInAnyOrder(u.get(1), u.get(2));
        assertThat(group.path("meta").path("version").asText()).isEqualTo("W/\"2\"");
    }

    @Test
    void pingOneMergeCreatesThenAddsMembers() {
        List<String> u = users(4);
        ApiClient.Response created = client.post(GROUPS, org.token(), """
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],
                 "displayName":"CN=PingOne Merge,OU=Groups,DC=corp","members":[{"value":"%s"}]}
                """.formatted(u.get(0)));
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        String g = created.json().path("id").asText();

        ApiClient.Response duplicate = client.post(GROUPS, org.token(),
                "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:Group\"],\"displayName\":\"cn=pingone merge,ou=groups,dc=corp\"}");
        assertError(duplicate, 409, "uniqueness");

        JsonNode found = client.get(GROUPS + "?excludedAttributes=members&filter="
                + ApiClient.encode("displayName eq \"CN=PingOne Merge,OU=Groups,DC=corp\""), org.token()).json();
        assertThat(found.path("totalResults").asInt()).isEqualTo(1);
        assertThat(found.path("Resources").get(0).path("id").asText()).isEqualTo(g);

        ApiClient.Response merge = patch(g, "{\"op\":\"add\",\"path\":\"members\",\"value\":"
                + memberList(u.get(0), u.get(1), u.get(2), u.get(3)) + "}");
        assertThat(merge.status()).as(merge.text()).isEqualTo(204);
        assertThat(memberIds(read(g))).containsExactlyInAnyOrderElementsOf(u);
    }

    @Test
    void fiftyConcurrentSingleMemberAddsLoseNothing() {
        List<String> u = users(60);
        String g = createGroup("Concurrent Adds");

        List<Future<ApiClient.Response>> sent = new ArrayList<>();
        for (String user : u) {
            sent.add(client.send(HttpMethod.PATCH, GROUPS + "/" + g, org.token(),
                    patchBody("[{\"op\":\"Add\",\"path\":\"members\",\"value\":[{\"$ref\":null,\"value\":\"" + user + "\"}]}]")));
        }
        ApiClient.await(Future.all(sent));
        for (Future<ApiClient.Response> f : sent) {
            assertThat(f.result().status()).as(f.result().text()).isEqualTo(204);
        }

        JsonNode group = read(g);
        List<String> members = memberIds(group);
        assertThat(members).hasSize(u.size()).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(u);
        // Queued PATCHes share a write, and with it a version: the group is at the last one any PATCH answered.
        assertThat(group.path("meta").path("version").asText()).isEqualTo("W/\"" + lastVersion(sent, u.size() + 1) + "\"");
        JsonNode byMember = client.get(GROUPS + "?excludedAttributes=members&filter="
                + ApiClient.encode("members[value eq \"" + u.get(u.size() - 1) + "\"]"), org.token()).json();
        assertThat(byMember.path("totalResults").asInt()).isEqualTo(1);
        assertThat(groupIdsOf(u.get(0))).containsExactly(g);
    }

    @Test
    void fiftyConcurrentMixedAddsAndRemovesEndConsistent() {
        List<String> leaving = users(25);
        List<String> joining = users(25);
        String g = createGroup("Concurrent Mixed", leaving.toArray(new String[0]));

        List<Future<ApiClient.Response>> sent = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            sent.add(client.send(HttpMethod.PATCH, GROUPS + "/" + g, org.token(),
                    patchBody("[{\"op\":\"add\",\"path\":\"members\",\"value\":" + memberList(joining.get(i)) + "}]")));
            String removal = i % 2 == 0
                    ? "[{\"op\":\"remove\",\"path\":\"members[value eq \\\"" + leaving.get(i) + "\\\"]\"}]"
                    : "[{\"op\":\"Remove\",\"path\":\"members\",\"value\":" + memberList(leaving.get(i)) + "}]";
            sent.add(client.send(HttpMethod.PATCH, GROUPS + "/" + g, org.token(), patchBody(removal)));
        }
        ApiClient.await(Future.all(sent));
        for (Future<ApiClient.Response> f : sent) {
            assertThat(f.result().status()).as(f.result().text()).isEqualTo(204);
        }

        JsonNode group = read(g);
        assertThat(memberIds(group)).hasSize(25).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(joining);
        assertThat(group.path("meta").path("version").asText()).isEqualTo("W/\"" + lastVersion(sent, 51) + "\"");
        for (String user : leaving) {
            assertThat(groupIdsOf(user)).as(user).isEmpty();
        }
        for (String user : joining) {
            assertThat(groupIdsOf(user)).as(user).containsExactly(g);
        }
        JsonNode byLeaver = client.get(GROUPS + "?excludedAttributes=members&filter="
                + ApiClient.encode("members[value eq \"" + leaving.get(3) + "\"]"), org.token()).json();
        assertThat(byLeaver.path("totalResults").asInt()).isZero();
    }

    private static List<String> users(int n) {
        List<Future<ApiClient.Response>> sent = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String userName = "patch.user." + USER_SEQ.incrementAndGet() + "@example.com";
            sent.add(client.send(HttpMethod.POST, USERS, org.token(),
                    "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],\"userName\":\"" + userName + "\"}"));
        }
        ApiClient.await(Future.all(sent));
        List<String> ids = new ArrayList<>();
        for (Future<ApiClient.Response> f : sent) {
            assertThat(f.result().status()).as(f.result().text()).isEqualTo(201);
            ids.add(f.result().json().path("id").asText());
        }
        return ids;
    }

    private static String createGroup(String displayName, String... memberIds) {
        ApiClient.Response r = client.post(GROUPS, org.token(),
                "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:Group\"],\"displayName\":\"" + displayName
                        + "\",\"members\":" + memberList(memberIds) + "}");
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        assertThat(memberIds(r.json())).containsExactlyInAnyOrder(memberIds);
        return r.json().path("id").asText();
    }

    private static String memberList(String... ids) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < ids.length; i++) {
            b.append(i > 0 ? "," : "").append("{\"value\":\"").append(ids[i]).append("\"}");
        }
        return b.append(']').toString();
    }

    private static String patchBody(String operations) {
        return "{\"schemas\":[\"" + PATCH_SCHEMA + "\"],\"Operations\":" + operations + "}";
    }

    private static ApiClient.Response patch(String groupId, String operation) {
        return patchOps(groupId, "[" + operation + "]");
    }

    private static ApiClient.Response patchOps(String groupId, String operations) {
        return client.patch(GROUPS + "/" + groupId, org.token(), patchBody(operations));
    }

    private static JsonNode read(String groupId) {
        ApiClient.Response r = client.get(GROUPS + "/" + groupId, org.token());
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        return r.json();
    }

    private static List<String> memberIds(JsonNode group) {
        List<String> out = new ArrayList<>();
        for (JsonNode m : group.path("members")) {
            out.add(m.path("value").asText());
        }
        return out;
    }

    private static List<String> groupIdsOf(String userId) {
        ApiClient.Response r = client.get(USERS + "/" + userId, org.token());
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        List<String> out = new ArrayList<>();
        for (JsonNode g : r.json().path("groups")) {
            out.add(g.path("value").asText());
        }
        return out;
    }

    private static List<String> idsByDisplayName(String displayName) {
        ApiClient.Response r = client.get(GROUPS + "?excludedAttributes=members&filter="
                + ApiClient.encode("displayName eq \"" + displayName + "\""), org.token());
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        List<String> out = new ArrayList<>();
        for (JsonNode g : r.json().path("Resources")) {
            out.add(g.path("id").asText());
        }
        return out;
    }

    private static void assertError(ApiClient.Response r, int status, String scimType) {
        assertThat(r.status()).as(r.text()).isEqualTo(status);
        JsonNode body = r.json();
        List<String> schemas = new ArrayList<>();
        body.path("schemas").forEach(s -> schemas.add(s.asText()));
        assertThat(schemas).as(r.text()).contains(ERROR_SCHEMA);
        assertThat(body.path("status").asText()).isEqualTo(Integer.toString(status));
        if (scimType != null) {
            assertThat(body.path("scimType").asText()).as(r.text()).isEqualTo(scimType);
        }
    }

    /**
     * The highest version the PATCHes answered in their ETags: one per write, at least 2 (after the
     * creation) and at most one per request.
     */
    private static long lastVersion(List<Future<ApiClient.Response>> sent, long atMost) {
        long last = 0;
        for (Future<ApiClient.Response> f : sent) {
            String etag = f.result().header("ETag");
            assertThat(etag).matches("W/\"[0-9]+\"");
            last = Math.max(last, Long.parseLong(etag.substring(3, etag.length() - 1)));
        }
        assertThat(last).isBetween(2L, atMost);
        return last;
    }
}
