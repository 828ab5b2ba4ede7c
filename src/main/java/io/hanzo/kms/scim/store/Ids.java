package io.hanzo.kms.scim.store;

import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Time-ordered UUIDs (RFC 9562 version 7): ids sort in creation order, which gives list pages a stable
 * order in which new resources land at the end, and keeps primary-key inserts local in the B-tree.
 *
 * <p>Ids must be unique, not secret (tokens are made elsewhere, from {@code SecureRandom}): the random
 * bits come from each thread's own generator, and the clock and counter advance by compare-and-set,
 * so creating ids takes no lock and threads never wait for each other.
 */
public final class Ids {
    /** The last id's 48-bit millisecond timestamp and 12-bit counter, as {@code millis << 12 | counter}. */
    private static final AtomicLong LAST = new AtomicLong();

    private Ids() {
    }

    /**
     * A new id, greater than every id this process made before: within one millisecond the 12 bits
     * after the timestamp count up (RFC 9562 §6.2, method 1), from a random start; when they run out
     * the id borrows the next millisecond.
     */
    public static UUID newId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long prev;
        long next;
        do {
            prev = LAST.get();
            long fresh = (System.currentTimeMillis() << 12) | random.nextInt(1 << 10);
            next = (fresh >>> 12) > (prev >>> 12) ? fresh : prev + 1;
        } while (!LAST.compareAndSet(prev, next));
        long msb = ((next >>> 12) << 16) | (0x7L << 12) | (next & 0xFFF);
        long lsb = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb);
    }

    /** The smallest version 7 id of the instant's millisecond: every id made earlier sorts below it. */
    public static UUID smallestAt(Instant at) {
        return new UUID((at.toEpochMilli() << 16) | (0x7L << 12), 0x8000000000000000L);
    }

    /** Parses an id from a URL; anything that is not a UUID is null (and so a 404, never a 500). */
    public static UUID parseOrNull(String s) {
        if (s == null || s.length() != 36) {
            return null;
        }
        try {
            UUID u = UUID.fromString(s);
            return u.toString().equalsIgnoreCase(s) ? u : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
