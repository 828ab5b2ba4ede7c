package io.hanzo.kms.scim.load;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;

import java.time.Duration;
import java.util.Locale;

import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.doIfOrElse;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

/**
 * Equality lookups on a loaded organisation, as every IdP sends before it writes: {@code userName eq}
 * (Okta, Entra), {@code email.value Eq} (PingOne), {@code externalId eq} (Entra); 80% find their user,
 * 20% find nobody. A fixed number of connections (64 by default) each send one request after another
 * for a fixed time, so the rate is what the server sustains at that concurrency.
 *
 * <p>{@link BareLookupCeiling} sends the same load to the bare Vert.x server of load-tests/tools,
 * which answers every request with one fixed lookup answer of the same size: the ceiling that the
 * HTTP stack and this load generator allow on this machine.
 */
public class LookupStorm extends Simulation {
    static final String PREFIX = "look";
    private static final String NAME = "LookupStorm";
    private static final String[] KINDS = {"userName eq", "email.value Eq", "externalId eq"};

    private final Scale scale = BenchConfig.scale();
    private final boolean bare;
    private final String name;
    private final int users = scale.lookupUsers();
    private final int concurrency = scale.lookupConcurrency();
    private final Duration length = Duration.ofSeconds(scale.lookupSeconds());
    private final Scim.Budget budget = new Scim.Budget(5_000L * concurrency * scale.lookupSeconds());
    private final Phases phases = new Phases();

    private final ChainBuilder pick = exec(s -> {
        int kind = Scim.random(KINDS.length);
        boolean hit = Scim.random(100) < 80;
        int i = hit ? Scim.random(users) : users + Scim.random(users);
        String value = switch (kind) {
            case 0 -> Payloads.userName(PREFIX, i).toUpperCase(Locale.ROOT);
            case 1 -> Payloads.userName(PREFIX, i);
            default -> Payloads.externalId(PREFIX, i);
        };
        phases.started("lookups");
        return s.set("filter", KINDS[kind] + " " + Payloads.quoted(value))
                .set("kind", KINDS[kind])
                .set("hit", hit)
                .set("userName", Payloads.userName(PREFIX, i));
    });

    private final ChainBuilder hitLookup = exec(http("#{kind} (hit)").get("/Users")
            .queryParam("filter", "#{filter}")
            .check(status().is(200),
                    jsonPath("$.totalResults").ofInt().is(1),
                    jsonPath("$.Resources[0].userName").isEL("#{userName}")));

    private final ChainBuilder missLookup = exec(http("#{kind} (miss)").get("/Users")
            .queryParam("filter", "#{filter}")
            .check(status().is(200),
                    jsonPath("$.totalResults").ofInt().is(0)));

    /** Against the bare server every answer is the same one-user list: same parsing work, no identity check. */
    private final ChainBuilder bareLookup = exec(http("#{kind} (bare)").get("/Users")
            .queryParam("filter", "#{filter}")
            .check(status().is(200),
                    jsonPath("$.totalResults").ofInt().is(1),
                    jsonPath("$.Resources[0].userName").exists()));

    public LookupStorm() {
        this(false);
    }

    /** {@code bare}: aim the same load at the bare server (see {@link BareLookupCeiling}). */
    protected LookupStorm(boolean bare) {
        this.bare = bare;
        this.name = bare ? "BareLookupCeiling" : NAME;
        ChainBuilder lookup = bare ? bareLookup
                : doIfOrElse(s -> s.getBoolean("hit")).then(hitLookup).orElse(missLookup);
        ScenarioBuilder storm = scenario("equality lookups")
                .asLongAsDuring(budget::take, length).on(
                        exec(pick).exec(lookup).exec(s -> {
                            phases.finished("lookups");
                            return s;
                        }));
        setUp(storm.injectOpen(atOnceUsers(concurrency)))
                .protocols(bare ? Scim.protocol(BenchConfig.baseUrl(), BenchConfig.token()) : Scim.protocol())
                .maxDuration(Scim.maxDuration(length))
                .assertions(global().failedRequests().count().is(0L),
                        global().successfulRequests().count().gt(0L));
    }

    @Override
    public void before() {
        phases.fact("users", users);
        phases.fact("concurrency", concurrency);
        phases.fact("seconds", length.toSeconds());
        phases.fact("target", bare ? "bare" : "scim");
        if (bare) {
            return;
        }
        long t0 = System.currentTimeMillis();
        Provisioner p = new Provisioner(BenchConfig.scimBase(), BenchConfig.token());
        p.createUsers(PREFIX, 0, users);
        System.out.printf("%s: loaded %d users in %d ms; %d connections for %d s%n", NAME, users,
                System.currentTimeMillis() - t0, concurrency, length.toSeconds());
    }

    @Override
    public void after() {
        phases.write(name);
    }
}
