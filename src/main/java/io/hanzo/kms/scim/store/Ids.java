package io.hanzo.kms.scim.store;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.UUID;

/**
 * Time-ordered UUIDs (RFC 9562 version 7): ids sort in creation order, which gives list pages a stable
 * order in which new resources land at the end, and keeps primary-key inserts local in the B-tree.
 */
public final class Ids {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static long lastMillis;
    private static int sequence;

    private Ids() {
    }

    /**
     * A new id, greater than every id this process made before: within one millisecond the 12 bits
     * after the timestamp count up (RFC 9562 §6.2, method 1), from a random start.
     */
    public static UUID newId() {
        long millis;
        int seq;
        synchronized (Ids.class) {
            millis = Math.max(System.currentTimeMillis(), lastMillis);
            if (millis == lastMillis) {
                if (++sequence > 0xFFF) {
                    millis++;
                    sequence = RANDOM.nextInt(1 << 10);
                }
            } else {
                sequence = RANDOM.nextInt(1 << 10);
            }
            lastMillis = millis;
            seq = sequence;
        }
        long msb = (millis << 16) | (0x7L << 12) | seq;
        long lsb = (RANDOM.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
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
