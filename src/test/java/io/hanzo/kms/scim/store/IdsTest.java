package io.hanzo.kms.scim.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

class IdsTest {
    @Test
    void idsAreVersion7WithTheRfcVariantAndTheCurrentTime() {
        long before = System.currentTimeMillis();
        UUID id = Ids.newId();
        long after = System.currentTimeMillis();
        assertThat(id.version()).isEqualTo(7);
        assertThat(id.variant()).isEqualTo(2);
        long millis = id.getMostSignificantBits() >>> 16;
        // A burst may borrow a few milliseconds ahead; never behind the clock.
        assertThat(millis).isBetween(before, after + 50);
    }

    @Test
    void everyIdIsGreaterThanTheOneBeforeEvenInABurst() {
        // Far more than the 4,096 a millisecond's counter holds, so the counter also overflows.
        UUID previous = Ids.newId();
        for (int i = 0; i < 50_000; i++) {
            UUID next = Ids.newId();
            assertThat(compareUnsigned(next, previous)).as("id %d", i).isPositive();
            previous = next;
        }
    }

    @Test
    void threadsCreatingIdsTogetherNeverGetTheSameOne() throws InterruptedException {
        Set<UUID> all = ConcurrentHashMap.newKeySet();
        List<Thread> threads = new ArrayList<>();
        List<Boolean> ordered = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Thread thread = new Thread(() -> {
                UUID previous = null;
                boolean inOrder = true;
                for (int i = 0; i < 20_000; i++) {
                    UUID id = Ids.newId();
                    all.add(id);
                    inOrder &= previous == null || compareUnsigned(id, previous) > 0;
                    previous = id;
                }
                synchronized (ordered) {
                    ordered.add(inOrder);
                }
            });
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        assertThat(all).hasSize(80_000);
        assertThat(ordered).containsOnly(true).hasSize(4);
        // The random part differs too: ids are not a counter anyone could guess from the one before.
        Set<Long> low = new HashSet<>();
        all.stream().limit(1000).forEach(id -> low.add(id.getLeastSignificantBits()));
        assertThat(low).hasSize(1000);
    }

    /** PostgreSQL's uuid order: unsigned bytes, most significant first. */
    private static int compareUnsigned(UUID a, UUID b) {
        int c = Long.compareUnsigned(a.getMostSignificantBits(), b.getMostSignificantBits());
        return c != 0 ? c : Long.compareUnsigned(a.getLeastSignificantBits(), b.getLeastSignificantBits());
    }
}
