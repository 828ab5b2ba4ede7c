package io.hanzo.kms.scim.it;

import static io.hanzo.kms.scim.it.ScimChecks.CORE;
import static io.hanzo.kms.scim.it.ScimChecks.GROUPS;
import static io.hanzo.kms.scim.it.ScimChecks.USERS;
import static io.hanzo.kms.scim.it.ScimChecks.assertListResponse;
import static io.hanzo.kms.scim.it.ScimChecks.assertScimError;
import static io.hanzo.kms.scim.it.ScimChecks.ids;
import static io.hanzo.kms.scim.it.ScimChecks.patchOps;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * /Users filtered and sorted by the read-only {@code groups} attribute, which comes from the groups'
 * members and not from the stored user: the members of a group, users in no group, a group's name,
 * and the mirror case on /Groups by member.
 */
@ExtendWith(VertxExtension.class)
class UsersByGroupIT {
    private static ApiClient client;
    private static ScimChecks api;

    /** Ann and Bo in Engineering, Cy in Sales, Dee in no group; created in this order. */
    private static TestOrg org;
    private static String ann;
    private static String bo;
    private static String cy;
    private static String dee;
    private static String engineering;
    private static String sales;

    @BeforeAll
    static void start(Vertx vertx) {
        client = new ApiClient(vertx, TestServer.shared().port());
        api = new ScimChecks(client);
        org = TestOrg.create(client, "UsersByGroup");
        ann = createUser(org, "ann@group.example", "Engineer");
        bo = createUser(org, "bo@group.example", "Manager");
        cy = createUser(org, "cy@group.example", "Engineer");
        dee = createUser(org, "dee@group.example", "Engineer");
        engineering = api.createGroup(org, "Engineering", ann, bo);
        sales = api.createGroup(org, "Sales", cy);
    }

    @AfterAll
    static void stop() {
        client.close();
    }

    private static String createUser(TestOrg o, String userName, String title) {
        String body = "{\"schemas\":[\"" + CORE + "\"],\"userName\":\"" + userName + "\",\"title\":\"" + title + "\"}";
        return api.createUser(o, body).path("id").asText();
    }

    private static List<String> matching(TestOrg o, String filter) {
        JsonNode list = api.list(o, filter);
        assertThat(list.path("totalResults").asInt()).as(filter).isEqualTo(list.path("Resources").size());
        return ids(list);
    }

    private static void assertMatches(String filter, String... expected) {
        assertThat(matching(org, filter)).as(filter).containsExactlyInAnyOrder(expected);
    }

    private static List<String> sorted(String query) {
        ApiClient.Response r = api.get(USERS + query, org.token());
        assertThat(r.status()).as(query + ": " + r.text()).isEqualTo(200);
        assertListResponse(r);
        return ids(r.json());
    }

    @Test
    void theMembersOfAGroupAreFoundByItsId() {
        JsonNode shown = api.getUser(org, ann).path("groups");
        assertThat(shown).hasSize(1);
        assertThat(shown.get(0).path("value").asText()).isEqualTo(engineering);
        assertMatches("groups.value eq \"" + engineering + "\"", ann, bo);
        assertMatches("groups[value eq \"" + engineering + "\"]", ann, bo);
        assertMatches("groups eq \"" + engineering + "\"", ann, bo);
        assertMatches("urn:ietf:params:scim:schemas:core:2.0:User:groups.value eq \"" + sales + "\"", cy);
        assertMatches("groups[value eq \"" + sales + "\" or value eq \"" + engineering + "\"]", ann, bo, cy);
        // A UUID's text has no case (RFC 9562 §4): in upper case it names the group, as in /Groups/<ID>.
        assertMatches("groups.value eq \"" + engineering.toUpperCase(Locale.ROOT) + "\"", ann, bo);
        assertMatches("groups.value eq \"" + UUID.randomUUID() + "\"");
        assertMatches("groups.value eq \"not an id\"");
    }

    @Test
    void usersInAnyGroupOrInNone() {
        assertMatches("groups pr", ann, bo, cy);
        assertMatches("not (groups pr)", dee);
        assertMatches("groups.type eq \"direct\"", ann, bo, cy);
        assertMatches("groups eq null", dee);
    }

    @Test
    void aGroupsNameMatchesInAnyLetterCase() {
        assertMatches("groups.display eq \"engineering\"", ann, bo);
        assertMatches("groups.display sw \"SAL\"", cy);
        assertMatches("groups.display co \"e\"", ann, bo, cy);
        assertMatches("groups[display eq \"Sales\" and type eq \"direct\"]", cy);
        assertMatches("groups.$ref ew \"/" + sales + "\"", cy);
    }

    @Test
    void groupConditionsCombineWithOtherAttributes() {
        assertMatches("groups.value eq \"" + engineering + "\" and title eq \"Manager\"", bo);
        assertMatches("title eq \"Engineer\" and not (groups.value eq \"" + engineering + "\")", cy, dee);
        assertMatches("groups[value eq \"" + sales + "\"] or userName eq \"dee@group.example\"", cy, dee);
        assertMatches("(groups.display eq \"Engineering\" or not (groups pr)) and title eq \"Engineer\"", ann, dee);
    }

    @Test
    void searchByPostAndAtTheServiceRootFindTheMembers() {
        String filter = "groups.value eq \\\"" + engineering + "\\\"";
        for (String path : List.of(USERS + "/.search", TestOrg.SCIM + "/.search")) {
            ApiClient.Response r = api.post(path, org.token(), """
                    {"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"filter":"%s"}""".formatted(filter));
            assertThat(r.status()).as(path + ": " + r.text()).isEqualTo(200);
            assertListResponse(r);
            assertThat(ids(r.json())).as(path).containsExactlyInAnyOrder(ann, bo);
        }
    }

    @Test
    void sortByAGroupsName() {
        // Ascending, a user without a group comes last; descending, first; ties keep creation order.
        assertThat(sorted("?sortBy=groups.display")).containsExactly(ann, bo, cy, dee);
        assertThat(sorted("?sortBy=groups.display&sortOrder=descending")).containsExactly(dee, cy, ann, bo);
        assertThat(sorted("?sortBy=groups.display&sortOrder=descending&filter="
                + ApiClient.encode("title eq \"Engineer\""))).containsExactly(dee, cy, ann);
    }

    @Test
    void aMemberAddedOrRemovedIsFoundOrNotAtOnce() {
        TestOrg own = TestOrg.create(client, "UsersByGroup-changes");
        String stays = createUser(own, "stays@group.example", "Engineer");
        String leaves = createUser(own, "leaves@group.example", "Engineer");
        String joins = createUser(own, "joins@group.example", "Engineer");
        String group = api.createGroup(own, "Changing", stays, leaves);
        String byId = "groups.value eq \"" + group + "\"";
        String byName = "groups.display eq \"changing\"";
        assertThat(matching(own, byId)).containsExactlyInAnyOrder(stays, leaves);
        assertThat(memberOf(own, leaves)).containsExactly(group);

        ApiClient.Response patched = api.patch(GROUPS + "/" + group, own.token(), patchOps(
                "{\"op\":\"remove\",\"path\":\"members[value eq \\\"" + leaves + "\\\"]\"}",
                "{\"op\":\"add\",\"path\":\"members\",\"value\":[{\"value\":\"" + joins + "\"}]}"));
        assertThat(patched.status()).as(patched.text()).isIn(200, 204);
        assertThat(matching(own, byId)).containsExactlyInAnyOrder(stays, joins);
        assertThat(matching(own, byName)).containsExactlyInAnyOrder(stays, joins);
        assertThat(matching(own, "not (groups pr)")).containsExactly(leaves);
        assertThat(memberOf(own, leaves)).isEmpty();
        assertThat(memberOf(own, joins)).containsExactly(group);

        ApiClient.Response renamed = api.patch(GROUPS + "/" + group, own.token(),
                patchOps("{\"op\":\"replace\",\"path\":\"displayName\",\"value\":\"Renamed\"}"));
        assertThat(renamed.status()).as(renamed.text()).isIn(200, 204);
        assertThat(matching(own, byName)).isEmpty();
        assertThat(matching(own, "groups.display eq \"renamed\"")).containsExactlyInAnyOrder(stays, joins);

        assertThat(api.delete(GROUPS + "/" + group, own.token()).status()).isEqualTo(204);
        assertThat(matching(own, byId)).isEmpty();
        assertThat(matching(own, "groups pr")).isEmpty();
    }

    /** The groups that list the user as a member, by /Groups?filter=members.value eq. */
    private static List<String> memberOf(TestOrg o, String userId) {
        ApiClient.Response r = api.get(GROUPS + "?filter=" + ApiClient.encode("members.value eq \"" + userId + "\""),
                o.token());
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        return ids(r.json());
    }

    @Test
    void aGroupConditionTheSchemaDoesNotHaveIsInvalidFilter() {
        for (String filter : List.of("groups.name eq \"Engineering\"", "groups[members[value eq \"x\"]]",
                "groups.display gt", "groups.value eq \"" + engineering + "\" and nonsense pr")) {
            ApiClient.Response r = api.get(USERS + "?filter=" + ApiClient.encode(filter), org.token());
            assertScimError(r, 400, "invalidFilter");
            assertThat(r.json().has("Resources")).as(filter).isFalse();
        }
        ApiClient.Response onGroups = api.get(GROUPS + "?filter=" + ApiClient.encode("groups.value eq \"" + engineering
                + "\""), org.token());
        assertScimError(onGroups, 400, "invalidFilter");
    }
}
