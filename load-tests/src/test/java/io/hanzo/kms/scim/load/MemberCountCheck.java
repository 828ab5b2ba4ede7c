package io.hanzo.kms.scim.load;

import io.gatling.javaapi.core.ScenarioBuilder;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

/**
 * The end-of-run check that no membership was lost: the big group and up to ten others spread over
 * the rest are read back, each with exactly the number of members the layout gave it.
 */
final class MemberCountCheck {
    static final String REQUEST = "GET /Groups/{id} verify";

    private final Layout layout;
    private final AtomicReferenceArray<String> groupIds;
    private final List<Integer> groups = new ArrayList<>();
    private final AtomicInteger next = new AtomicInteger();

    MemberCountCheck(Layout layout, AtomicReferenceArray<String> groupIds) {
        this.layout = layout;
        this.groupIds = groupIds;
        groups.add(0);
        int others = layout.groups() - 1;
        int step = Math.max(1, others / 10);
        for (int g = 1; g <= others && groups.size() < 11; g += step) {
            groups.add(g);
        }
    }

    /** How many groups are read back: the count of successful checks to assert. */
    int size() {
        return groups.size();
    }

    ScenarioBuilder verification() {
        return scenario("verify: member counts")
                .exec(s -> s.set("v", next.getAndIncrement()))
                .asLongAs(s -> s.getInt("v") < groups.size()).on(
                        exec(s -> {
                            int g = groups.get(s.getInt("v"));
                            return s.set("gid", String.valueOf(groupIds.get(g))).set("expected", layout.size(g));
                        })
                                .exec(http(REQUEST).get("/Groups/#{gid}")
                                        .check(status().is(200),
                                                jsonPath("$.members[*].value").count().is(s -> s.getInt("expected"))))
                                .exec(s -> s.set("v", next.getAndIncrement())));
    }
}
