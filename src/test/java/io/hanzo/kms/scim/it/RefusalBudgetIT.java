package io.hanzo.kms.scim.it;

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

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An IdP stuck retrying refused requests: each organisation's refusals are recorded one by one within
 * its budget, and beyond it counted in one event that says how many, so that the events table grows by
 * the budget and not by the loop, and every refused request is still accounted for.
 */
@ExtendWith(VertxExtension.class)
class RefusalBudgetIT {
    private static final int BURST = 5;
    private static final int PER_SECOND = 2;
    private static final int LOOP = 500;
    private static final Pattern COUNTED = Pattern.compile("^(\\d+) refused requests since \\S+ were not recorded one "
            + "by one: this server records up to " + BURST + " at once and " + PER_SECOND + " a second for an "
            + "organisation, and counts the rest in one event a minute\\. The latest: User \\S+ not found\\.$");
    /** Operations per bulk request, and how many times the same bulk is sent. */
    private static final int BULK_OPERATIONS = 100;
    private static final int BULK_TRIES = 3;

    private static TestServer server;
    private static ApiClient client;

    @BeforeAll
    static void start(Vertx vertx) throws Exception {
        // A management port, for the metrics to exist: they are read from the registry /metrics serves.
        server = TestServer.start(Map.of("SCIM_EVENTS_REFUSALS_BURST", Integer.toString(BURST),
                "SCIM_EVENTS_REFUSALS_PER_SECOND", Integer.toString(PER_SECOND),
                "SCIM_MANAGEMENT_PORT", Integer.toString(TestServer.freePort())));
        client = new ApiClient(vertx, server.port());
    }

    @AfterAll
    static void stop() {
        client.close();
        server.stop();
    }

    @Test
    void aLoopOfRefusalsIsRecordedWithinTheBudgetAndCountedBeyondIt() {
        TestOrg looping = TestOrg.create(client, "Refusal Loop");
        TestOrg neighbour = TestOrg.create(client, "Refusal Neighbour");
        long summarisedBefore = counter();
        long started = System.nanoTime();
        getMissing(looping, "loop-a-", LOOP / 2);
        // In the middle of the loop, with the looping organisation's budget spent: the neighbour's own.
        getMissing(neighbour, "neighbour-", BURST);
        getMissing(looping, "loop-b-", LOOP / 2);

        Polling.until(Duration.ofSeconds(60), () -> {
            Tally n = tally(neighbour);
            assertThat(n.oneByOne).as("the neighbour's refusals, each recorded").isEqualTo(BURST);
            assertThat(n.summaries).isZero();
        });
        // The count of the loop's last refusals is written once the budget has room, with no refusal after them.
        Polling.until(Duration.ofSeconds(60), () -> assertThat(tally(looping).accountedFor()).isEqualTo(LOOP));
        double seconds = (System.nanoTime() - started) / 1e9;
        Tally t = tally(looping);
        assertThat(t.oneByOne).as("the burst is recorded one by one").isGreaterThanOrEqualTo(BURST);
        assertThat(t.summaries).isPositive();
        // Each row took one of the budget's tokens: the burst, and PER_SECOND a second since the loop began.
        assertThat(t.oneByOne + t.summaries).isLessThanOrEqualTo(BURST + (int) Math.ceil(PER_SECOND * seconds));
        assertThat(counter() - summarisedBefore).as("the metric counts the refusals written as counts")
                .isEqualTo(t.counted);

        // Once the loop has stopped and the budget refilled, a refusal is recorded one by one again. Each try
        // waits for its refusal to be accounted for, so that the tries do not spend the budget as they come.
        int[] tries = {0};
        Polling.until(Duration.ofSeconds(60), () -> {
            String id = "after-" + tries[0]++;
            getMissing(looping, id, 1);
            Polling.until(Duration.ofSeconds(30),
                    () -> assertThat(tally(looping).accountedFor()).isEqualTo(LOOP + tries[0]));
            assertThat(tally(looping).oneByOneIds).contains(id + "0");
        });
    }

    @Test
    void refusedBulkOperationsAreRecordedWithinTheSameBudget() {
        TestOrg org = TestOrg.create(client, "Refused Bulk");
        StringBuilder ops = new StringBuilder();
        for (int i = 0; i < BULK_OPERATIONS; i++) {
            ops.append(i == 0 ? "" : ",").append("{\"method\":\"DELETE\",\"path\":\"/Users/bulk-missing-").append(i)
                    .append("\"}");
        }
        String body = "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:BulkRequest\"],\"Operations\":[" + ops + "]}";
        long summarisedBefore = counter();
        long started = System.nanoTime();
        for (int i = 0; i < BULK_TRIES; i++) {
            ApiClient.Response r = client.post(TestOrg.SCIM + "/Bulk", org.token(), body);
            assertThat(r.status()).as(r.text()).isEqualTo(200);
            for (JsonNode result : r.json().path("Operations")) {
                assertThat(result.path("status").asText()).as(result.toString()).isEqualTo("404");
            }
        }
        int refused = BULK_OPERATIONS * BULK_TRIES;
        Polling.until(Duration.ofSeconds(60), () -> assertThat(tally(org, "POST /Bulk: DELETE /Users/").accountedFor())
                .isEqualTo(refused));
        double seconds = (System.nanoTime() - started) / 1e9;
        Tally t = tally(org, "POST /Bulk: DELETE /Users/");
        assertThat(t.oneByOne).as("the burst is recorded one by one").isGreaterThanOrEqualTo(BURST);
        assertThat(t.summaries).isPositive();
        // The burst and the refill one by one; a count a minute, and the last once the bulks stopped.
        assertThat(t.oneByOne).isLessThanOrEqualTo(BURST + (int) Math.ceil(PER_SECOND * seconds));
        assertThat(t.summaries).isLessThanOrEqualTo(2 + (int) (seconds / 60));
        assertThat(counter() - summarisedBefore).isEqualTo(t.counted);
    }

    /** GETs of users that do not exist, 50 at a time, as an IdP retrying them would: each answered 404. */
    private static void getMissing(TestOrg org, String prefix, int count) {
        for (int from = 0; from < count; from += 50) {
            List<Future<ApiClient.Response>> sent = new ArrayList<>();
            for (int i = from; i < Math.min(count, from + 50); i++) {
                sent.add(client.send(HttpMethod.GET, TestOrg.SCIM + "/Users/" + prefix + i, org.token(), null));
            }
            for (Future<ApiClient.Response> f : sent) {
                ApiClient.Response r = ApiClient.await(f);
                assertThat(r.status()).as(r.text()).isEqualTo(404);
            }
        }
    }

    /** The organisation's refusal events: those recorded one by one, and those that count several. */
    private record Tally(int oneByOne, List<String> oneByOneIds, int summaries, long counted) {
        long accountedFor() {
            return oneByOne + counted;
        }
    }

    private static Tally tally(TestOrg org) {
        return tally(org, "GET /Users");
    }

    /** The organisation's refusal events, each of an operation that starts with {@code operation}. */
    private static Tally tally(TestOrg org, String operation) {
        List<String> ids = new ArrayList<>();
        int summaries = 0;
        long counted = 0;
        String cursor = null;
        do {
            ApiClient.Response r = client.get("/api/v1/organizations/" + org.id() + "/scim-events?limit=500"
                    + (cursor == null ? "" : "&cursor=" + cursor), TestServer.ADMIN_TOKEN);
            assertThat(r.status()).as(r.text()).isEqualTo(200);
            for (JsonNode e : r.json().path("events")) {
                assertThat(e.path("outcome").asText()).isEqualTo("refused");
                assertThat(e.path("status").asInt()).isEqualTo(404);
                assertThat(e.path("operation").asText()).startsWith(operation);
                Matcher m = COUNTED.matcher(e.path("detail").asText());
                if (m.matches()) {
                    summaries++;
                    counted += Long.parseLong(m.group(1));
                } else {
                    String id = e.path("resourceId").asText();
                    assertThat(e.path("detail").asText()).isEqualTo("User " + id + " not found.");
                    ids.add(id);
                }
            }
            cursor = r.json().path("nextCursor").isNull() ? null : r.json().path("nextCursor").asText();
        } while (cursor != null);
        return new Tally(ids.size(), ids, summaries, counted);
    }

    private static long counter() {
        String scrape = server.app().services().ops().metrics().registry().scrape();
        Matcher m = Pattern.compile("(?m)^kms_scim_refusals_summarised_total (\\S+)$").matcher(scrape);
        assertThat(m.find()).as(scrape).isTrue();
        return (long) Double.parseDouble(m.group(1));
    }
}
