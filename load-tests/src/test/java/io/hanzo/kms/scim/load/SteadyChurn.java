package io.hanzo.kms.scim.load;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Session;
import io.gatling.javaapi.core.Simulation;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.percent;
import static io.gatling.javaapi.core.CoreDsl.randomSwitch;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

/**
 * A directory in daily use: lookups (40%), reads by id (10%), PUT updates as PingOne sends them (25%),
 * deactivations with Okta's path-less PATCH (10%), and offboarding then re-hiring (15%): DELETE, a
 * lookup that must now miss, and a POST of the same userName that must create a new user. Each virtual
 * user works on its own share of the users, so that no two requests race on one user and every answer
 * can be checked exactly.
 */
public class SteadyChurn extends Simulation {
    private static final String PREFIX = "churn";
    private static final String NAME = "SteadyChurn";

    private final Scale scale = BenchConfig.scale();
    private final int users = scale.churnUsers();
    private final int concurrency = Math.min(scale.churnConcurrency(), users);
    private final Duration length = Duration.ofSeconds(scale.churnSeconds());
    private final Scim.Budget budget = new Scim.Budget(2_000L * concurrency * scale.churnSeconds());
    private final AtomicReferenceArray<String> ids = new AtomicReferenceArray<>(users);
    private final AtomicIntegerArray revisions = new AtomicIntegerArray(users);
    private final AtomicIntegerArray inactive = new AtomicIntegerArray(users);
    private final AtomicInteger slots = new AtomicInteger();
    private final AtomicInteger reprovisioned = new AtomicInteger();
    private final Phases phases = new Phases();

    /** Picks one of this virtual user's own users. */
    private Session pick(Session s) {
        int slot = s.getInt("slot");
        int share = (users - slot + concurrency - 1) / concurrency;
        int i = slot + concurrency * Scim.random(share);
        int revision = revisions.get(i);
        return s.set("i", i)
                .set("id", ids.get(i))
                .set("userName", Payloads.userName(PREFIX, i))
                .set("active", inactive.get(i) == 0)
                .set("nextRevision", revision + 1)
                .set("nextDisplayName", Payloads.displayName(i, revision + 1));
    }

    private final ChainBuilder lookupByUserName = exec(http("lookup userName eq").get("/Users")
            .queryParam("filter", s -> "userName eq " + Payloads.quoted(s.getString("userName")))
            .check(status().is(200),
                    jsonPath("$.totalResults").ofInt().is(1),
                    jsonPath("$.Resources[0].id").isEL("#{id}")));

    private final ChainBuilder lookupByExternalId = exec(http("lookup externalId eq").get("/Users")
            .queryParam("filter", s -> "externalId eq " + Payloads.quoted(Payloads.externalId(PREFIX, s.getInt("i"))))
            .check(status().is(200),
                    jsonPath("$.totalResults").ofInt().is(1),
                    jsonPath("$.Resources[0].id").isEL("#{id}")));

    private final ChainBuilder getById = exec(http("GET /Users/{id}").get("/Users/#{id}")
            .check(status().is(200),
                    jsonPath("$.id").isEL("#{id}"),
                    jsonPath("$.userName").isEL("#{userName}"),
                    jsonPath("$.active").ofBoolean().is(s -> s.getBoolean("active"))));

    /** PingOne's update: the whole user, without {@code active}, which must therefore keep its value. */
    private final ChainBuilder put = exec(http("PUT /Users/{id}").put("/Users/#{id}")
            .body(StringBody(s -> Payloads.user(PREFIX, s.getInt("i"), s.getInt("nextRevision"))))
            .check(status().is(200),
                    jsonPath("$.displayName").isEL("#{nextDisplayName}"),
                    jsonPath("$.active").ofBoolean().is(s -> s.getBoolean("active"))))
            .exec(s -> {
                if (!s.isFailed()) {
                    revisions.set(s.getInt("i"), s.getInt("nextRevision"));
                }
                return s;
            });

    private final ChainBuilder deactivate = exec(http("PATCH active false").patch("/Users/#{id}")
            .body(StringBody(Payloads.deactivate()))
            .check(status().is(200),
                    jsonPath("$.active").ofBoolean().is(false),
                    jsonPath("$.id").isEL("#{id}")))
            .exec(s -> {
                if (!s.isFailed()) {
                    inactive.set(s.getInt("i"), 1);
                }
                return s;
            });

    private final ChainBuilder deleteAndReprovision = exec(http("DELETE /Users/{id}").delete("/Users/#{id}")
            .check(status().is(204)))
            .exec(http("lookup after delete (miss)").get("/Users")
                    .queryParam("filter", s -> "userName eq " + Payloads.quoted(s.getString("userName")))
                    .check(status().is(200), jsonPath("$.totalResults").ofInt().is(0)))
            .exec(http("POST /Users (re-provision)").post("/Users")
                    .body(StringBody(s -> Payloads.user(PREFIX, s.getInt("i"), 0)))
                    .check(status().is(201),
                            jsonPath("$.userName").isEL("#{userName}"),
                            jsonPath("$.active").ofBoolean().is(true),
                            jsonPath("$.id").not(s -> s.getString("id")).saveAs("newId")))
            .exec(s -> {
                if (s.contains("newId")) {
                    int i = s.getInt("i");
                    ids.set(i, s.getString("newId"));
                    revisions.set(i, 0);
                    inactive.set(i, 0);
                    reprovisioned.incrementAndGet();
                }
                return s.remove("newId");
            });

    private final ScenarioBuilder churn = scenario("churn")
            .exec(s -> s.set("slot", slots.getAndIncrement()))
            .asLongAsDuring(budget::take, length).on(
                    exec(s -> {
                        phases.started("operations");
                        return pick(s);
                    })
                            .exec(randomSwitch().on(
                                    percent(30.0).then(lookupByUserName),
                                    percent(10.0).then(lookupByExternalId),
                                    percent(10.0).then(getById),
                                    percent(25.0).then(put),
                                    percent(10.0).then(deactivate),
                                    percent(15.0).then(deleteAndReprovision)))
                            .exec(s -> {
                                phases.finished("operations");
                                return s;
                            }));

    public SteadyChurn() {
        setUp(churn.injectOpen(atOnceUsers(concurrency)))
                .protocols(Scim.protocol())
                .maxDuration(Scim.maxDuration(length))
                .assertions(global().failedRequests().count().is(0L),
                        global().successfulRequests().count().gt(0L));
    }

    @Override
    public void before() {
        long t0 = System.currentTimeMillis();
        String[] created = new Provisioner(BenchConfig.scimBase(), BenchConfig.token()).createUsers(PREFIX, 0, users);
        for (int i = 0; i < users; i++) {
            ids.set(i, created[i]);
        }
        System.out.printf("%s: loaded %d users in %d ms; %d connections for %d s%n", NAME, users,
                System.currentTimeMillis() - t0, concurrency, length.toSeconds());
        phases.fact("users", users);
        phases.fact("concurrency", concurrency);
        phases.fact("seconds", length.toSeconds());
    }

    @Override
    public void after() {
        phases.fact("reprovisioned", reprovisioned.get());
        phases.write(NAME);
    }
}
