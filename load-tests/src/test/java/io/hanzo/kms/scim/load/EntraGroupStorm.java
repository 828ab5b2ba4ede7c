package io.hanzo.kms.scim.load;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;

import java.io.IOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.bodyString;
import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.doIf;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

/**
 * Microsoft Entra ID's way with groups: one PATCH per membership change, sent concurrently, many to
 * the same group. A few groups start with their first {@code prefill} users; then single-member adds
 * of the remaining users and single-member removals of the first {@code removals} users arrive in
 * random order from many connections, with Entra's group lookups
 * ({@code excludedAttributes=members&filter=displayName eq}) in between. At the end each group is read
 * back and its members must be exactly users [removals, users): a lost add or a lost removal fails the
 * verification request and with it the simulation's assertions.
 */
public class EntraGroupStorm extends Simulation {
    private static final String PREFIX = "entra";
    private static final String NAME = "EntraGroupStorm";

    private final Scale scale = BenchConfig.scale();
    private final int users = scale.entraUsers();
    private final int groups = scale.entraGroups();
    private final int prefill = Math.min(scale.entraPrefill(), users);
    private final int removals = Math.min(scale.entraRemovals(), prefill);
    private final int concurrency = scale.entraConcurrency();
    private final int perGroup = users - prefill + removals;
    private final int[] jobs = shuffledJobs();
    private final AtomicInteger nextJob = new AtomicInteger();
    private final AtomicInteger nextVerify = new AtomicInteger();
    private final Phases phases = new Phases();
    private String[] userIds;
    private String[] groupIds;

    private final ScenarioBuilder storm = scenario("single-member PATCHes")
            .exec(s -> s.set("j", nextJob.getAndIncrement()))
            .asLongAs(s -> s.getInt("j") < jobs.length).on(
                    exec(s -> {
                        int job = jobs[s.getInt("j")];
                        int g = job / perGroup;
                        int k = job % perGroup;
                        boolean add = k < users - prefill;
                        int user = add ? prefill + k : k - (users - prefill);
                        phases.started("memberPatches");
                        return s.set("g", g).set("gid", groupIds[g])
                                .set("body", add ? Payloads.entraAdd(userIds[user]) : Payloads.entraRemove(userIds[user]))
                                .set("op", add ? "Add" : "Remove");
                    })
                            .exec(http("PATCH /Groups one member (#{op})").patch("/Groups/#{gid}")
                                    .body(StringBody("#{body}"))
                                    .check(status().is(204)))
                            .exec(s -> {
                                phases.finished("memberPatches");
                                return s;
                            })
                            .exec(doIf(s -> Scim.random(100) < 5).then(
                                    exec(http("GET /Groups displayName eq, excludedAttributes=members").get("/Groups")
                                            .queryParam("excludedAttributes", "members")
                                            .queryParam("filter", s -> "displayName eq "
                                                    + Payloads.quoted(Payloads.groupName(PREFIX, s.getInt("g"))))
                                            .check(status().is(200),
                                                    jsonPath("$.totalResults").ofInt().is(1),
                                                    jsonPath("$.Resources[0].id").isEL("#{gid}"),
                                                    jsonPath("$.Resources[0].members").notExists()))))
                            .exec(s -> s.remove("body").set("j", nextJob.getAndIncrement())));

    private final ScenarioBuilder verify = scenario("verify memberships")
            .exec(s -> s.set("v", nextVerify.getAndIncrement()))
            .asLongAs(s -> s.getInt("v") < groups).on(
                    exec(s -> s.set("gid", groupIds[s.getInt("v")]))
                            .exec(http("GET /Groups/{id} verify members").get("/Groups/#{gid}")
                                    .check(status().is(200),
                                            bodyString().transform(this::membershipProblems).is("none")))
                            .exec(s -> s.set("v", nextVerify.getAndIncrement())));

    public EntraGroupStorm() {
        Duration expected = Duration.ofSeconds(60 + jobs.length / 100);
        setUp(storm.injectOpen(atOnceUsers(concurrency)).andThen(verify.injectOpen(atOnceUsers(1))))
                .protocols(Scim.protocol())
                .maxDuration(Scim.maxDuration(expected))
                .assertions(global().failedRequests().count().is(0L),
                        details("GET /Groups/{id} verify members").successfulRequests().count().is((long) groups));
    }

    /** Every (group, change) pair once, in a fixed random order. */
    private int[] shuffledJobs() {
        int[] out = new int[groups * perGroup];
        for (int i = 0; i < out.length; i++) {
            out[i] = i;
        }
        Random r = new Random(20_240_611L);
        for (int i = out.length - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = out[i];
            out[i] = out[j];
            out[j] = t;
        }
        return out;
    }

    /** "none", or what is wrong with a group's members compared with users [removals, users). */
    private String membershipProblems(String body) {
        Set<String> expected = new HashSet<>();
        for (int i = removals; i < users; i++) {
            expected.add(userIds[i]);
        }
        Set<String> actual = new HashSet<>();
        try {
            for (JsonNode m : Provisioner.JSON.readTree(body).path("members")) {
                actual.add(m.path("value").asText());
            }
        } catch (IOException e) {
            return "unreadable body: " + e.getMessage();
        }
        Set<String> missing = new HashSet<>(expected);
        missing.removeAll(actual);
        Set<String> extra = new HashSet<>(actual);
        extra.removeAll(expected);
        if (missing.isEmpty() && extra.isEmpty()) {
            return "none";
        }
        return "expected " + expected.size() + " members, found " + actual.size() + ": " + missing.size()
                + " missing, " + extra.size() + " that should have been removed";
    }

    @Override
    public void before() {
        long t0 = System.currentTimeMillis();
        Provisioner p = new Provisioner(BenchConfig.scimBase(), BenchConfig.token());
        userIds = p.createUsers(PREFIX, 0, users);
        groupIds = new String[groups];
        for (int g = 0; g < groups; g++) {
            groupIds[g] = p.createGroup(PREFIX, g);
            p.addMembers(groupIds[g], 0, prefill, userIds);
        }
        System.out.printf("%s: %d users, %d groups of %d members loaded in %d ms; %d single-member PATCHes "
                        + "(%d adds and %d removals per group) from %d connections%n", NAME, users, groups, prefill,
                System.currentTimeMillis() - t0, jobs.length, users - prefill, removals, concurrency);
        phases.fact("users", users);
        phases.fact("groups", groups);
        phases.fact("patches", jobs.length);
        phases.fact("expectedMembersPerGroup", users - removals);
        phases.fact("concurrency", concurrency);
    }

    @Override
    public void after() {
        phases.write(NAME);
    }
}
