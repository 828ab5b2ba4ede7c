package io.hanzo.kms.scim.load;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.regex.Pattern;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.bodyString;
import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

/**
 * PingOne's first provisioning of a directory into an empty organisation. For every user: look it up
 * with the filter our PingOne guide configures ({@code email.value Eq "<workEmail>"}), and create it
 * when the lookup finds nobody (all do on a fresh organisation). Then every group is created empty and
 * its members pushed with PATCH add operations of at most 256 members, as PingOne does. Finally a
 * sample of groups is read back and their member counts compared with what was pushed.
 */
public class PingOneInitialSync extends Simulation {
    private static final String PREFIX = "ping";
    private static final String NAME = "PingOneInitialSync";

    private final Scale scale = BenchConfig.scale();
    private final Layout layout = new Layout(scale.syncUsers(), scale.syncGroups(), scale.syncMemberships());
    private final List<Layout.Slice> batches = layout.patchBatches(Scale.PATCH_MEMBERS);
    private final int users = layout.users();
    private final int concurrency = scale.syncConcurrency();
    private final AtomicReferenceArray<String> userIds = new AtomicReferenceArray<>(users);
    private final AtomicReferenceArray<String> groupIds = new AtomicReferenceArray<>(layout.groups());
    private final AtomicInteger nextUser = new AtomicInteger();
    private final AtomicInteger nextGroup = new AtomicInteger();
    private final AtomicInteger nextBatch = new AtomicInteger();
    private final AtomicInteger lookupHits = new AtomicInteger();
    private final Phases phases = new Phases();

    private static final Pattern USER_NAME = AnswerText.stringField("userName");
    private static final Pattern DISPLAY_NAME = AnswerText.stringField("displayName");

    private final ChainBuilder lookupThenCreate = exec(s -> {
        phases.started("users");
        int i = s.getInt("i");
        String userName = Payloads.userName(PREFIX, i);
        return s.remove("id").remove("found")
                .set("userName", userName)
                .set("filter", "email.value Eq " + Payloads.quoted(userName));
    })
            .exec(http("lookup email.value Eq").get("/Users")
                    .queryParam("filter", "#{filter}")
                    // "" when nobody has that email, else the id of the one user found, whose
                    // userName (equal to its work email here) must be the one asked for
                    .check(status().is(200),
                            bodyString().transformWithSession((body, s) ->
                                    AnswerText.lookup(body, USER_NAME, s.getString("userName"))).saveAs("found")))
            .doIfOrElse(s -> s.contains("found") && s.getString("found").isEmpty()).then(
                    exec(s -> {
                        phases.started("createUsers");
                        return s;
                    })
                            .exec(http("POST /Users").post("/Users")
                                    .body(StringBody(s -> Payloads.user(PREFIX, s.getInt("i"), 0)))
                                    .check(status().is(201),
                                            bodyString().transformWithSession((body, s) -> {
                                                AnswerText.echoes(body, USER_NAME, s.getString("userName"));
                                                AnswerText.active(body);
                                                return AnswerText.id(body);
                                            }).saveAs("id")))
                            .exec(s -> {
                                phases.finished("createUsers");
                                return s;
                            }))
            .orElse(exec(s -> {
                if (!s.contains("found")) {
                    return s;
                }
                lookupHits.incrementAndGet();
                return s.set("id", s.getString("found"));
            }))
            .exec(s -> {
                if (s.contains("id")) {
                    userIds.set(s.getInt("i"), s.getString("id"));
                }
                phases.finished("users");
                return s;
            });

    private final ScenarioBuilder provisionUsers = scenario("users: lookup, then create on a miss")
            .exec(s -> s.set("i", nextUser.getAndIncrement()))
            .asLongAs(s -> s.getInt("i") < users).on(
                    exec(lookupThenCreate).exec(s -> s.set("i", nextUser.getAndIncrement())));

    private final ScenarioBuilder createGroups = scenario("groups: create")
            .exec(s -> s.set("g", nextGroup.getAndIncrement()))
            .asLongAs(s -> s.getInt("g") < layout.groups()).on(
                    exec(s -> {
                        phases.started("createGroups");
                        return s.remove("gid");
                    })
                            .exec(http("POST /Groups").post("/Groups")
                                    .body(StringBody(s -> Payloads.group(PREFIX, s.getInt("g"))))
                                    .check(status().is(201),
                                            bodyString().transformWithSession((body, s) -> {
                                                AnswerText.echoes(body, DISPLAY_NAME, Payloads.groupName(PREFIX, s.getInt("g")));
                                                return AnswerText.id(body);
                                            }).saveAs("gid")))
                            .exec(s -> {
                                if (s.contains("gid")) {
                                    groupIds.set(s.getInt("g"), s.getString("gid"));
                                }
                                phases.finished("createGroups");
                                return s.set("g", nextGroup.getAndIncrement());
                            }));

    private final ScenarioBuilder pushMembers = scenario("groups: push members, 256 per PATCH")
            .exec(s -> s.set("b", nextBatch.getAndIncrement()))
            .asLongAs(s -> s.getInt("b") < batches.size()).on(
                    exec(s -> {
                        phases.started("memberPatches");
                        return s.set("gid", String.valueOf(groupIds.get(batches.get(s.getInt("b")).group())));
                    })
                            .exec(http("PATCH /Groups add members").patch("/Groups/#{gid}")
                                    .body(StringBody(s -> {
                                        Layout.Slice slice = batches.get(s.getInt("b"));
                                        return Payloads.addMembers(slice.from(), slice.to(), userIds::get);
                                    }))
                                    .check(status().is(204)))
                            .exec(s -> {
                                phases.finished("memberPatches");
                                return s.set("b", nextBatch.getAndIncrement());
                            }));

    private final MemberCountCheck check = new MemberCountCheck(layout, groupIds);
    private final ScenarioBuilder verify = check.verification();

    public PingOneInitialSync() {
        Duration expected = Duration.ofSeconds(Math.max(120, users / 40 + layout.memberships() / 2000));
        setUp(provisionUsers.injectOpen(atOnceUsers(concurrency)).andThen(
                createGroups.injectOpen(atOnceUsers(concurrency)).andThen(
                        pushMembers.injectOpen(atOnceUsers(concurrency)).andThen(
                                verify.injectOpen(atOnceUsers(1))))))
                .protocols(Scim.protocol())
                .maxDuration(Scim.maxDuration(expected))
                .assertions(
                        global().failedRequests().count().is(0L),
                        details("POST /Users").successfulRequests().count().is((long) users),
                        details("PATCH /Groups add members").successfulRequests().count().is((long) batches.size()),
                        details(MemberCountCheck.REQUEST).successfulRequests().count().is((long) check.size()));
    }

    @Override
    public void before() {
        phases.fact("users", users);
        phases.fact("groups", layout.groups());
        phases.fact("memberships", layout.memberships());
        phases.fact("largestGroup", layout.size(0));
        phases.fact("memberPatches", batches.size());
        phases.fact("concurrency", concurrency);
        System.out.printf("%s: %d users, %d groups, %d memberships in %d PATCHes, %d concurrent connections%n",
                NAME, users, layout.groups(), layout.memberships(), batches.size(), concurrency);
    }

    @Override
    public void after() {
        phases.fact("lookupHits", lookupHits.get());
        // The whole sync as the IdP sees it: first lookup to last member PATCH answered (the read-back
        // verification after it is the bench's check, not part of the sync).
        phases.fact("syncMillis", phases.millisBetween("users", "memberPatches"));
        phases.write(NAME);
    }
}
