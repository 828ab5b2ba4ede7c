package io.hanzo.kms.scim.load;

import io.gatling.javaapi.core.Session;
import io.gatling.javaapi.http.HttpProtocolBuilder;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

import static io.gatling.javaapi.http.HttpDsl.http;

/** What every simulation shares: the HTTP protocol of an identity provider, and run bounds. */
public final class Scim {
    public static final String JSON_TYPE = "application/scim+json";

    private Scim() {
    }

    /**
     * One connection per virtual user (Gatling's default), kept alive; no warm-up request, no cache,
     * every request carries the organisation's bearer token.
     */
    public static HttpProtocolBuilder protocol(String baseUrl, String token) {
        return http.baseUrl(baseUrl)
                .disableWarmUp()
                .disableCaching()
                .disableFollowRedirect()
                .authorizationHeader("Bearer " + token)
                .acceptHeader(JSON_TYPE)
                .contentTypeHeader(JSON_TYPE)
                .userAgentHeader("kms-scim-bench");
    }

    public static HttpProtocolBuilder protocol() {
        return protocol(BenchConfig.scimBase(), BenchConfig.token());
    }

    /** Safety cap on a whole simulation, far beyond its expected length. */
    public static Duration maxDuration(Duration expected) {
        return expected.multipliedBy(3).plusMinutes(5);
    }

    /** A shared request budget: a loop stops when it is spent, whatever the clock says. */
    public static final class Budget {
        private final AtomicLong left;

        public Budget(long requests) {
            this.left = new AtomicLong(requests);
        }

        public boolean take(Session ignored) {
            return left.getAndDecrement() > 0;
        }
    }

    public static int random(int bound) {
        return ThreadLocalRandom.current().nextInt(bound);
    }
}
