package io.hanzo.kms.scim.ops;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A stop asked for (SIGTERM, Ctrl-C) while the server is still starting. Start-up gives up at its
 * next step, or at once while it waits for the database or the index, and closes what it opened
 * (the embedded PostgreSQL above all, which would otherwise outlive the JVM).
 */
public final class StartupAbort {
    private final CompletableFuture<Void> requested = new CompletableFuture<>();

    /** Start-up given up on request; not a failure. */
    public static final class Aborted extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Aborted(String step) {
            super("stopped on request " + step);
        }
    }

    public void request() {
        requested.complete(null);
    }

    public boolean isRequested() {
        return requested.isDone();
    }

    /** Throws {@link Aborted} when a stop was asked for; {@code step} says where start-up was. */
    public void check(String step) {
        if (isRequested()) {
            throw new Aborted(step);
        }
    }

    /** Waits for {@code stage}, or until a stop is asked for ({@link Aborted}). */
    public <T> T await(CompletionStage<T> stage, long timeout, TimeUnit unit, String step)
            throws ExecutionException, InterruptedException, TimeoutException {
        CompletableFuture<T> result = stage.toCompletableFuture();
        CompletableFuture.anyOf(result, requested).get(timeout, unit);
        if (!result.isDone()) {
            throw new Aborted(step);
        }
        return result.get();
    }
}
