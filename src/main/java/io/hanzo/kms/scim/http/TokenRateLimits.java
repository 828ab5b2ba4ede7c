package io.hanzo.kms.scim.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Requests per SCIM token, on this instance: a token bucket per token, refilled at {@code perSecond}
 * and holding at most {@code burst}. A request finding the bucket empty is answered 429 with the
 * seconds until the next token in {@code Retry-After} (Okta and Entra ID wait that long), and reads
 * nothing more. Shared by all HTTP verticles; runs after authentication, so only valid tokens get a
 * bucket.
 *
 * <p>A bucket that has refilled to the burst is forgotten by {@link #forgetIdle()}, as {@link
 * RefusalBudget} forgets its organisations: a new one would be the same. So the map holds only tokens
 * used within the last {@code burst / perSecond} seconds, not every token ever issued; a revoked
 * token's bucket goes at once ({@link #forget}).
 */
public final class TokenRateLimits implements Handler<RoutingContext> {
    private static final long NANOS = 1_000_000_000L;

    private final double perNano;
    private final double burst;
    private final Map<UUID, TokenBucket> buckets = new ConcurrentHashMap<>();

    /**
     * @param perSecond 0 switches the limit off
     */
    public TokenRateLimits(int perSecond, int burst) {
        this.perNano = perSecond / (double) NANOS;
        this.burst = Math.max(1, burst);
    }

    @Override
    public void handle(RoutingContext ctx) {
        UUID tokenId = ctx.get(RequestContext.TOKEN_ID);
        if (perNano == 0 || tokenId == null) {
            ctx.next();
            return;
        }
        long waitNanos = take(tokenId, System.nanoTime());
        if (waitNanos == 0) {
            ctx.next();
            return;
        }
        long seconds = (waitNanos + NANOS - 1) / NANOS;
        ScimResponses.sendRetryLater(ctx, 429, seconds,
                "Too many requests for this SCIM token; retry after " + Math.max(1, seconds) + " s.");
    }

    /** Takes one from the token's bucket, inside the map's lock so that {@link #forgetIdle} cannot drop it meanwhile. */
    long take(UUID tokenId, long now) {
        long[] waitNanos = new long[1];
        buckets.compute(tokenId, (id, known) -> {
            TokenBucket b = known != null ? known : new TokenBucket(burst, now);
            waitNanos[0] = b.take(now, perNano, burst);
            return b;
        });
        return waitNanos[0];
    }

    /** Forgets a revoked token's bucket: no request with it gets this far again. */
    public void forget(UUID tokenId) {
        buckets.remove(tokenId);
    }

    /** Forgets the buckets that are full again; to be called every minute or so. */
    public void forgetIdle() {
        forgetIdle(System.nanoTime());
    }

    void forgetIdle(long now) {
        for (UUID tokenId : buckets.keySet()) {
            buckets.computeIfPresent(tokenId, (id, b) -> b.full(now, perNano, burst) ? null : b);
        }
    }

    /** How many tokens have a bucket now. */
    int size() {
        return buckets.size();
    }
}
