package io.hanzo.kms.scim.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.hanzo.kms.scim.store.Ids;
import io.hanzo.kms.scim.store.ScimEvent;
import org.junit.jupiter.api.Test;

import java.time.Instant;
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

    @Test
    void theBurstIsRecordedThenRefusalsAreCountedIntoTheNextOneThatFindsRoom() {
        RefusalBudget budget = new RefusalBudget(1, 3);
        for (int n = 0; n < 3; n++) {
            ScimEvent e = refusal(ORG, n);
            assertThat(budget.admit(e, 0)).isEqualTo(new RefusalBudget.Row(e, 0));
        }
        for (int n = 3; n < 10; n++) {
            assertThat(budget.admit(refusal(ORG, n), SECOND / 2)).isNull();
        }
        assertThat(budget.due(SECOND / 2)).as("no room yet").isEmpty();
        // Another organisation has a budget of its own.
        ScimEvent other = refusal(OTHER, 100);
        assertThat(budget.admit(other, SECOND / 2)).isEqualTo(new RefusalBudget.Row(other, 0));

        RefusalBudget.Row row = budget.admit(refusal(ORG, 10), SECOND);
        assertThat(row.counted()).as("the seven counted and this one").isEqualTo(8);
        assertThat(row.event().at()).isEqualTo(Instant.ofEpochSecond(10));
        assertThat(row.event().resourceId()).isEqualTo("u10");
        assertThat(row.event().status()).isEqualTo(404);
        assertThat(row.event().outcome()).isEqualTo("refused");
        assertThat(row.event().detail()).isEqualTo("8 refused requests since 1970-01-01T00:00:03Z were not recorded one "
                + "by one: this server records up to 3 at once and 1 a second for an organisation. The latest: User u10 "
                + "not found.");
    }

    @Test
    void whatIsCountedWhenRefusalsStopIsWrittenOnceThereIsRoomAndAnIdleOrganisationStartsAfresh() {
        RefusalBudget budget = new RefusalBudget(1, 2);
        budget.admit(refusal(ORG, 0), 0);
        budget.admit(refusal(ORG, 1), 0);
        assertThat(budget.admit(refusal(ORG, 2), 0)).isNull();
        assertThat(budget.admit(refusal(ORG, 3), 0)).isNull();
        assertThat(budget.due(SECOND / 2)).isEmpty();
        List<RefusalBudget.Row> due = budget.due(SECOND);
        assertThat(due).hasSize(1);
        assertThat(due.get(0).counted()).isEqualTo(2);
        assertThat(due.get(0).event().resourceId()).isEqualTo("u3");
        assertThat(budget.due(2 * SECOND)).as("written once").isEmpty();

        // A single refusal counted is recorded as it was, late.
        assertThat(budget.admit(refusal(ORG, 4), 2 * SECOND)).isNotNull();
        assertThat(budget.admit(refusal(ORG, 5), 2 * SECOND)).isNull();
        due = budget.due(3 * SECOND);
        assertThat(due).hasSize(1);
        assertThat(due.get(0).counted()).isZero();
        assertThat(due.get(0).event().detail()).isEqualTo("User u5 not found.");

        // Refilled and forgotten: the whole burst again.
        assertThat(budget.due(100 * SECOND)).isEmpty();
        assertThat(budget.admit(refusal(ORG, 6), 100 * SECOND)).isNotNull();
        assertThat(budget.admit(refusal(ORG, 7), 100 * SECOND)).isNotNull();
        assertThat(budget.admit(refusal(ORG, 8), 100 * SECOND)).isNull();
    }

    @Test
    void atShutDownEveryCountIsWrittenWhateverTheBudget() {
        RefusalBudget budget = new RefusalBudget(1, 1);
        budget.admit(refusal(ORG, 0), 0);
        budget.admit(refusal(ORG, 1), 0);
        budget.admit(refusal(ORG, 2), 0);
        budget.admit(refusal(OTHER, 3), 0);
        budget.admit(refusal(OTHER, 4), 0);
        assertThat(budget.drain()).extracting(r -> r.event().resourceId() + "/" + r.counted())
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
