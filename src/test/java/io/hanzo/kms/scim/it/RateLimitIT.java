package io.hanzo.kms.scim.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Per-token rate limits: past the burst a token gets 429 with Retry-After; after waiting it is served again. */
@ExtendWith(VertxExtension.class)
class RateLimitIT {
    private static final int PER_SECOND = 5;
    private static final int BURST = 30;

    private static TestServer server;
    private static ApiClient client;

    @BeforeAll
    static void start(Vertx vertx) {
        server = TestServer.start(Map.of(
                "SCIM_SCIM_RATE_LIMIT_PER_SECOND", Integer.toString(PER_SECOND),
                "SCIM_SCIM_RATE_LIMIT_BURST", Integer.toString(BURST)));
        client = new ApiClient(vertx, server.port());
    }

    @AfterAll
    static void stop() {
        client.close();
        server.stop();
    }

    @Test
    void pastTheBurstATokenGets429WithRetryAfterThenRecovers() throws Exception {
        TestOrg org = TestOrg.create(client, "Rate Org");
        TestOrg other = TestOrg.create(client, "Rate Org Other");
        List<Integer> statuses = new ArrayList<>();
        ApiClient.Response limited = null;
        // The bucket refills while the requests are made, as many tokens as the time they took allows
        // (a slow machine takes longer); one more for the part of a token it may have held at the start.
        long start = System.nanoTime();
        for (int i = 0; limited == null && i <= BURST + refillsSince(start) + 1 && i < BURST * 10; i++) {
            ApiClient.Response r = client.get(TestOrg.SCIM + "/Users?count=1", org.token());
            statuses.add(r.status());
            if (r.status() == 429) {
                limited = r;
            }
        }
        long allowed = BURST + refillsSince(start) + 1;
        assertThat(limited).as("a 429 within %d requests: %s", allowed, statuses).isNotNull();
        assertThat(statuses.indexOf(429)).as("requests served before the first 429").isBetween(BURST, (int) allowed);
        assertThat(statuses.subList(0, BURST)).containsOnly(200);
        int retryAfter = Integer.parseInt(limited.header("Retry-After"));
        assertThat(retryAfter).isBetween(1, 2);
        assertThat(limited.header("Content-Type")).startsWith("application/scim+json");
        assertThat(limited.json().path("schemas").get(0).asText()).isEqualTo("urn:ietf:params:scim:api:messages:2.0:Error");
        assertThat(limited.json().path("status").asText()).isEqualTo("429");

        // Another organisation's token has a bucket of its own.
        assertThat(client.get(TestOrg.SCIM + "/Users?count=1", other.token()).status()).isEqualTo(200);

        // After the wait asked for, the token is served again.
        Thread.sleep(retryAfter * 1000L);
        ApiClient.Response again = client.get(TestOrg.SCIM + "/Users?count=1", org.token());
        assertThat(again.status()).as(again.text()).isEqualTo(200);
        System.out.printf("Rate limit %d/s burst %d: first 429 after %d requests, Retry-After %s s, served again after "
                + "waiting%n", PER_SECOND, BURST, statuses.indexOf(429), retryAfter);
    }

    /** The most tokens the bucket can have gained since {@code start}. */
    private static long refillsSince(long start) {
        return (long) Math.ceil((System.nanoTime() - start) / 1e9 * PER_SECOND);
    }
}
