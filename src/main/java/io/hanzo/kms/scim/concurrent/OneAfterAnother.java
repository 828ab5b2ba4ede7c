package io.hanzo.kms.scim.concurrent;

import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.Iterator;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Asynchronous steps run one after another, each started when the one before has completed, with
 * no future nested in another. A walk written as a recursion of compose (a step, then the walk of
 * the rest) completes its levels one inside the other when its last step completes: over 19,400
 * organisations that overflowed the stack, and whatever waited for the walk never heard its end.
 */
public final class OneAfterAnother {
    private OneAfterAnother() {
    }

    /** Runs {@code step} for each item in turn; fails with the first step that fails, running no more. */
    public static <T> Future<Void> forEach(Iterable<T> items, Function<T, Future<?>> step) {
        Iterator<T> it = items.iterator();
        return repeat(() -> it.hasNext() ? step.apply(it.next()).map(true) : Future.succeededFuture(false));
    }

    /**
     * Runs {@code step} again and again while it answers true; fails with the first step that fails.
     * A step that has already completed when it is returned is followed in a loop, not a call.
     */
    public static Future<Void> repeat(Supplier<Future<Boolean>> step) {
        Promise<Void> done = Promise.promise();
        next(step, done);
        return done.future();
    }

    private static void next(Supplier<Future<Boolean>> step, Promise<Void> done) {
        while (true) {
            Future<Boolean> f;
            try {
                f = step.get();
            } catch (RuntimeException e) {
                done.fail(e);
                return;
            }
            if (!f.isComplete()) {
                f.onComplete(ar -> {
                    if (ar.failed()) {
                        done.fail(ar.cause());
                    } else if (ar.result()) {
                        next(step, done);
                    } else {
                        done.complete();
                    }
                });
                return;
            }
            if (f.failed()) {
                done.fail(f.cause());
                return;
            }
            if (!f.result()) {
                done.complete();
                return;
            }
        }
    }
}
