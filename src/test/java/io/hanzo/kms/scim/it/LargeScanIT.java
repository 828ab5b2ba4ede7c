package io.hanzo.kms.scim.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.hanzo.kms.scim.index.UserQuery;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Filters the index cannot narrow, on an organisation above {@link UserQuery#SCAN_OFF_LOOP} users, so
 * that they are answered by a scan on a worker thread: the answers are the ones the filter's rules give,
 * counted here from the users that were created.
 */
@ExtendWith(VertxExtension.class)
class LargeScanIT {
    private static final String USERS = TestOrg.SCIM + "/Users";
    private static final int N = UserQuery.SCAN_OFF_LOOP + 1_000;

    private static ApiClient client;
    private static TestOrg org;
    /** The users' ids, in creation order. */
    private static final List<String> ids = new ArrayList<>();

    private static String userName(int i) {
        return String.format(Locale.ROOT, "s%05d@scan.example", i);
    }

    private static String family(int i) {
        return "Family" + (i % 97);
    }

    @BeforeAll
    static void start(Vertx vertx) {
        client = new ApiClient(vertx, TestServer.shared().port());
        org = TestOrg.create(client, "LargeScan");
        for (int from = 0; from < N; from += 1_000) {
            String ops = IntStream.range(from, Math.min(N, from + 1_000)).mapToObj(i -> """
                    {"method":"POST","path":"/Users","bulkId":"b%d","data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],
                     "userName":"%s","name":{"familyName":"%s"},"title":"%s"}}""".formatted(i, userName(i), family(i),
                    i % 10 == 0 ? "Senior Engineer" : "Engineer")).collect(Collectors.joining(","));
            ApiClient.Response r = client.post(TestOrg.SCIM + "/Bulk", org.token(),
                    "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:BulkRequest\"],\"Operations\":[" + ops + "]}");
            assertThat(r.status()).as(r.text()).isEqualTo(200);
            for (JsonNode op : r.json().get("Operations")) {
                assertThat(op.get("status").asText()).as(op.toString()).isEqualTo("201");
                String location = op.get("location").asText();
                ids.add(location.substring(location.lastIndexOf('/') + 1));
            }
        }
    }

    @AfterAll
    static void stop() {
        client.close();
    }

    private static JsonNode list(String filter, String extra) {
        ApiClient.Response r = client.get(USERS + "?filter=" + ApiClient.encode(filter) + extra, org.token());
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        return r.json();
    }

    private static List<String> userNames(JsonNode list) {
        List<String> out = new ArrayList<>();
        list.get("Resources").forEach(u -> out.add(u.get("userName").asText()));
        return out;
    }

    @Test
    void containsScansEveryUserAndPagesInCreationOrder() {
        List<String> expected = IntStream.range(0, N).mapToObj(LargeScanIT::userName).filter(u -> u.contains("042"))
                .toList();
        JsonNode page = list("userName co \"042\"", "&count=5");
        assertThat(page.get("totalResults").asInt()).isEqualTo(expected.size()).isGreaterThan(5);
        assertThat(userNames(page)).containsExactlyElementsOf(expected.subList(0, 5));
        JsonNode second = list("userName co \"042\"", "&startIndex=6&count=5");
        assertThat(userNames(second)).containsExactlyElementsOf(expected.subList(5, 10));
    }

    @Test
    void startsWithAndTimestampOrderingScanToo() {
        assertThat(list("userName sw \"S001\"", "&count=0").get("totalResults").asInt()).isEqualTo(100);
        JsonNode all = list("meta.lastModified gt \"2000-01-01T00:00:00Z\"", "&count=3");
        assertThat(all.get("totalResults").asInt()).isEqualTo(N);
        assertThat(userNames(all)).containsExactly(userName(0), userName(1), userName(2));
        assertThat(list("meta.lastModified lt \"2000-01-01T00:00:00Z\"", "").get("totalResults").asInt()).isZero();
    }

    @Test
    void anOrOfManyTermsOnUnindexedAttributes() {
        String filter = "title eq \"senior engineer\" or " + IntStream.range(0, 20).mapToObj(k -> "name.familyName eq \"Family" + k + "\"")
                .collect(Collectors.joining(" or "));
        long expected = IntStream.range(0, N).filter(i -> i % 10 == 0 || i % 97 < 20).count();
        assertThat(list(filter, "&count=0").get("totalResults").asInt()).isEqualTo((int) expected);
    }

    @Test
    void aSortOfTheWholeOrganisationAndASearchByPost() {
        JsonNode sorted = list("userName pr", "&sortBy=userName&sortOrder=descending&count=2");
        assertThat(userNames(sorted)).containsExactly(userName(N - 1), userName(N - 2));
        ApiClient.Response r = client.post(USERS + "/.search", org.token(), """
                {"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
                 "filter":"userName ew \\"9@scan.example\\" and not (title co \\"senior\\")","count":1}""");
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        long expected = IntStream.range(0, N).filter(i -> i % 10 == 9).count();
        assertThat(r.json().get("totalResults").asInt()).isEqualTo((int) expected);
        // At the service root the same scan of the users, then the groups (none has a title).
        ApiClient.Response root = client.post(TestOrg.SCIM + "/.search", org.token(), """
                {"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
                 "filter":"userName ew \\"9@scan.example\\" and not (title co \\"senior\\")","count":2}""");
        assertThat(root.status()).as(root.text()).isEqualTo(200);
        assertThat(root.json().get("totalResults").asInt()).isEqualTo((int) expected);
        assertThat(userNames(root.json())).containsExactly(userName(9), userName(19));
    }

    @Test
    void aLargeGroupsMembersAndTheUsersInNoGroup() {
        // More members than a list tests on the event loop: its candidates are tested on a worker too.
        int members = UserQuery.SCAN_OFF_LOOP + 200;
        String group = new ScimChecks(client).createGroup(org, "Scan Many",
                ids.subList(0, members).toArray(new String[0]));

        JsonNode page = list("groups.value eq \"" + group + "\"", "&count=3");
        assertThat(page.get("totalResults").asInt()).isEqualTo(members);
        assertThat(userNames(page)).containsExactly(userName(0), userName(1), userName(2));
        assertThat(list("groups pr", "&count=0").get("totalResults").asInt()).isEqualTo(members);
        JsonNode none = list("not (groups pr)", "&count=1");
        assertThat(none.get("totalResults").asInt()).isEqualTo(N - members);
        assertThat(userNames(none)).containsExactly(userName(members));
        long seniors = IntStream.range(0, members).filter(i -> i % 10 == 0).count();
        assertThat(list("groups.display eq \"scan many\" and title co \"senior\"", "&count=0").get("totalResults")
                .asInt()).isEqualTo((int) seniors);
    }

    @Test
    void equalityLookupsStillUseTheIndexAndBadFiltersStayPreciseErrors() {
        int i = N - 679;
        JsonNode one = list("userName eq \"" + userName(i).toUpperCase(Locale.ROOT) + "\"", "");
        assertThat(userNames(one)).containsExactly(userName(i));
        ApiClient.Response bad = client.get(USERS + "?filter=" + ApiClient.encode("userName co"), org.token());
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("scimType").asText()).isEqualTo("invalidFilter");
        ApiClient.Response badSort = client.get(USERS + "?filter=" + ApiClient.encode("userName pr")
                + "&sortBy=userName&sortOrder=sideways", org.token());
        assertThat(badSort.status()).as(badSort.text()).isEqualTo(400);
    }
}
