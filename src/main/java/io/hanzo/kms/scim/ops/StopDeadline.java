package io.hanzo.kms.scim.ops;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * When the whole orderly stop must be over, so that it ends within the grace period a supervisor
 * gives it (Kubernetes' terminationGracePeriodSeconds) rather than being killed half way. Each step
 * waits no longer than its own limit, nor past this deadline; a step cut short by the deadline fails
 * with a {@link TimeoutException} that says so.
 */
public final class StopDeadline {
    private final Duration total;
    private final long endNanos;

    public StopDeadline(Duration total) {
        this.total = total;
        this.endNanos = System.nanoTime() + total.toNanos();
    }

    public Duration total() {
        return total;
    }

    /** What is left before the deadline, never negative. */
    public Duration left() {
        return Duration.ofNanos(Math.max(0, endNanos - System.nanoTime()));
    }

    /** Waits for {@code stage} up to {@code limit}, or until the deadline if that comes first. */
    public <T> T await(CompletionStage<T> stage, Duration limit)
            throws ExecutionException, InterruptedException, TimeoutException {
        Duration left = left();
        boolean deadlineFirst = left.compareTo(limit) < 0;
        try {
            return stage.toCompletableFuture().get((deadlineFirst ? left : limit).toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new TimeoutException(deadlineFirst
                    ? "cut short by the shut-down deadline (" + total.toSeconds() + " s after the stop began)"
                    : "not done within " + limit.toSeconds() + " s");
        }
    }
}
