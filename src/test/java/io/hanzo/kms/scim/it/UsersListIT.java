package io.hanzo.kms.scim.it;

import static io.hanzo.kms.scim.it.ScimChecks.CORE;
import static io.hanzo.kms.scim.it.ScimChecks.ENTERPRISE;
import static io.hanzo.kms.scim.it.ScimChecks.USERS;
import static io.hanzo.kms.scim.it.ScimChecks.assertListResponse;
import static io.hanzo.kms.scim.it.ScimChecks.assertScimError;
import static io.hanzo.kms.scim.it.ScimChecks.ids;
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
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** GET /Users: paging, filters in RFC 7644 grammar and in the forms IdPs send, and organisation isolation. */
@ExtendWith(VertxExtension.class)
class UsersListIT {
    private static Vertx vertx;
    private static ApiClient client;
    private static ScimChecks api;

    /** Four users with known attributes, in an organisation of their own. */
    private static TestOrg org;
    private static String alice;
    private static String bob;
    private static String carol;
    private static String dave;
    private static List<String> all;

    /** Another organisation holding users with the same names. */
    private static TestOrg otherOrg;
    private static String otherAlice;

    @BeforeAll
    static void start(Vertx v) {
        vertx = v;
        client = new ApiClient(vertx, TestServer.shared().port());
        api = new ScimChecks(client);
        org = TestOrg.create(client, "UsersList");
        alice = api.createUser(org, """
                {"schemas":["%s","%s"],"userName":"alice@x.com","externalId":"12345",
                 "name":{"givenName":"Alice","familyName":"Anderson"},"title":"Engineer","active":true,
                 "emails":[{"value":"alice@x.com","type":"work","primary":true},{"value":"alice.home@y.org","type":"home"}],
                 "%s":{"department":"Sales","employeeNumber":"E1"}}
                """.formatted(CORE, ENTERPRISE, ENTERPRISE)).path("id").asText();
        bob = api.createUser(org, """
                {"schemas":["%s","%s"],"userName":"bob@x.com","externalId":"ext-Bob",
                 "name":{"givenName":"Bob","familyName":"Brown"},"active":false,
                 "emails":[{"value":"bob@x.com","type":"work"}],
                 "%s":{"department":"Engineering"}}
                """.formatted(CORE, ENTERPRISE, ENTERPRISE)).path("id").asText();
        carol = api.createUser(org, """
                {"schemas":["%s"],"userName":"carol@y.org","externalId":"EXT-carol",
                 "name":{"givenName":"Carol","familyName":"Carter"},
                 "emails":[{"value":"carol@y.org","type":"home"}]}
                """.formatted(CORE)).path("id").asText();
        dave = api.createUser(org, """
                {"schemas":["%s"],"userName":"dave@x.com","name":{"givenName":"Dave","familyName":"Davis"}}
                """.formatted(CORE)).path("id").asText();
        all = List.of(alice, bob, carol, dave);

        otherOrg = TestOrg.create(client, "UsersList-other");
        otherAlice = api.createUser(otherOrg, """
                {"schemas":["%s","%s"],"userName":"alice@x.com","externalId":"12345",
                 "name":{"givenName":"Alice","familyName":"Anderson"},"active":true,
                 "emails":[{"value":"alice@x.com","type":"work"}],"%s":{"department":"Sales"}}
                """.formatted(CORE, ENTERPRISE, ENTERPRISE)).path("id").asText();
        api.createUser(otherOrg, user("eve@x.com"));
    }

    @AfterAll
    static void stop() {
        client.close();
    }

    /** The ids a filter selects in the fixture organisation, in the order returned. */
    private static List<String> matching(String filter) {
        JsonNode list = api.list(org, filter);
        assertThat(list.path("totalResults").asInt()).as(filter).isEqualTo(list.path("Resources").size());
        return ids(list);
    }

    private static void assertMatches(String filter, String... expected) {
        assertThat(matching(filter)).as(filter).containsExactlyInAnyOrder(expected);
    }

    private static void assertInvalidFilter(String filter) {
        ApiClient.Response r = api.get(USERS + "?filter=" + ApiClient.encode(filter), org.token());
        assertScimError(r, 400, "invalidFilter");
        assertThat(r.json().has("Resources")).as(filter).isFalse();
        assertThat(r.json().has("totalResults")).as(filter).isFalse();
    }

    private static TestOrg orgWithUsers(String name, int n) {
        TestOrg o = TestOrg.create(client, name);
        for (int i = 0; i < n; i++) {
            api.createUser(o, user(String.format("page.user.%02d@example.com", i)));
        }
        return o;
    }

    private static JsonNode page(TestOrg o, String query) {
        ApiClient.Response r = api.get(USERS + query, o.token());
        assertThat(r.status()).as(query + ": " + r.text()).isEqualTo(200);
        assertListResponse(r);
        return r.json();
    }

    /** A filter, count or sort given twice has no one meaning; two lists of attributes mean both. */
    @Test
    void aListParameterGivenTwiceIsRefusedButAttributeListsJoin() {
        for (String query : List.of("?filter=" + ApiClient.encode("userName pr") + "&filter=" + ApiClient.encode("title pr"),
                "?count=1&count=2", "?sortBy=userName&sortBy=title")) {
            ApiClient.Response r = api.get(USERS + query, org.token());
            assertScimError(r, 400, "invalidValue");
            assertThat(r.json().path("detail").asText()).as(query).contains("more than once");
        }
        JsonNode first = page(org, "?count=1&attributes=title&attributes=emails").path("Resources").get(0);
        assertThat(first.path("id").asText()).isEqualTo(alice);
        assertThat(first.path("title").asText()).isEqualTo("Engineer");
        assertThat(first.path("emails").size()).as("the second list too").isEqualTo(2);
        assertThat(first.has("name")).as("neither list asked for name").isFalse();
        ApiClient.Response groups = api.get(ScimChecks.GROUPS + "?filter=" + ApiClient.encode("displayName pr")
                + "&filter=" + ApiClient.encode("externalId pr"), org.token());
        assertScimError(groups, 400, "invalidValue");
    }

    @Test
    void unfilteredListHasEveryUserAndIntegerPagingFields() {
        ApiClient.Response r = api.get(USERS, org.token());
        assertThat(r.status()).isEqualTo(200);
        assertListResponse(r);
        JsonNode list = r.json();
        assertThat(list.path("totalResults").asInt()).isEqualTo(4);
        assertThat(list.path("itemsPerPage").asInt()).isEqualTo(4);
        assertThat(list.path("startIndex").asInt()).isEqualTo(1);
        assertThat(ids(list)).containsExactlyInAnyOrderElementsOf(all);
        for (JsonNode u : list.path("Resources")) {
            assertThat(u.path("meta").path("resourceType").asText()).isEqualTo("User");
            assertThat(u.has("password")).isFalse();
        }
    }

    @Test
    void pagesAreStableAndTotalResultsCountsEveryMatch() {
        TestOrg paged = orgWithUsers("UsersList-paging", 25);
        List<String> first = new ArrayList<>();
        List<String> second = new ArrayList<>();
        for (List<String> run : List.of(first, second)) {
            for (int start = 1; start <= 25; start += 10) {
                JsonNode p = page(paged, "?startIndex=" + start + "&count=10");
                assertThat(p.path("totalResults").asInt()).isEqualTo(25);
                assertThat(p.path("startIndex").asInt()).isEqualTo(start);
                assertThat(p.path("itemsPerPage").asInt()).isEqualTo(start == 21 ? 5 : 10);
                run.addAll(ids(p));
            }
        }
        assertThat(first).hasSize(25).doesNotHaveDuplicates();
        assertThat(second).isEqualTo(first);
        JsonNode everything = page(paged, "");
        assertThat(ids(everything)).isEqualTo(first);

        List<String> filtered = new ArrayList<>();
        for (int start = 1; start <= 25; start += 7) {
            JsonNode p = page(paged, "?filter=" + ApiClient.encode("userName sw \"page.user\"") + "&startIndex=" + start + "&count=7");
            assertThat(p.path("totalResults").asInt()).isEqualTo(25);
            filtered.addAll(ids(p));
        }
        assertThat(filtered).isEqualTo(first);

        JsonNode beyond = page(paged, "?startIndex=26&count=10");
        assertThat(beyond.path("totalResults").asInt()).isEqualTo(25);
        assertThat(beyond.path("Resources").size()).isZero();
    }

    @Test
    void countIsCappedAtTheConfiguredMaximum() {
        JsonNode huge = page(org, "?count=100000");
        assertThat(huge.path("itemsPerPage").asInt()).isLessThanOrEqualTo(1000);
        assertThat(huge.path("totalResults").asInt()).isEqualTo(4);
        assertThat(ids(huge)).containsExactlyInAnyOrderElementsOf(all);

        JsonNode beyondInt = page(org, "?count=99999999999999999999");
        assertThat(beyondInt.path("Resources").size()).isEqualTo(4);

        TestServer small = TestServer.start(Map.of("SCIM_SCIM_MAX_RESULTS", "10", "SCIM_SCIM_DEFAULT_COUNT", "10"));
        ApiClient smallClient = new ApiClient(vertx, small.port());
        try {
            ScimChecks smallApi = new ScimChecks(smallClient);
            TestOrg o = TestOrg.create(smallClient, "UsersList-cap");
            for (int i = 0; i < 13; i++) {
                smallApi.createUser(o, user("cap.user." + i + "@example.com"));
            }
            ApiClient.Response r = smallApi.get(USERS + "?count=100000", o.token());
            assertThat(r.status()).as(r.text()).isEqualTo(200);
            assertListResponse(r);
            assertThat(r.json().path("totalResults").asInt()).isEqualTo(13);
            assertThat(r.json().path("itemsPerPage").asInt()).isEqualTo(10);
            assertThat(r.json().path("Resources").size()).isEqualTo(10);
            ApiClient.Response rest = smallApi.get(USERS + "?startIndex=11&count=100000", o.token());
            assertThat(rest.json().path("Resources").size()).isEqualTo(3);
        } finally {
            smallClient.close();
            small.stop();
        }
    }

    @Test
    void countZeroGivesTheTotalOnly() {
        JsonNode p = page(org, "?count=0");
        assertThat(p.path("totalResults").asInt()).isEqualTo(4);
        assertThat(p.path("itemsPerPage").asInt()).isZero();
        assertThat(p.path("Resources").size()).isZero();

        JsonNode filtered = page(org, "?count=0&filter=" + ApiClient.encode("userName co \"@x.com\""));
        assertThat(filtered.path("totalResults").asInt()).isEqualTo(3);
        assertThat(filtered.path("Resources").size()).isZero();

        JsonNode negative = page(org, "?count=-5");
        assertThat(negative.path("totalResults").asInt()).isEqualTo(4);
        assertThat(negative.path("Resources").size()).isZero();
    }

    @Test
    void startIndexBelowOneMeansOne() {
        List<String> fromOne = ids(page(org, "?startIndex=1&count=2"));
        for (String start : List.of("0", "-1", "-100")) {
            JsonNode p = page(org, "?startIndex=" + start + "&count=2");
            assertThat(p.path("startIndex").asInt()).isEqualTo(1);
            assertThat(p.path("totalResults").asInt()).isEqualTo(4);
            assertThat(ids(p)).isEqualTo(fromOne);
        }
    }

    @Test
    void pagingParametersThatAreNotNumbersAre400() {
        assertScimError(api.get(USERS + "?count=abc", org.token()), 400, null);
        assertScimError(api.get(USERS + "?startIndex=abc", org.token()), 400, null);
        assertScimError(api.get(USERS + "?count=1.5", org.token()), 400, null);
    }

    @Test
    void noMatchIsAnEmptyList() {
        JsonNode none = api.list(org, "userName eq \"nobody@nowhere.example\"");
        assertThat(none.path("totalResults").asInt()).isZero();
        assertThat(none.path("itemsPerPage").asInt()).isZero();
        assertThat(none.path("Resources").size()).isZero();

        TestOrg empty = TestOrg.create(client, "UsersList-empty");
        JsonNode nothing = page(empty, "");
        assertThat(nothing.path("totalResults").asInt()).isZero();
        assertThat(nothing.path("Resources").size()).isZero();
    }

    @Test
    void comparisonOperators() {
        assertMatches("userName eq \"alice@x.com\"", alice);
        assertMatches("userName ne \"alice@x.com\"", bob, carol, dave);
        assertMatches("userName co \"@x.com\"", alice, bob, dave);
        assertMatches("userName sw \"car\"", carol);
        assertMatches("userName ew \"y.org\"", carol);
        assertMatches("externalId pr", alice, bob, carol);
        assertMatches("title pr", alice);
        assertMatches("name.familyName gt \"Brown\"", carol, dave);
        assertMatches("name.familyName ge \"Brown\"", bob, carol, dave);
        assertMatches("name.familyName lt \"Carter\"", alice, bob);
        assertMatches("name.familyName le \"Carter\"", alice, bob, carol);
        assertMatches("active eq true", alice, carol, dave);
        assertMatches("active eq false", bob);
        assertMatches("active ne true", bob);
        assertMatches("active eq \"False\"", bob);
        assertMatches("id eq \"" + carol + "\"", carol);
        assertMatches("id eq \"" + otherAlice + "\"");
        assertMatches("id eq \"not-a-uuid\"");
        assertMatches("meta.resourceType eq \"User\"", alice, bob, carol, dave);
    }

    /** RFC 7644 §3.4.2.2: a filter on a multi-valued attribute matches when any of its values does. */
    @Test
    void neOnAMultiValuedAttributeAsksForSomeValueNotEqual() {
        TestOrg o = TestOrg.create(client, "UsersList-ne");
        String two = api.createUser(o, """
                {"userName":"two@ne.example","emails":[{"value":"two@ne.example","type":"work"},
                 {"value":"two@home.example","type":"home"}]}""").path("id").asText();
        String one = api.createUser(o, """
                {"userName":"one@ne.example","emails":[{"value":"one@ne.example","type":"work"}]}""").path("id").asText();
        String none = api.createUser(o, user("none@ne.example")).path("id").asText();
        String first = api.createGroup(o, "Ne First", two, one);
        String second = api.createGroup(o, "Ne Second", two);

        Map<String, List<String>> expected = new LinkedHashMap<>();
        expected.put("emails.value ne \"two@ne.example\"", List.of(two, one));
        expected.put("emails ne \"TWO@NE.EXAMPLE\"", List.of(two, one));
        expected.put("emails[value ne \"two@ne.example\"]", List.of(two, one));
        expected.put("emails.type ne \"work\"", List.of(two));
        expected.put("emails[type ne \"work\"]", List.of(two));
        expected.put("groups.value ne \"" + first + "\"", List.of(two));
        expected.put("groups[value ne \"" + first + "\"]", List.of(two));
        expected.put("groups.value ne \"" + second + "\"", List.of(two, one));
        expected.put("not (emails.value eq \"two@ne.example\")", List.of(one, none));
        expected.put("not (groups.value eq \"" + first + "\")", List.of(none));
        expected.forEach((filter, ids) -> {
            JsonNode list = api.list(o, filter);
            assertThat(ids(list)).as(filter).containsExactlyInAnyOrderElementsOf(ids);
            assertThat(list.path("totalResults").asInt()).as(filter).isEqualTo(ids.size());
        });
    }

    @Test
    void dateTimeComparisons() {
        assertMatches("meta.lastModified gt \"2000-01-01T00:00:00Z\"", alice, bob, carol, dave);
        assertMatches("meta.lastModified lt \"2000-01-01T00:00:00Z\"");
        assertMatches("meta.created le \"2999-12-31T23:59:59Z\"", alice, bob, carol, dave);

        Map<String, Instant> modified = new LinkedHashMap<>();
        for (String id : all) {
            modified.put(id, Instant.parse(api.getUser(org, id).path("meta").path("lastModified").asText()));
        }
        Instant pivot = modified.get(carol);
        String at = pivot.toString();
        assertThat(matching("meta.lastModified ge \"" + at + "\"")).containsExactlyInAnyOrderElementsOf(
                modified.entrySet().stream().filter(e -> !e.getValue().isBefore(pivot)).map(Map.Entry::getKey).toList());
        assertThat(matching("meta.lastModified gt \"" + at + "\"")).containsExactlyInAnyOrderElementsOf(
                modified.entrySet().stream().filter(e -> e.getValue().isAfter(pivot)).map(Map.Entry::getKey).toList());
        assertThat(matching("meta.lastModified le \"" + at + "\"")).containsExactlyInAnyOrderElementsOf(
                modified.entrySet().stream().filter(e -> !e.getValue().isAfter(pivot)).map(Map.Entry::getKey).toList());
        assertThat(matching("meta.lastModified lt \"" + at + "\"")).containsExactlyInAnyOrderElementsOf(
                modified.entrySet().stream().filter(e -> e.getValue().isBefore(pivot)).map(Map.Entry::getKey).toList());
        assertThat(matching("meta.lastModified eq \"" + at + "\"")).containsExactlyInAnyOrderElementsOf(
                modified.entrySet().stream().filter(e -> e.getValue().equals(pivot)).map(Map.Entry::getKey).toList());
        assertThat(matching("meta.lastModified ge \"" + at + "\"")).contains(carol, dave);
        assertThat(matching("meta.lastModified le \"" + at + "\"")).contains(alice, bob, carol);
    }

    @Test
    void logicalOperatorsAndGrouping() {
        assertMatches("userName co \"@x.com\" and active eq true", alice, dave);
        assertMatches("userName eq \"alice@x.com\" or userName eq \"carol@y.org\"", alice, carol);
        assertMatches("not (userName co \"@x.com\")", carol);
        assertMatches("not(active eq true)", bob);
        assertMatches("(userName sw \"a\" or userName sw \"b\") and active eq false", bob);
        assertMatches("userName sw \"a\" or userName sw \"b\" and active eq false", alice, bob);
        assertMatches("userName sw \"a\" or (userName sw \"d\" and not (title pr))", alice, dave);
        assertMatches("((userName eq \"dave@x.com\"))", dave);
    }

    @Test
    void valuePathFilters() {
        assertMatches("emails[type eq \"work\" and value co \"@x.com\"]", alice, bob);
        assertMatches("emails[type eq \"home\"]", alice, carol);
        assertMatches("emails[type eq \"home\" and value ew \".org\"]", alice, carol);
        assertMatches("emails[type eq \"work\" or primary eq true]", alice, bob);
        assertMatches("emails[not (type eq \"work\")]", alice, carol);
        assertMatches("emails[value eq \"carol@y.org\"] and active eq true", carol);
        assertMatches("emails[type eq \"work\" and value eq \"carol@y.org\"]");
    }

    @Test
    void urnQualifiedEnterpriseAttributes() {
        assertMatches(ENTERPRISE + ":department eq \"Sales\"", alice);
        assertMatches(ENTERPRISE + ":department pr", alice, bob);
        assertMatches(ENTERPRISE + ":department sw \"eng\"", bob);
        assertMatches(ENTERPRISE + ":employeeNumber eq \"E1\" and userName eq \"alice@x.com\"", alice);
        assertMatches(CORE + ":userName eq \"bob@x.com\"", bob);
        assertMatches("department eq \"Engineering\"", bob);
    }

    @Test
    void attributeNamesOperatorsAndUserNamesInAnyLetterCase() {
        assertMatches("USERNAME EQ \"bob@x.com\"", bob);
        assertMatches("Name.FamilyName SW \"CAR\"", carol);
        assertMatches("userName Co \"ALICE\"", alice);
        assertMatches("userName eq \"ALICE@X.COM\"", alice);
        assertMatches("userName eq \"Carol@Y.Org\"", carol);
        assertMatches("EMAILS[TYPE EQ \"WORK\"]", alice, bob);
        assertMatches("userName pR", alice, bob, carol, dave);
        assertMatches("userName eq \"bob@x.com\" AND active EQ false", bob);
        assertMatches("userName eq \"bob@x.com\" Or userName eq \"dave@x.com\"", bob, dave);
        assertMatches("NOT (active eq true)", bob);
    }

    @Test
    void externalIdIsCaseExact() {
        assertMatches("externalId eq \"EXT-carol\"", carol);
        assertMatches("externalId eq \"ext-carol\"");
        assertMatches("externalId eq \"ext-Bob\"", bob);
        assertMatches("externalId eq \"EXT-BOB\"");
        assertMatches("externalId sw \"EXT\"", carol);
    }

    @Test
    void filtersIdentityProvidersSend() {
        assertMatches("email.value Eq \"alice@x.com\"", alice);
        assertMatches("email.value Eq \"ALICE@x.com\"", alice);
        assertMatches("email.value Eq \"alice.home@y.org\"", alice);
        assertMatches("email Co \"@x.com\"", alice, bob);
        assertMatches("username Eq \"bob@x.com\"", bob);
        assertMatches("emails eq \"carol@y.org\"", carol);
        assertMatches("emails[type eq \"work\"].value eq \"bob@x.com\"", bob);
        assertMatches("emails[type eq \"work\"].value eq \"carol@y.org\"");
        assertMatches("emails[type eq \"home\"].value eq \"carol@y.org\"", carol);
        assertMatches("userName eq bob@x.com", bob);
        assertMatches("externalId eq 12345", alice);
        assertMatches("externalId eq \"12345\"", alice);
        assertMatches("userName eq \"dave@x.com\" and active eq True", dave);
    }

    /** PingOne's singular alias, also after the core schema's URN, as sortBy and attributes take it. */
    @Test
    void singularAliasesAfterTheCoreSchemaUrn() {
        assertMatches(CORE + ":email.value eq \"alice@x.com\"", alice);
        assertMatches(CORE + ":email.value Eq \"ALICE.home@y.org\"", alice);
        assertMatches(CORE + ":email[type eq \"work\"].value eq \"bob@x.com\"", bob);
        assertMatches(CORE + ":emails.value eq \"carol@y.org\"", carol);
    }

    /**
     * Entra sends values unquoted; one that reads as a number is still the text sent when compared with
     * a string attribute, or the user is missed and created again.
     */
    @Test
    void unquotedValuesThatReadAsNumbersMatchStringsAsSent() {
        TestOrg o = TestOrg.create(client, "UsersList-bare");
        Map<String, String> ids = new HashMap<>();
        for (String externalId : List.of("1E3", "-0", "0.0000001", "1.50", "12345", "1000")) {
            ids.put(externalId, api.createUser(o, """
                    {"schemas":["%s"],"userName":"bare%s@x.com","externalId":"%s"}
                    """.formatted(CORE, ids.size(), externalId)).path("id").asText());
        }
        for (String externalId : List.of("1E3", "-0", "0.0000001", "1.50", "12345", "1000")) {
            JsonNode found = api.list(o, "externalId eq " + externalId);
            assertThat(ids(found)).as(externalId).containsExactly(ids.get(externalId));
        }
        assertThat(api.list(o, "externalId eq 0").path("totalResults").asInt()).isZero();
        // A number no BigDecimal holds (its exponent overflows an int) is still the text sent.
        assertThat(api.list(o, "externalId eq 1E9999999999").path("totalResults").asInt()).isZero();
    }

    /** RFC 7644 §3.4.2.2 quotes with ASCII double quotes: “x” has no one meaning, so it is refused, not missed. */
    @Test
    void typographicQuotesAre400InvalidFilterNamingThem() {
        for (String filter : List.of("userName eq \u201Calice@x.com\u201D", "emails[value eq \u201Calice@x.com\u201D]")) {
            ApiClient.Response r = api.get(USERS + "?filter=" + ApiClient.encode(filter), org.token());
            assertScimError(r, 400, "invalidFilter");
            assertThat(r.json().path("detail").asText()).as(filter).contains("typographic quotes").contains("U+201C");
        }
        assertMatches("title eq \"Engineer\" and userName eq \"alice@x.com\"", alice);
    }

    @Test
    void unknownAttributesAndBrokenFiltersAre400InvalidFilter() {
        List<String> filters = List.of(
                "foo eq \"x\"",
                "name.foo eq \"x\"",
                "emails[nosuch eq \"x\"]",
                "urn:acme:unknown:1.0:User:thing eq \"x\"",
                ENTERPRISE + ":nosuch eq \"x\"",
                "password eq \"secret\"",
                "userName eq",
                "userName zz \"x\"",
                "userName eq \"unterminated",
                "(userName eq \"x\"",
                "userName eq \"x\")",
                "userName eq \"x\" and",
                "and userName eq \"x\"",
                "emails[type eq \"work\"",
                "emails[type eq \"work\"]]",
                "userName eq \"x\" userName eq \"y\"",
                "active gt true",
                "active eq \"maybe\"",
                "meta.lastModified gt \"yesterday\"",
                "name eq \"Alice\"",
                "userName[value eq \"x\"]",
                "emails[type eq \"work\"[value eq \"x\"]]",
                "\"alice@x.com\"",
                "(".repeat(100) + "userName eq \"x\"" + ")".repeat(100));
        for (String filter : filters) {
            assertInvalidFilter(filter);
        }
    }

    @Test
    void aFilterNeverSeesAnotherOrganisation() {
        assertMatches("userName eq \"alice@x.com\"", alice);
        assertMatches("externalId eq \"12345\"", alice);
        assertMatches("emails.value eq \"alice@x.com\"", alice);
        assertMatches(ENTERPRISE + ":department eq \"Sales\"", alice);
        assertMatches("userName eq \"eve@x.com\"");
        assertMatches("userName co \"@\"", alice, bob, carol, dave);

        JsonNode theirs = api.list(otherOrg, "userName eq \"alice@x.com\"");
        assertThat(ids(theirs)).containsExactly(otherAlice);
        JsonNode theirAll = page(otherOrg, "");
        assertThat(theirAll.path("totalResults").asInt()).isEqualTo(2);
        Set<String> overlap = new HashSet<>(ids(theirAll));
        overlap.retainAll(all);
        assertThat(overlap).isEmpty();
    }

    @Test
    void concurrentListsAllAnswer() {
        List<Future<ApiClient.Response>> calls = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String filter = i % 2 == 0 ? "userName eq \"alice@x.com\"" : "emails[type eq \"work\"].value eq \"bob@x.com\"";
            calls.add(api.send(HttpMethod.GET, USERS + "?filter=" + ApiClient.encode(filter), org.token(), null));
        }
        ApiClient.await(Future.all(calls));
        for (int i = 0; i < calls.size(); i++) {
            ApiClient.Response r = calls.get(i).result();
            assertThat(r.status()).isEqualTo(200);
            assertThat(ids(r.json())).containsExactly(i % 2 == 0 ? alice : bob);
        }
    }
}
