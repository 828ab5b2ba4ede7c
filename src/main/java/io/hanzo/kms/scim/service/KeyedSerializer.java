package io.hanzo.kms.scim.service;

import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Runs tasks with the same key one after another, each starting when the previous one's future has
 * completed; tasks with different keys run freely. Writes to one group go through here so that their
 * commits, and the index updates after them, happen in one order.
 */
public final class KeyedSerializer<K> {
    private final Map<K, Future<?>> tails = new ConcurrentHashMap<>();

    public <T> Future<T> submit(K key, Supplier<Future<T>> task) {
        Promise<T> result = Promise.promise();
        Future<?> previous = tails.put(key, result.future());
        Runnable run = () -> {
            Future<T> f;
            try {
                f = task.get();
            } catch (RuntimeException e) {
                f = Future.failedFuture(e);
            }
            f.onComplete(result);
        };
        if (previous == null) {
            run.run();
        } else {
            previous.onComplete(ignored -> run.run());
        }
        // Forget the key once this task is the last one, so idle keys cost nothing.
        result.future().onComplete(ignored -> tails.remove(key, result.future()));
        return result.future();
    }
}
