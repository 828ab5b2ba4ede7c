package io.hanzo.kms.scim.service;

import io.hanzo.kms.scim.index.DirectoryIndex;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The change feed's rounds (one each 50 ms while idle) look for stalled groups once a second, not at
 * every round: a look visits every organisation's group index.
 */
class StallCheckTest {
    @Test
    void roundsLookForStalledGroupsOnceASecond() {
        IndexFollower follower = new IndexFollower(new DirectoryIndex(), null, null);
        long start = System.nanoTime() + 1;
        assertThat(follower.stallCheckDue(start)).isTrue();
        int looks = 0;
        // Five seconds of rounds, one each 50 ms.
        for (long t = start + 50_000_000L; t <= start + 5_000_000_000L; t += 50_000_000L) {
            if (follower.stallCheckDue(t)) {
                looks++;
            }
        }
        assertThat(looks).isEqualTo(5);
    }
}
