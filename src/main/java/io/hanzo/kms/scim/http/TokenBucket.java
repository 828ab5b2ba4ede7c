package io.hanzo.kms.scim.http;

/**
 * One allowance: refilled at a rate and holding at most a burst, both given with each call so that a
 * bucket holds no more than its own level (there is one per SCIM token, say).
 */
final class TokenBucket {
    private double tokens;
    private long refilledAt;

    TokenBucket(double burst, long now) {
        this.tokens = burst;
        this.refilledAt = now;
    }

    /** Takes one: 0 when there was one, else the nanoseconds until there is. */
    synchronized long take(long now, double perNano, double burst) {
        refill(now, perNano, burst);
        if (tokens >= 1) {
            tokens -= 1;
            return 0;
        }
        return Math.max(1, (long) Math.ceil((1 - tokens) / perNano));
    }

    /** Whether it has refilled to the burst: then it is as good as a new one. */
    synchronized boolean full(long now, double perNano, double burst) {
        refill(now, perNano, burst);
        return tokens >= burst;
    }

    private void refill(long now, double perNano, double burst) {
        tokens = Math.min(burst, tokens + (now - refilledAt) * perNano);
        refilledAt = now;
    }
}
