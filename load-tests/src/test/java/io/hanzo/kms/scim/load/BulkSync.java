package io.hanzo.kms.scim.load;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Session;
import io.gatling.javaapi.core.Simulation;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

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
 * The same directory as {@link PingOneInitialSync} (users, groups, memberships; see {@link Layout})
 * sent through {@code POST /Bulk} (RFC 7644 §3.7). The groups are created first, in bulk requests of
 * group POSTs. Then each bulk request carries a run of consecutive users (POST with bulkId
 * {@code u<n>}) and, for every group holding some of them, one PATCH adding those members by
 * {@code "bulkId:u<n>"} reference, up to 500 operations per request; several requests are in flight
 * at once. Every operation's status in every answer is checked, and a sample of groups is read back.
 */
public class BulkSync extends Simulation {
    private static final String PREFIX = "bulk";
    private static final String NAME = "BulkSync";

    private final Scale scale = BenchConfig.scale();
    private final Layout layout = new Layout(scale.bulkUsers(), scale.bulkGroups(), scale.bulkMemberships());
    private final int opsPerRequest = scale.bulkOps();
    private final int concurrency = scale.bulkConcurrency();
    private final List<int[]> userChunks = userChunks();
    private final AtomicReferenceArray<String> groupIds = new AtomicReferenceArray<>(layout.groups());
    private final AtomicInteger nextGroupChunk = new AtomicInteger();
    private final AtomicInteger nextUserChunk = new AtomicInteger();
    private final Phases phases = new Phases();
    private final int groupChunks = (layout.groups() + opsPerRequest - 1) / opsPerRequest;

    private final ScenarioBuilder createGroups = scenario("bulk: groups")
            .exec(s -> s.set("c", nextGroupChunk.getAndIncrement()))
            .asLongAs(s -> s.getInt("c") < groupChunks).on(
                    exec(s -> {
                        phases.started("groups");
                        int from = s.getInt("c") * opsPerRequest;
                        int to = Math.min(from + opsPerRequest, layout.groups());
                        List<String> ops = new ArrayList<>(to - from);
                        for (int g = from; g < to; g++) {
                            ops.add(Payloads.bulkOp("POST", "g" + g, "/Groups", Payloads.group(PREFIX, g)));
                        }
                        return s.set("body", Payloads.bulk(ops)).set("from", from).set("to", to);
                    })
                            .exec(http("POST /Bulk groups").post("/Bulk")
                                    .body(StringBody("#{body}"))
                                    .check(status().is(200),
                                            bodyString().transformWithSession(this::recordGroups).is("none")))
                            .exec(s -> {
                                phases.finished("groups", s.getInt("to") - s.getInt("from"));
                                return s.remove("body").set("c", nextGroupChunk.getAndIncrement());
                            }));

    private final ScenarioBuilder syncUsers = scenario("bulk: users and memberships")
            .exec(s -> s.set("c", nextUserChunk.getAndIncrement()))
            .asLongAs(s -> s.getInt("c") < userChunks.size()).on(
                    exec(s -> {
                        phases.started("users");
                        phases.started("operations");
                        return usersRequest(s);
                    })
                            .exec(http("POST /Bulk users+memberships").post("/Bulk")
                                    .body(StringBody("#{body}"))
                                    .check(status().is(200),
                                            bodyString().transformWithSession(this::userProblems).is("none")))
                            .exec(s -> {
                                int[] chunk = userChunks.get(s.getInt("c"));
                                phases.finished("users", chunk[1] - chunk[0]);
                                phases.finished("operations", s.getInt("ops"));
                                return s.remove("body").set("c", nextUserChunk.getAndIncrement());
                            }));

    private final MemberCountCheck check = new MemberCountCheck(layout, groupIds);
    private final ScenarioBuilder verify = check.verification();

    public BulkSync() {
        Duration expected = Duration.ofSeconds(Math.max(120, layout.users() / 100 + layout.memberships() / 5000));
        setUp(createGroups.injectOpen(atOnceUsers(1)).andThen(
                syncUsers.injectOpen(atOnceUsers(concurrency)).andThen(
                        verify.injectOpen(atOnceUsers(1)))))
                .protocols(Scim.protocol())
                .maxDuration(Scim.maxDuration(expected))
                .assertions(global().failedRequests().count().is(0L),
                        details("POST /Bulk users+memberships").successfulRequests().count().is((long) userChunks.size()),
                        details(MemberCountCheck.REQUEST).successfulRequests().count().is((long) check.size()));
    }

    /**
     * Consecutive users per request, as many as fit with one PATCH per group they belong to within
     * the operation limit.
     */
    private List<int[]> userChunks() {
        List<int[]> out = new ArrayList<>();
        int a = 0;
        while (a < layout.users()) {
            int size = Math.min(opsPerRequest - 1, layout.users() - a);
            while (size > 1 && size + layout.slices(a, a + size).size() > opsPerRequest) {
                size = Math.max(1, size - Math.max(1, size / 20));
            }
            out.add(new int[] {a, a + size});
            a += size;
        }
        return out;
    }

    private Session usersRequest(Session s) {
        int[] chunk = userChunks.get(s.getInt("c"));
        List<String> ops = new ArrayList<>(opsPerRequest);
        for (int i = chunk[0]; i < chunk[1]; i++) {
            ops.add(Payloads.bulkOp("POST", "u" + i, "/Users", Payloads.user(PREFIX, i, 0)));
        }
        for (Layout.Slice slice : layout.slices(chunk[0], chunk[1])) {
            String data = Payloads.addMembers(slice.from(), slice.to(), i -> "bulkId:u" + i);
            ops.add(Payloads.bulkOp("PATCH", null, "/Groups/" + groupIds.get(slice.group()), data));
        }
        return s.set("body", Payloads.bulk(ops)).set("ops", ops.size());
    }

    /** Saves the created groups' ids; "none" when every group was created. */
    private String recordGroups(String body, Session s) {
        int from = s.getInt("from");
        int to = s.getInt("to");
        int created = 0;
        try {
            for (JsonNode op : Provisioner.JSON.readTree(body).path("Operations")) {
                if (!"201".equals(op.path("status").asText())) {
                    return "group creation answered " + op;
                }
                int g = Integer.parseInt(op.path("bulkId").asText().substring(1));
                groupIds.set(g, Provisioner.lastSegment(op.path("location").asText()));
                created++;
            }
        } catch (IOException e) {
            return "unreadable answer: " + e.getMessage();
        }
        return created == to - from ? "none" : "created " + created + " of " + (to - from) + " groups";
    }

    /** "none" when every user creation answered 201 and every membership PATCH 200. */
    private String userProblems(String body, Session s) {
        int expectedOps = s.getInt("ops");
        int seen = 0;
        try {
            for (JsonNode op : Provisioner.JSON.readTree(body).path("Operations")) {
                String want = "POST".equals(op.path("method").asText()) ? "201" : "200";
                if (!want.equals(op.path("status").asText())) {
                    return op.path("method").asText() + " answered " + op;
                }
                seen++;
            }
        } catch (IOException e) {
            return "unreadable answer: " + e.getMessage();
        }
        return seen == expectedOps ? "none" : "answered " + seen + " of " + expectedOps + " operations";
    }

    @Override
    public void before() {
        int largest = 0;
        for (int[] c : userChunks) {
            largest = Math.max(largest, c[1] - c[0]);
        }
        phases.fact("users", layout.users());
        phases.fact("groups", layout.groups());
        phases.fact("memberships", layout.memberships());
        phases.fact("userRequests", userChunks.size());
        phases.fact("concurrency", concurrency);
        System.out.printf("%s: %d users, %d groups, %d memberships in %d bulk requests of up to %d operations "
                        + "(up to %d users each), %d in flight%n", NAME, layout.users(), layout.groups(),
                layout.memberships(), userChunks.size() + groupChunks, opsPerRequest, largest, concurrency);
    }

    @Override
    public void after() {
        phases.write(NAME);
    }
}
