package io.hanzo.kms.scim.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Buckets per SCIM token, on a clock the test moves: only tokens used lately keep one. */
class TokenRateLimitsTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void bucketsFullAgainAreForgottenAndAnEmptyOneStillLimits() {
        TokenRateLimits limits = new TokenRateLimits(10, 5);
        List<UUID> used = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            UUID token = UUID.randomUUID();
            used.add(token);
            assertThat(limits.take(token, 0)).isZero();
        }
        UUID busy = UUID.randomUUID();
        for (int i = 0; i < 5; i++) {
            assertThat(limits.take(busy, 0)).isZero();
        }
        assertThat(limits.take(busy, 0)).as("the burst is spent").isPositive();
        assertThat(limits.size()).isEqualTo(201);

        limits.forgetIdle(SECOND / 20);
        assertThat(limits.size()).as("none full yet").isEqualTo(201);

        // A tenth of a second refills the one taken from each of the 200; the busy one is still short.
        limits.forgetIdle(SECOND / 10);
        assertThat(limits.size()).isEqualTo(1);
        assertThat(limits.take(busy, SECOND / 10)).as("the busy token's bucket was kept").isZero();
        assertThat(limits.take(busy, SECOND / 10)).isPositive();

        // A forgotten token starts again with a full burst, as it would with its old bucket.
        for (int i = 0; i < 5; i++) {
            assertThat(limits.take(used.get(0), SECOND / 10)).isZero();
        }
        assertThat(limits.take(used.get(0), SECOND / 10)).isPositive();
    }

    @Test
    void aRevokedTokensBucketIsForgottenAtOnce() {
        TokenRateLimits limits = new TokenRateLimits(10, 5);
        UUID revoked = UUID.randomUUID();
        assertThat(limits.take(revoked, 0)).isZero();
        limits.forget(revoked);
        assertThat(limits.size()).isZero();
    }
}
