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
        long now = System.nanoTime();
        long waitNanos = buckets.computeIfAbsent(tokenId, id -> new TokenBucket(burst, now)).take(now, perNano, burst);
        if (waitNanos == 0) {
            ctx.next();
            return;
        }
        long seconds = (waitNanos + NANOS - 1) / NANOS;
        ScimResponses.sendRetryLater(ctx, 429, seconds,
                "Too many requests for this SCIM token; retry after " + Math.max(1, seconds) + " s.");
    }
}
