package io.hanzo.kms.scim.it;

import static io.hanzo.kms.scim.it.ScimChecks.CORE;
import static io.hanzo.kms.scim.it.ScimChecks.ENTERPRISE;
import static io.hanzo.kms.scim.it.ScimChecks.USERS;
import static io.hanzo.kms.scim.it.ScimChecks.assertListResponse;
import static io.hanzo.kms.scim.it.ScimChecks.assertScimError;
import static io.hanzo.kms.scim.it.ScimChecks.ids;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;

/** sortBy and sortOrder (RFC 7644 §3.4.2.3) on /Users and /Groups. */
@ExtendWith(VertxExtension.class)
class SortingIT {
    private static final String GROUPS = TestOrg.SCIM + "/Groups";
    private static final String DEPARTMENT = ENTERPRISE + ":department";

    private static ApiClient client;
    private static ScimChecks api;
    private static TestOrg org;

    /*
     * Five users created in this order:
     *   u1 Delta.user   familyName Okafor     primary email d@   department Sales
     *   u2 alpha.user   familyName bergstrom  primary email a@ (listed second, after zed@)  department Engineering
     *   u3 charlie.user no name               email c@           no enterprise extension
     *   u4 Bravo.user   familyName Zhang      no emails          department Marketing
     *   u5 echo.user    givenName only        email b@           department Finance
     */
    private static String u1;
    private static String u2;
    private static String u3;
    private static String u4;
    private static String u5;

    private static String gBeta;
    private static String gAlpha;
    private static String gGamma;
    private static String gDelta;

    @BeforeAll
    static void start(Vertx vertx) {
        client = new ApiClient(vertx, TestServer.shared().port());
        api = new ScimChecks(client);
        org = TestOrg.create(client, "Sorting");
        u1 = create("""
                {"schemas":["%s","%s"],"userName":"Delta.user","name":{"givenName":"Dee","familyName":"Okafor"},
                 "emails":[{"value":"d@sort.example","type":"work","primary":true}],
                 "%s":{"department":"Sales"}}
                """.formatted(CORE, ENTERPRISE, ENTERPRISE));
        u2 = create("""
                {"schemas":["%s","%s"],"userName":"alpha.user","name":{"givenName":"Al","familyName":"bergstrom"},
                 "emails":[{"value":"zed@sort.example","type":"home"},{"value":"a@sort.example","type":"work","primary":true}],
                 "%s":{"department":"Engineering"}}
                """.formatted(CORE, ENTERPRISE, ENTERPRISE));
        u3 = create("""
                {"schemas":["%s"],"userName":"charlie.user","emails":[{"value":"c@sort.example","type":"work"}]}
                """.formatted(CORE));
        u4 = create("""
                {"schemas":["%s","%s"],"userName":"Bravo.user","name":{"givenName":"Bo","familyName":"Zhang"},
                 "%s":{"department":"Marketing"}}
                """.formatted(CORE, ENTERPRISE, ENTERPRISE));
        u5 = create("""
                {"schemas":["%s","%s"],"userName":"echo.user","name":{"givenName":"Eve"},
                 "emails":[{"value":"b@sort.example","type":"work"}],
                 "%s":{"department":"Finance"}}
                """.formatted(CORE, ENTERPRISE, ENTERPRISE));

        gBeta = createGroup("beta team");
        gAlpha = createGroup("Alpha team");
        gGamma = createGroup("gamma Team");
        gDelta = createGroup("Delta team");
    }

    @AfterAll
    static void stop() {
        client.close();
    }

    private static String create(String body) {
        String id = api.createUser(org, body).path("id").asText();
        pause();
        return id;
    }

    private static String createGroup(String displayName) {
        ApiClient.Response r = api.post(GROUPS, org.token(),
                "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:Group\"],\"displayName\":\"" + displayName + "\"}");
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        pause();
        return r.json().path("id").asText();
    }

    /** Keeps creations in distinct milliseconds, so that creation order is unambiguous. */
    private static void pause() {
        try {
            Thread.sleep(3);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static JsonNode list(TestOrg o, String path, String query) {
        ApiClient.Response r = api.get(path + query, o.token());
        assertThat(r.status()).as("%s%s: %s", path, query, r.text()).isEqualTo(200);
        assertListResponse(r);
        return r.json();
    }

    private static List<String> users(String query) {
        JsonNode l = list(org, USERS, query);
        assertThat(l.path("totalResults").asInt()).as(query).isEqualTo(5);
        return ids(l);
    }

    private static List<String> groups(String query) {
        JsonNode l = list(org, GROUPS, query);
        assertThat(l.path("totalResults").asInt()).as(query).isEqualTo(4);
        return ids(l);
    }

    private static String sortBy(String attribute) {
        return "?sortBy=" + ApiClient.encode(attribute);
    }

    @Test
    void userNameAscendingIsTheDefaultAndIgnoresLetterCase() {
        List<String> expected = List.of(u2, u4, u3, u1, u5);
        assertThat(users(sortBy("userName"))).isEqualTo(expected);
        assertThat(users(sortBy("userName") + "&sortOrder=ascending")).isEqualTo(expected);
        assertThat(users(sortBy("userName") + "&sortOrder=ASCENDING")).isEqualTo(expected);
        assertThat(users(sortBy(CORE + ":userName"))).isEqualTo(expected);

        JsonNode names = list(org, USERS, sortBy("userName"));
        List<String> userNames = new ArrayList<>();
        names.path("Resources").forEach(u -> userNames.add(u.path("userName").asText()));
        assertThat(userNames).containsExactly("alpha.user", "Bravo.user", "charlie.user", "Delta.user", "echo.user");
    }

    @Test
    void userNameDescending() {
        assertThat(users(sortBy("userName") + "&sortOrder=descending")).containsExactly(u5, u1, u3, u4, u2);
    }

    @Test
    void familyNameSortsUsersWithoutOneLastAscendingAndFirstDescending() {
        List<String> asc = users(sortBy("name.familyName"));
        assertThat(asc.subList(0, 3)).containsExactly(u2, u1, u4);
        assertThat(asc.subList(3, 5)).containsExactlyInAnyOrder(u3, u5);

        List<String> desc = users(sortBy("name.familyName") + "&sortOrder=descending");
        assertThat(desc.subList(0, 2)).containsExactlyInAnyOrder(u3, u5);
        assertThat(desc.subList(2, 5)).containsExactly(u4, u1, u2);
    }

    @Test
    void metaCreatedFollowsCreationOrder() {
        assertThat(users(sortBy("meta.created"))).containsExactly(u1, u2, u3, u4, u5);
        assertThat(users(sortBy("meta.created") + "&sortOrder=descending")).containsExactly(u5, u4, u3, u2, u1);
    }

    @Test
    void emailsSortByThePrimaryValue() {
        assertThat(users(sortBy("emails"))).containsExactly(u2, u5, u3, u1, u4);
        assertThat(users(sortBy("emails.value"))).containsExactly(u2, u5, u3, u1, u4);
        assertThat(users(sortBy("emails") + "&sortOrder=descending")).containsExactly(u4, u1, u3, u5, u2);
    }

    @Test
    void enterpriseDepartment() {
        assertThat(users(sortBy(DEPARTMENT))).containsExactly(u2, u5, u4, u1, u3);
        assertThat(users(sortBy(DEPARTMENT) + "&sortOrder=descending")).containsExactly(u3, u1, u4, u5, u2);
    }

    @Test
    void groupsByDisplayName() {
        assertThat(groups(sortBy("displayName"))).containsExactly(gAlpha, gBeta, gDelta, gGamma);
        assertThat(groups(sortBy("displayName") + "&sortOrder=descending")).containsExactly(gGamma, gDelta, gBeta, gAlpha);
        assertThat(groups(sortBy("displayName") + "&startIndex=2&count=2")).containsExactly(gBeta, gDelta);

        JsonNode filtered = list(org, GROUPS, sortBy("displayName") + "&sortOrder=descending&filter="
                + ApiClient.encode("displayName co \"team\""));
        assertThat(filtered.path("totalResults").asInt()).isEqualTo(4);
        assertThat(ids(filtered)).containsExactly(gGamma, gDelta, gBeta, gAlpha);
    }

    @Test
    void tiesKeepCreationOrderAcrossPages() {
        TestOrg ties = TestOrg.create(client, "Sorting-ties");
        List<String> created = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            created.add(api.createUser(ties, """
                    {"schemas":["%s","%s"],"userName":"tie.%d","%s":{"department":"Same"}}
                    """.formatted(CORE, ENTERPRISE, i, ENTERPRISE)).path("id").asText());
            pause();
        }
        for (String attribute : List.of(DEPARTMENT, "active")) {
            List<String> run = new ArrayList<>();
            for (int start = 1; start <= 7; start += 4) {
                JsonNode page = list(ties, USERS, sortBy(attribute) + "&startIndex=" + start + "&count=4");
                assertThat(page.path("totalResults").asInt()).isEqualTo(7);
                assertThat(page.path("startIndex").asInt()).isEqualTo(start);
                run.addAll(ids(page));
            }
            assertThat(run).as("sortBy=%s", attribute).isEqualTo(created);
            List<String> again = new ArrayList<>(ids(list(ties, USERS, sortBy(attribute) + "&count=4")));
            again.addAll(ids(list(ties, USERS, sortBy(attribute) + "&startIndex=5&count=4")));
            assertThat(again).as("sortBy=%s, second run", attribute).isEqualTo(created);
        }
    }

    @Test
    void sortingCombinedWithFilterAndPaging() {
        String filter = "&filter=" + ApiClient.encode("emails pr");
        JsonNode first = list(org, USERS, sortBy("userName") + filter + "&startIndex=1&count=2");
        assertThat(first.path("totalResults").asInt()).isEqualTo(4);
        assertThat(first.path("itemsPerPage").asInt()).isEqualTo(2);
        assertThat(ids(first)).containsExactly(u2, u3);

        JsonNode second = list(org, USERS, sortBy("userName") + filter + "&startIndex=3&count=2");
        assertThat(second.path("totalResults").asInt()).isEqualTo(4);
        assertThat(second.path("startIndex").asInt()).isEqualTo(3);
        assertThat(ids(second)).containsExactly(u1, u5);

        JsonNode beyond = list(org, USERS, sortBy("userName") + filter + "&startIndex=5&count=2");
        assertThat(beyond.path("totalResults").asInt()).isEqualTo(4);
        assertThat(ids(beyond)).isEmpty();

        JsonNode desc = list(org, USERS, sortBy("userName") + "&sortOrder=descending" + filter + "&startIndex=2&count=2");
        assertThat(desc.path("totalResults").asInt()).isEqualTo(4);
        assertThat(ids(desc)).containsExactly(u1, u3);

        JsonNode dept = list(org, USERS, sortBy(DEPARTMENT) + "&sortOrder=descending&filter="
                + ApiClient.encode(DEPARTMENT + " pr") + "&count=3");
        assertThat(dept.path("totalResults").asInt()).isEqualTo(4);
        assertThat(ids(dept)).containsExactly(u1, u4, u5);
    }

    @Test
    void unknownSortOrderIs400InvalidValue() {
        assertScimError(api.get(USERS + sortBy("userName") + "&sortOrder=sideways", org.token()), 400, "invalidValue");
        assertScimError(api.get(GROUPS + sortBy("displayName") + "&sortOrder=sideways", org.token()), 400, "invalidValue");
    }

    @Test
    void unknownSortAttributeIs400() {
        ApiClient.Response users = api.get(USERS + sortBy("unknown"), org.token());
        assertScimError(users, 400, null);
        assertThat(users.json().has("Resources")).isFalse();
        assertScimError(api.get(USERS + sortBy(ENTERPRISE + ":nosuch"), org.token()), 400, null);
        assertScimError(api.get(GROUPS + sortBy("unknown"), org.token()), 400, null);
    }

    /** Groups are sorted by what they store; their members are kept apart, so a sort by them is refused, not faked. */
    @Test
    void groupsAreNotSortedByTheirMembers() {
        for (String members : List.of("members", "members.value", "Members.Display")) {
            ApiClient.Response r = api.get(GROUPS + sortBy(members), org.token());
            assertScimError(r, 400, "invalidValue");
            assertThat(r.json().path("detail").asText()).contains("members");
        }
    }

    @Test
    void usersAreNotSortedByAnAttributeNeverReturned() {
        ApiClient.Response r = api.get(USERS + sortBy("password"), org.token());
        assertScimError(r, 400, "invalidValue");
        assertThat(r.json().path("detail").asText()).contains("password");
    }
}
