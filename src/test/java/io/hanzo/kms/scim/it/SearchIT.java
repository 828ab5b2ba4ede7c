package io.hanzo.kms.scim.it;

import static io.hanzo.kms.scim.it.ScimChecks.CORE;
import static io.hanzo.kms.scim.it.ScimChecks.ENTERPRISE;
import static io.hanzo.kms.scim.it.ScimChecks.USERS;
import static io.hanzo.kms.scim.it.ScimChecks.assertListResponse;
import static io.hanzo.kms.scim.it.ScimChecks.assertScimError;
import static io.hanzo.kms.scim.it.ScimChecks.ids;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** POST /.search (RFC 7644 §3.4.3) on /Users, /Groups and the service root. */
@ExtendWith(VertxExtension.class)
class SearchIT {
    private static final String GROUPS = TestOrg.SCIM + "/Groups";
    private static final String ROOT_SEARCH = TestOrg.SCIM + "/.search";
    private static final String SEARCH_REQUEST = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ApiClient client;
    private static ScimChecks api;

    /** Three users and two groups, created in this order. */
    private static TestOrg org;
    private static String anna;
    private static String ben;
    private static String cleo;
    private static String admins;
    private static String builders;

    @BeforeAll
    static void start(Vertx vertx) {
        client = new ApiClient(vertx, TestServer.shared().port());
        api = new ScimChecks(client);
        org = TestOrg.create(client, "Search");
        anna = api.createUser(org, """
                {"schemas":["%s","%s"],"userName":"anna@search.example","name":{"givenName":"Anna","familyName":"Zeller"},
                 "emails":[{"value":"anna@search.example","type":"work","primary":true}],"%s":{"department":"Ops"}}
                """.formatted(CORE, ENTERPRISE, ENTERPRISE)).path("id").asText();
        ben = api.createUser(org, """
                {"schemas":["%s"],"userName":"ben@search.example","name":{"givenName":"Ben","familyName":"Young"},
                 "emails":[{"value":"ben@search.example","type":"work"}]}
                """.formatted(CORE)).path("id").asText();
        cleo = api.createUser(org, """
                {"schemas":["%s","%s"],"userName":"cleo@search.example","name":{"givenName":"Cleo","familyName":"Xu"},
                 "%s":{"department":"Dev"}}
                """.formatted(CORE, ENTERPRISE, ENTERPRISE)).path("id").asText();
        admins = api.createGroup(org, "Search Admins", anna, ben);
        builders = api.createGroup(org, "Search Builders", cleo);
    }

    @AfterAll
    static void stop() {
        client.close();
    }

    /** A SearchRequest body from name/value pairs; List values become JSON arrays. */
    private static String searchBody(Map<String, Object> members) {
        ObjectNode body = JSON.createObjectNode();
        body.putArray("schemas").add(SEARCH_REQUEST);
        members.forEach((k, v) -> {
            if (v instanceof List<?> list) {
                ArrayNode a = body.putArray(k);
                list.forEach(x -> a.add(String.valueOf(x)));
            } else if (v instanceof Integer i) {
                body.put(k, i);
            } else {
                body.put(k, String.valueOf(v));
            }
        });
        return body.toString();
    }

    private static String query(Map<String, Object> members) {
        StringBuilder q = new StringBuilder();
        members.forEach((k, v) -> {
            String value = v instanceof List<?> list ? String.join(",", list.stream().map(String::valueOf).toList())
                    : String.valueOf(v);
            q.append(q.length() == 0 ? "?" : "&").append(k).append('=').append(ApiClient.encode(value));
        });
        return q.toString();
    }

    private static JsonNode okList(ApiClient.Response r) {
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertListResponse(r);
        return r.json();
    }

    private static JsonNode search(String path, Map<String, Object> members) {
        return okList(api.post(path + "/.search", org.token(), searchBody(members)));
    }

    private static JsonNode rootSearch(Map<String, Object> members) {
        return okList(api.post(ROOT_SEARCH, org.token(), searchBody(members)));
    }

    private static void assertSameAsGet(String path, Map<String, Object> members) {
        JsonNode viaGet = okList(api.get(path + query(members), org.token()));
        JsonNode viaPost = search(path, members);
        assertThat(viaPost).as("POST %s/.search %s", path, members).isEqualTo(viaGet);
    }

    @Test
    void usersSearchMatchesTheEquivalentGet() {
        assertSameAsGet(USERS, Map.of());
        assertSameAsGet(USERS, Map.of("filter", "userName co \"search\""));
        assertSameAsGet(USERS, Map.of("filter", "emails pr", "sortBy", "name.familyName", "sortOrder", "descending"));
        assertSameAsGet(USERS, Map.of("startIndex", 2, "count", 1, "sortBy", "userName"));
        assertSameAsGet(USERS, Map.of("attributes", List.of("userName", "name.givenName")));
        assertSameAsGet(USERS, Map.of("excludedAttributes", List.of("emails", "name"), "filter",
                ENTERPRISE + ":department pr"));

        JsonNode r = search(USERS, Map.of("filter", "name.familyName sw \"Y\"", "attributes", List.of("userName")));
        assertThat(r.path("totalResults").asInt()).isEqualTo(1);
        assertThat(ids(r)).containsExactly(ben);
        JsonNode only = r.path("Resources").get(0);
        List<String> keys = new ArrayList<>();
        only.fieldNames().forEachRemaining(keys::add);
        assertThat(keys).containsExactlyInAnyOrder("schemas", "id", "userName");

        JsonNode sorted = search(USERS, Map.of("sortBy", "name.familyName", "count", 2));
        assertThat(sorted.path("totalResults").asInt()).isEqualTo(3);
        assertThat(ids(sorted)).containsExactly(cleo, ben);
    }

    @Test
    void groupsSearchMatchesTheEquivalentGet() {
        assertSameAsGet(GROUPS, Map.of());
        assertSameAsGet(GROUPS, Map.of("filter", "displayName sw \"Search\"", "sortBy", "displayName",
                "sortOrder", "descending"));
        assertSameAsGet(GROUPS, Map.of("excludedAttributes", List.of("members")));
        assertSameAsGet(GROUPS, Map.of("attributes", List.of("displayName"), "startIndex", 2, "count", 5));
        assertSameAsGet(GROUPS, Map.of("filter", "members[value eq \"" + anna + "\"]"));

        JsonNode r = search(GROUPS, Map.of("filter", "displayName eq \"Search Builders\"",
                "excludedAttributes", List.of("members")));
        assertThat(ids(r)).containsExactly(builders);
        assertThat(r.path("Resources").get(0).has("members")).isFalse();
    }

    @Test
    void rootSearchListsUsersThenGroups() {
        JsonNode all = rootSearch(Map.of());
        assertThat(all.path("totalResults").asInt()).isEqualTo(5);
        assertThat(ids(all)).containsExactly(anna, ben, cleo, admins, builders);
        List<String> types = new ArrayList<>();
        all.path("Resources").forEach(r -> types.add(r.path("meta").path("resourceType").asText()));
        assertThat(types).containsExactly("User", "User", "User", "Group", "Group");
    }

    @Test
    void rootSearchPagesAcrossTheBoundary() {
        JsonNode boundary = rootSearch(Map.of("startIndex", 3, "count", 2));
        assertThat(boundary.path("totalResults").asInt()).isEqualTo(5);
        assertThat(boundary.path("startIndex").asInt()).isEqualTo(3);
        assertThat(boundary.path("itemsPerPage").asInt()).isEqualTo(2);
        assertThat(ids(boundary)).containsExactly(cleo, admins);

        JsonNode first = rootSearch(Map.of("startIndex", 1, "count", 2));
        assertThat(first.path("totalResults").asInt()).isEqualTo(5);
        assertThat(ids(first)).containsExactly(anna, ben);

        JsonNode groupsOnly = rootSearch(Map.of("startIndex", 4, "count", 2));
        assertThat(groupsOnly.path("totalResults").asInt()).isEqualTo(5);
        assertThat(ids(groupsOnly)).containsExactly(admins, builders);

        JsonNode last = rootSearch(Map.of("startIndex", 5, "count", 10));
        assertThat(last.path("totalResults").asInt()).isEqualTo(5);
        assertThat(ids(last)).containsExactly(builders);

        JsonNode beyond = rootSearch(Map.of("startIndex", 6, "count", 10));
        assertThat(beyond.path("totalResults").asInt()).isEqualTo(5);
        assertThat(ids(beyond)).isEmpty();

        List<String> walked = new ArrayList<>();
        for (int start = 1; start <= 5; start += 2) {
            JsonNode page = rootSearch(Map.of("startIndex", start, "count", 2));
            assertThat(page.path("totalResults").asInt()).isEqualTo(5);
            walked.addAll(ids(page));
        }
        assertThat(walked).containsExactly(anna, ben, cleo, admins, builders);

        JsonNode totalOnly = rootSearch(Map.of("count", 0));
        assertThat(totalOnly.path("totalResults").asInt()).isEqualTo(5);
        assertThat(totalOnly.path("Resources").size()).isZero();
    }

    @Test
    void rootSearchWithAUserOnlyFilterSearchesUsersOnly() {
        JsonNode r = rootSearch(Map.of("filter", "userName eq \"ben@search.example\""));
        assertThat(r.path("totalResults").asInt()).isEqualTo(1);
        assertThat(ids(r)).containsExactly(ben);

        JsonNode broad = rootSearch(Map.of("filter", "userName co \"@search.example\""));
        assertThat(broad.path("totalResults").asInt()).isEqualTo(3);
        assertThat(ids(broad)).containsExactly(anna, ben, cleo);

        JsonNode groupOnly = rootSearch(Map.of("filter", "members[value eq \"" + cleo + "\"]"));
        assertThat(ids(groupOnly)).containsExactly(builders);
        assertThat(groupOnly.path("totalResults").asInt()).isEqualTo(1);

        JsonNode both = rootSearch(Map.of("filter", "id eq \"" + anna + "\" or id eq \"" + admins + "\""));
        assertThat(both.path("totalResults").asInt()).isEqualTo(2);
        assertThat(ids(both)).containsExactly(anna, admins);
    }

    /**
     * RFC 7644 §3.4.3 and §3.4.2.2: each type reads a filter with the attributes it lacks as unassigned,
     * so a filter mixing a user's and a group's attributes finds both, and only an attribute no type
     * has is refused.
     */
    @Test
    void rootSearchReadsWhatATypeLacksAsUnassigned() {
        JsonNode names = rootSearch(Map.of("filter",
                "displayName eq \"Search Builders\" or userName eq \"ben@search.example\""));
        assertThat(ids(names)).containsExactly(ben, builders);
        assertThat(names.path("totalResults").asInt()).isEqualTo(2);

        JsonNode common = rootSearch(Map.of("filter", "id eq \"" + admins + "\" or userName eq \"ben@search.example\""));
        assertThat(ids(common)).containsExactly(ben, admins);

        JsonNode members = rootSearch(Map.of("filter",
                "userName eq \"anna@search.example\" or members.value eq \"" + cleo + "\""));
        assertThat(ids(members)).containsExactly(anna, builders);
        assertThat(members.path("totalResults").asInt()).isEqualTo(2);

        JsonNode not = rootSearch(Map.of("filter", "not (userName eq \"anna@search.example\")"));
        assertThat(ids(not)).containsExactly(ben, cleo, admins, builders);
        assertThat(not.path("totalResults").asInt()).isEqualTo(4);

        JsonNode paged = rootSearch(Map.of("filter", "not (userName eq \"anna@search.example\")",
                "startIndex", 3, "count", 1));
        assertThat(ids(paged)).containsExactly(admins);
        assertThat(paged.path("totalResults").asInt()).isEqualTo(4);

        JsonNode neither = rootSearch(Map.of("filter", "userName eq \"anna@search.example\" and members pr"));
        assertThat(neither.path("totalResults").asInt()).isZero();

        assertScimError(api.post(ROOT_SEARCH, org.token(), searchBody(Map.of("filter",
                "displayName eq \"Search Builders\" or noSuchAttribute eq \"x\""))), 400, "invalidFilter");
        assertScimError(api.post(ROOT_SEARCH, org.token(), searchBody(Map.of("filter",
                "displayName eq \"Search Builders\" or active gt true"))), 400, "invalidFilter");
    }

    /**
     * {@code ne} on a multi-valued attribute asks for some value not equal (RFC 7644 §3.4.2.2), so a
     * resource without the attribute, a group searched at the root among them, has no value that differs.
     */
    @Test
    void neOnAMultiValuedAttributeAsksForSomeValueNotEqualInEverySearch() {
        Map<String, Object> otherEmail = Map.of("filter", "emails.value ne \"anna@search.example\"");
        assertThat(ids(rootSearch(otherEmail))).containsExactly(ben);
        assertThat(ids(search(USERS, otherEmail))).containsExactly(ben);
        assertSameAsGet(USERS, otherEmail);
        assertThat(ids(search(USERS, Map.of("filter", "emails[value ne \"anna@search.example\"]")))).containsExactly(ben);

        Map<String, Object> otherGroup = Map.of("filter", "groups.value ne \"" + admins + "\"");
        assertThat(ids(rootSearch(otherGroup))).containsExactly(cleo);
        assertThat(ids(search(USERS, otherGroup))).containsExactly(cleo);
        assertSameAsGet(USERS, otherGroup);

        JsonNode notAnna = rootSearch(Map.of("filter", "not (emails.value eq \"anna@search.example\")"));
        assertThat(ids(notAnna)).containsExactly(ben, cleo, admins, builders);

        // Builders has no member but Cleo; the users have no members, so none has one that differs.
        Map<String, Object> otherMember = Map.of("filter", "members.value ne \"" + cleo + "\"");
        assertThat(ids(rootSearch(otherMember))).containsExactly(admins);
        assertThat(ids(search(GROUPS, otherMember))).containsExactly(admins);
        assertSameAsGet(GROUPS, otherMember);
    }

    /** A UUID's text has no case (RFC 9562 §4): filters on ids find what GET /Users/<ID IN UPPER CASE> finds. */
    @Test
    void idsInUpperCaseMatchInFiltersAsInThePath() {
        String upperAnna = anna.toUpperCase(Locale.ROOT);
        String upperAdmins = admins.toUpperCase(Locale.ROOT);
        ApiClient.Response byPath = api.get(USERS + "/" + upperAnna, org.token());
        assertThat(byPath.status()).as(byPath.text()).isEqualTo(200);
        assertThat(byPath.json().path("id").asText()).isEqualTo(anna);

        assertThat(ids(search(USERS, Map.of("filter", "id eq \"" + upperAnna + "\"")))).containsExactly(anna);
        assertThat(ids(search(USERS, Map.of("filter", "groups.value eq \"" + upperAdmins + "\"")))).containsExactly(anna, ben);
        assertThat(ids(search(USERS, Map.of("filter", "groups[value eq \"" + upperAdmins + "\"]")))).containsExactly(anna, ben);
        assertThat(ids(search(GROUPS, Map.of("filter", "members.value eq \"" + upperAnna + "\"")))).containsExactly(admins);
        assertThat(ids(search(GROUPS, Map.of("filter", "members[value eq \"" + upperAnna + "\"]")))).containsExactly(admins);
        assertThat(ids(search(GROUPS, Map.of("filter", "id eq \"" + upperAdmins + "\"")))).containsExactly(admins);
        assertThat(ids(rootSearch(Map.of("filter", "id eq \"" + upperAnna + "\" or id eq \"" + upperAdmins + "\""))))
                .containsExactly(anna, admins);
        assertThat(ids(search(USERS, Map.of("filter", "id eq \"" + upperAnna + "\" and userName pr")))).containsExactly(anna);
        assertThat(ids(search(USERS, Map.of("filter", "id ne \"" + upperAnna + "\"")))).containsExactly(ben, cleo);
    }

    @Test
    void rootSearchHonoursAttributes() {
        JsonNode r = rootSearch(Map.of("excludedAttributes", List.of("members", "emails")));
        assertThat(r.path("totalResults").asInt()).isEqualTo(5);
        for (JsonNode res : r.path("Resources")) {
            assertThat(res.has("members")).as(res.toString()).isFalse();
            assertThat(res.has("emails")).as(res.toString()).isFalse();
            assertThat(res.has("id")).isTrue();
        }
    }

    @Test
    void brokenFilterIs400InvalidFilter() {
        for (String path : List.of(USERS + "/.search", GROUPS + "/.search", ROOT_SEARCH)) {
            ApiClient.Response r = api.post(path, org.token(), searchBody(Map.of("filter", "userName eq")));
            assertScimError(r, 400, "invalidFilter");
            ApiClient.Response parens = api.post(path, org.token(), searchBody(Map.of("filter", "(displayName eq \"x\"")));
            assertScimError(parens, 400, "invalidFilter");
        }
        assertScimError(api.post(ROOT_SEARCH, org.token(), searchBody(Map.of("filter", "noSuchAttribute eq \"x\""))),
                400, "invalidFilter");
    }

    @Test
    void nonObjectBodyIs400InvalidSyntax() {
        for (String path : List.of(USERS + "/.search", GROUPS + "/.search", ROOT_SEARCH)) {
            assertScimError(api.post(path, org.token(), "[\"" + SEARCH_REQUEST + "\"]"), 400, "invalidSyntax");
            assertScimError(api.post(path, org.token(), "\"filter\""), 400, "invalidSyntax");
            assertScimError(api.post(path, org.token(), "{\"filter\":"), 400, "invalidSyntax");
        }
    }

    @Test
    void countThatIsNotANumberIs400() {
        for (String path : List.of(USERS + "/.search", GROUPS + "/.search", ROOT_SEARCH)) {
            ApiClient.Response r = api.post(path, org.token(),
                    "{\"schemas\":[\"" + SEARCH_REQUEST + "\"],\"count\":\"abc\"}");
            assertScimError(r, 400, null);
            ApiClient.Response start = api.post(path, org.token(),
                    "{\"schemas\":[\"" + SEARCH_REQUEST + "\"],\"startIndex\":\"abc\"}");
            assertScimError(start, 400, null);
        }
    }

    @Test
    void countGivenAsNumericStringIsAccepted() {
        JsonNode r = okList(api.post(USERS + "/.search", org.token(),
                "{\"schemas\":[\"" + SEARCH_REQUEST + "\"],\"count\":\"2\"}"));
        assertThat(r.path("totalResults").asInt()).isEqualTo(3);
        assertThat(r.path("Resources").size()).isEqualTo(2);
    }
    @Test
    void aSearchRequestThatNamesAMemberTwiceIsRefused() {
        ApiClient.Response r = api.post(USERS + "/.search", org.token(), "{\"schemas\":[\"" + SEARCH_REQUEST
                + "\"],\"filter\":\"userName pr\",\"FILTER\":\"userName eq \\\"nobody\\\"\"}");
        assertScimError(r, 400, "invalidSyntax");
    }
}
