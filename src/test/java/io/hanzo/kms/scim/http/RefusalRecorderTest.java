package io.hanzo.kms.scim.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.hanzo.kms.scim.store.EventStore;
import io.hanzo.kms.scim.store.Ids;
import io.hanzo.kms.scim.store.ScimEvent;
import io.vertx.core.Future;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/** A count whose write fails is neither lost nor counted by the metric until it is written. */
class RefusalRecorderTest {
    private static final UUID ORG = UUID.randomUUID();

    /** Keeps what it is given, or refuses it while the database is "down". */
    private static final class Events implements EventStore {
        final List<ScimEvent> written = new ArrayList<>();
        boolean down;

        @Override
        public Future<Void> record(ScimEvent event) {
            if (down) {
                return Future.failedFuture(new IllegalStateException("the database is down"));
            }
            written.add(event);
            return Future.succeededFuture();
        }

        @Override
        public Future<List<ScimEvent>> page(UUID orgId, UUID before, String outcome, String resourceType, int limit) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Future<Integer> pruneBefore(UUID orgId, Instant cutoff, int batch) {
            throw new UnsupportedOperationException();
        }
    }

    private static ScimEvent refusal(int n) {
        return new ScimEvent(ORG, Ids.newId(), Instant.ofEpochSecond(n), null, "GET /Users", "User", "u" + n, 404,
                "refused", "User u" + n + " not found.");
    }

    @Test
    void aCountNotWrittenIsWrittenWithTheNextAndCountedByTheMetricOnlyThen() {
        Events events = new Events();
        AtomicLong summarised = new AtomicLong();
        // A burst of one, refilled once a second: the other refusals are counted, unless the machine is so
        // slow that a second goes by between two of them, hence the totals rather than rows.
        RefusalRecorder recorder = new RefusalRecorder(events, 1, 1);
        recorder.onSummarised(summarised::addAndGet);
        for (int n = 0; n < 4; n++) {
            recorder.refused(refusal(n));
        }
        int before = events.written.size();
        assertThat(before).isLessThan(4);

        events.down = true;
        assertThat(recorder.recordAllCounted().failed()).isTrue();
        assertThat(summarised).as("nothing written, nothing counted").hasValue(0);

        events.down = false;
        recorder.refused(refusal(4));
        assertThat(recorder.recordAllCounted().succeeded()).isTrue();
        assertThat(events.written).hasSize(before + 1);
        ScimEvent count = events.written.get(before);
        assertThat(count.resourceId()).isEqualTo("u4");
        assertThat(count.detail()).startsWith((5 - before) + " refused requests since ");
        assertThat(summarised).as("the refusals written in a count").hasValue(5 - before);
        assertThat(recorder.recordAllCounted().succeeded()).isTrue();
        assertThat(events.written).as("carried once, not twice").hasSize(before + 1);
    }
}
