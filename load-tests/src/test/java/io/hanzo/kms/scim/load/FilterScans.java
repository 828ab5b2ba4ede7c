package io.hanzo.kms.scim.load;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.nothingFor;
import static io.gatling.javaapi.core.CoreDsl.responseTimeInMillis;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

/**
 * Filters the index cannot answer ({@code co}, {@code sw}, {@code gt} on {@code meta.lastModified}, an
 * {@code or} of many terms), each a scan of every user of a large organisation, sent alongside a storm
 * of equality lookups. The lookups run alone for a while, then with the scans beside them; their p99
 * in both halves (the first third of the first half left out as warm-up), and the ratio, go to the summary: the scans must not stall the lookups (target: the
 * ratio at most 2).
 *
 * <p>Sizes: BENCH_SCAN_USERS (6,000 at smoke scale, above the server's threshold for scanning on a
 * worker; 20,000 by default; 100,000 at large scale), BENCH_SCAN_SECONDS per half,
 * BENCH_SCAN_LOOKUP_CONCURRENCY lookup connections, BENCH_SCAN_CONCURRENCY scan connections.
 */
public class FilterScans extends Simulation {
    static final String PREFIX = "scan";
    private static final String NAME = "FilterScans";

    private final Scale scale = BenchConfig.scale();
    private final int users = BenchConfig.intValue("scanUsers", switch (scale.name()) {
        case "smoke" -> 6_000;
        case "large" -> 100_000;
        default -> 20_000;
    });
    private final Duration half = BenchConfig.seconds("scanSeconds", switch (scale.name()) {
        case "smoke" -> 10;
        case "large" -> 60;
        default -> 30;
    });
    private final int lookupConcurrency = BenchConfig.intValue("scanLookupConcurrency", 16);
    private final int scanConcurrency = BenchConfig.intValue("scanConcurrency", 2);
    private final Phases phases = new Phases();
    private final Latencies alone = new Latencies();
    private final Latencies withScans = new Latencies();
    private final AtomicLong lookupsStarted = new AtomicLong(Long.MAX_VALUE);
    private final String[] filters = {
        "userName co \"0042\"",
        "displayName sw \"Given12\"",
        "meta.lastModified gt \"2000-01-01T00:00:00Z\"",
        "title co \"senior\" or " + IntStream.range(0, 24)
                .mapToObj(i -> "name.familyName eq \"Family" + (i * 401) + "\"").collect(Collectors.joining(" or ")),
    };

    /** Response times of one half, in milliseconds. */
    private static final class Latencies {
        private final List<Integer> millis = Collections.synchronizedList(new ArrayList<>());

        void add(int ms) {
            millis.add(ms);
        }

        int count() {
            return millis.size();
        }

        double percentile(double p) {
            List<Integer> sorted;
            synchronized (millis) {
                sorted = new ArrayList<>(millis);
            }
            if (sorted.isEmpty()) {
                return Double.NaN;
            }
            Collections.sort(sorted);
            return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
        }
    }

    private final ChainBuilder lookup = exec(s -> {
        long now = System.currentTimeMillis();
        lookupsStarted.accumulateAndGet(now, Math::min);
        int i = Scim.random(users);
        return s.set("filter", "userName eq " + Payloads.quoted(Payloads.userName(PREFIX, i)))
                .set("userName", Payloads.userName(PREFIX, i))
                .set("sentAt", now);
    }).exec(http("lookup").get("/Users")
            .queryParam("filter", "#{filter}")
            .check(status().is(200),
                    jsonPath("$.totalResults").ofInt().is(1),
                    jsonPath("$.Resources[0].userName").isEL("#{userName}"),
                    responseTimeInMillis().saveAs("rt")))
            .exec(s -> {
                // Which half the lookup was sent in. The first third of the first half warms the
                // lookup path up and the second after the scans start is left out.
                long sent = s.getLong("sentAt") - lookupsStarted.get();
                long halfMs = half.toMillis();
                int rt = s.getInt("rt");
                if (sent < halfMs / 3) {
                    return s;
                } else if (sent < halfMs) {
                    alone.add(rt);
                    phases.finished("lookupsAlone");
                } else if (sent >= halfMs + 1_000) {
                    withScans.add(rt);
                    phases.finished("lookupsWithScans");
                }
                return s;
            });

    private final ChainBuilder scan = exec(s -> {
        phases.started("scans");
        return s.set("scanFilter", filters[Scim.random(filters.length)]);
    }).exec(http("scan").get("/Users")
            .queryParam("filter", "#{scanFilter}")
            .queryParam("count", "10")
            .check(status().is(200), jsonPath("$.totalResults").ofInt().gte(0)))
            .exec(s -> {
                phases.finished("scans");
                return s;
            });

    public FilterScans() {
        ScenarioBuilder lookups = scenario("equality lookups")
                .asLongAsDuring(s -> true, half.multipliedBy(2)).on(
                        exec(s -> {
                            long elapsed = System.currentTimeMillis() - Math.min(lookupsStarted.get(), System.currentTimeMillis());
                            if (elapsed >= half.toMillis() / 3) {
                                phases.started(elapsed < half.toMillis() ? "lookupsAlone" : "lookupsWithScans");
                            }
                            return s;
                        }).exec(lookup));
        ScenarioBuilder scans = scenario("unindexed filters")
                .asLongAsDuring(s -> true, half).on(scan);
        setUp(lookups.injectOpen(atOnceUsers(lookupConcurrency)),
                scans.injectOpen(nothingFor(half), atOnceUsers(scanConcurrency)))
                .protocols(Scim.protocol())
                .maxDuration(Scim.maxDuration(half.multipliedBy(2)))
                .assertions(global().failedRequests().count().is(0L),
                        global().successfulRequests().count().gt(0L));
    }

    @Override
    public void before() {
        phases.fact("users", users);
        phases.fact("lookupConcurrency", lookupConcurrency);
        phases.fact("scanConcurrency", scanConcurrency);
        phases.fact("seconds", half.toSeconds());
        long t0 = System.currentTimeMillis();
        new Provisioner(BenchConfig.scimBase(), BenchConfig.token()).createUsers(PREFIX, 0, users);
        System.out.printf("%s: loaded %d users in %d ms; %d lookup connections, %d s alone then %d s with %d scanning%n",
                NAME, users, System.currentTimeMillis() - t0, lookupConcurrency, half.toSeconds(), half.toSeconds(),
                scanConcurrency);
    }

    @Override
    public void after() {
        double p99Alone = alone.percentile(0.99);
        double p99With = withScans.percentile(0.99);
        phases.fact("lookupP50AloneMs", alone.percentile(0.50));
        phases.fact("lookupP50WithScansMs", withScans.percentile(0.50));
        phases.fact("lookupP999AloneMs", alone.percentile(0.999));
        phases.fact("lookupP999WithScansMs", withScans.percentile(0.999));
        phases.fact("lookupMaxAloneMs", alone.percentile(1.0));
        phases.fact("lookupMaxWithScansMs", withScans.percentile(1.0));
        phases.fact("lookupP99AloneMs", p99Alone);
        phases.fact("lookupP99WithScansMs", p99With);
        phases.fact("lookupsAlone", alone.count());
        phases.fact("lookupsWithScans", withScans.count());
        phases.fact("p99Ratio", String.format(Locale.ROOT, "%.2f", p99With / p99Alone));
        System.out.printf(Locale.ROOT, "%s: lookup p99 %.0f ms alone (%d), %.0f ms with scans (%d): ratio %.2f%n", NAME,
                p99Alone, alone.count(), p99With, withScans.count(), p99With / p99Alone);
        phases.write(NAME);
    }
}
