package io.hanzo.kms.scim.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.hanzo.kms.scim.store.Ids;
import io.hanzo.kms.scim.store.ScimEvent;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** The per-organisation budget of refusals recorded one by one, on a clock the test moves. */
class RefusalBudgetTest {
    private static final long SECOND = 1_000_000_000L;
    private static final UUID ORG = UUID.randomUUID();
    private static final UUID OTHER = UUID.randomUUID();

    private static ScimEvent refusal(UUID org, int n) {
        return new ScimEvent(org, Ids.newId(), Instant.ofEpochSecond(n), null, "GET /Users", "User", "u" + n, 404,
                "refused", "User u" + n + " not found.");
    }

    /** Refusals {@code from} to {@code to} (not included) of one organisation, all at once at the start. */
    private static void refuse(RefusalBudget budget, UUID org, int from, int to) {
        for (int n = from; n < to; n++) {
            budget.admit(refusal(org, n), 0);
        }
    }

    /** What an erased organisation counted is dropped, not written at the next tick nor at shut-down. */
    @Test
    void anErasedOrganisationsCountIsDropped() {
        RefusalBudget budget = new RefusalBudget(1, 3);
        refuse(budget, ORG, 0, 10);
        refuse(budget, OTHER, 0, 10);
        budget.forget(ORG);
        assertThat(budget.drain()).extracting(row -> row.event().orgId()).containsExactly(OTHER);
    }

    @Test
    void theBurstIsRecordedThenRefusalsAreCountedIntoOneEventAMinute() {
        RefusalBudget budget = new RefusalBudget(1, 3);
        for (int n = 0; n < 3; n++) {
            ScimEvent e = refusal(ORG, n);
            assertThat(budget.admit(e, 0)).isEqualTo(new RefusalBudget.Row(e));
        }
        for (int n = 3; n < 10; n++) {
            assertThat(budget.admit(refusal(ORG, n), SECOND / 2)).isNull();
        }
        assertThat(budget.due(SECOND / 2)).as("no room yet").isEmpty();
        // Another organisation has a budget of its own.
        ScimEvent other = refusal(OTHER, 100);
        assertThat(budget.admit(other, SECOND / 2)).isEqualTo(new RefusalBudget.Row(other));
        // Room again, but the count goes on while refusals come: no new burst.
        assertThat(budget.admit(refusal(ORG, 10), 2 * SECOND)).isNull();
        assertThat(budget.due(2 * SECOND)).isEmpty();

        RefusalBudget.Row row = budget.admit(refusal(ORG, 11), SECOND / 2 + RefusalBudget.SUMMARY_INTERVAL_NANOS);
        assertThat(row.counted()).as("the eight counted and this one").isEqualTo(9);
        assertThat(row.summarised()).isEqualTo(9);
        assertThat(row.event().at()).isEqualTo(Instant.ofEpochSecond(11));
        assertThat(row.event().resourceId()).isEqualTo("u11");
        assertThat(row.event().status()).isEqualTo(404);
        assertThat(row.event().outcome()).isEqualTo("refused");
        assertThat(row.event().detail()).isEqualTo("9 refused requests since 1970-01-01T00:00:03Z were not recorded one "
                + "by one: this server records up to 3 at once and 1 a second for an organisation, and counts the rest "
                + "in one event a minute. The latest: User u11 not found.");
    }

    @Test
    void aLoopOverTheBudgetForFiveMinutesWritesTheBurstAndACountAMinute() {
        RefusalBudget budget = new RefusalBudget(10, 100);
        List<RefusalBudget.Row> rows = new ArrayList<>();
        long refused = 0;
        long step = SECOND / 100;
        long end = 300 * SECOND;
        for (long now = 0; now < end; now += step) {
            RefusalBudget.Row row = budget.admit(refusal(ORG, (int) refused++), now);
            if (row != null) {
                rows.add(row);
            }
            if (now % SECOND == 0) {
                rows.addAll(budget.due(now));
            }
        }
        long summaries = rows.stream().filter(r -> r.summarised() > 0).count();
        long oneByOne = rows.size() - summaries;
        assertThat(summaries).as("one a minute while the loop lasts").isBetween(4L, 5L);
        // The burst, what refilled while the loop spent it (about a second's worth), and a few between counts.
        assertThat(oneByOne).isBetween(100L, 100L + 10 * 2 + 2 * 5);
        // Once the loop stops, the last count is written as soon as the bucket has refilled.
        for (long now = end; now <= end + 11 * SECOND; now += SECOND) {
            rows.addAll(budget.due(now));
        }
        assertThat(rows.stream().mapToLong(r -> Math.max(1, r.counted())).sum()).as("every refusal accounted for")
                .isEqualTo(refused);
        assertThat(rows.size()).as("not the rate times 300 s").isLessThanOrEqualTo(100 + 10 * 2 + 2 * 5 + 6);
    }

    @Test
    void aCountNotWrittenIsCarriedIntoTheNextOne() {
        RefusalBudget budget = new RefusalBudget(1, 1);
        refuse(budget, ORG, 0, 3);
        List<RefusalBudget.Row> failed = budget.due(SECOND);
        assertThat(failed).extracting(RefusalBudget.Row::counted).containsExactly(2L);
        budget.putBack(failed.get(0), SECOND);
        assertThat(budget.admit(refusal(ORG, 3), SECOND)).as("counted with the one put back").isNull();
        RefusalBudget.Row next = budget.admit(refusal(ORG, 4), SECOND + RefusalBudget.SUMMARY_INTERVAL_NANOS);
        assertThat(next.counted()).isEqualTo(4);
        assertThat(next.event().resourceId()).isEqualTo("u4");
        assertThat(next.event().detail()).startsWith("4 refused requests since 1970-01-01T00:00:01Z ");
        assertThat(budget.due(100 * SECOND)).as("carried once, not twice").isEmpty();
    }

    @Test
    void whatIsCountedWhenRefusalsStopIsWrittenOnceTheBucketIsFullAndAnIdleOrganisationStartsAfresh() {
        RefusalBudget budget = new RefusalBudget(1, 2);
        budget.admit(refusal(ORG, 0), 0);
        budget.admit(refusal(ORG, 1), 0);
        assertThat(budget.admit(refusal(ORG, 2), 0)).isNull();
        assertThat(budget.admit(refusal(ORG, 3), 0)).isNull();
        assertThat(budget.due(SECOND)).as("room for one, but not yet full").isEmpty();
        List<RefusalBudget.Row> due = budget.due(2 * SECOND);
        assertThat(due).hasSize(1);
        assertThat(due.get(0).counted()).isEqualTo(2);
        assertThat(due.get(0).event().resourceId()).isEqualTo("u3");
        assertThat(budget.due(3 * SECOND)).as("written once").isEmpty();

        // A single refusal counted is recorded as it was, late.
        assertThat(budget.admit(refusal(ORG, 4), 3 * SECOND)).isNotNull();
        assertThat(budget.admit(refusal(ORG, 5), 3 * SECOND)).isNotNull();
        assertThat(budget.admit(refusal(ORG, 6), 3 * SECOND)).isNull();
        due = budget.due(5 * SECOND);
        assertThat(due).hasSize(1);
        assertThat(due.get(0).summarised()).isZero();
        assertThat(due.get(0).event().detail()).isEqualTo("User u6 not found.");

        // Refilled and forgotten: the whole burst again.
        assertThat(budget.due(100 * SECOND)).isEmpty();
        assertThat(budget.admit(refusal(ORG, 7), 100 * SECOND)).isNotNull();
        assertThat(budget.admit(refusal(ORG, 8), 100 * SECOND)).isNotNull();
        assertThat(budget.admit(refusal(ORG, 9), 100 * SECOND)).isNull();
    }

    @Test
    void atShutDownEveryCountIsWrittenWhateverTheBudget() {
        RefusalBudget budget = new RefusalBudget(1, 1);
        refuse(budget, ORG, 0, 3);
        refuse(budget, OTHER, 3, 5);
        assertThat(budget.drain()).extracting(r -> r.event().resourceId() + "/" + r.summarised())
                .containsExactlyInAnyOrder("u2/2", "u4/0");
        assertThat(budget.drain()).isEmpty();
    }

    @Test
    void aRateOfZeroRecordsEveryRefusal() {
        RefusalBudget budget = new RefusalBudget(0, 1);
        for (int n = 0; n < 100; n++) {
            assertThat(budget.admit(refusal(ORG, n), 0)).isNotNull();
        }
        assertThat(budget.due(SECOND)).isEmpty();
    }
}
