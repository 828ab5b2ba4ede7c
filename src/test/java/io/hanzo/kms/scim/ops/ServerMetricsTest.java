package io.hanzo.kms.scim.ops;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

class ServerMetricsTest {

    @Test
    void changeFeedLagStillReadsAfterGarbageCollection() {
        ServerMetrics metrics = new ServerMetrics();
        AtomicLong lagMillis = new AtomicLong(1500);
        // A lambda that captures state, as the server's does: a new object that only the gauge refers to.
        metrics.watchChangeFeedLag(() -> Duration.ofMillis(lagMillis.get()));
        for (int i = 0; i < 5; i++) {
            System.gc();
        }
        assertThat(metrics.registry().get("kms.scim.change.feed.lag").gauge().value()).isEqualTo(1.5);
        lagMillis.set(250);
        assertThat(metrics.registry().scrape()).contains("kms_scim_change_feed_lag_seconds 0.25");
    }
}
