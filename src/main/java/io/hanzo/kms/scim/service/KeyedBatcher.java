package io.hanzo.kms.scim.service;

import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Group commit per key on top of a {@link KeyedSerializer}: items that queue up behind the key's
 * running task join one batch, which runs as one task when its turn comes; a task submitted
 * {@link #alone} closes the batch, so that nothing that arrives after it is written before it. An
 * item that finds the key idle runs at once, as a batch of one.
 *
 * @param <K> the key (a group id)
 * @param <I> one queued item
 * @param <O> its outcome
 */
public final class KeyedBatcher<K, I, O> {

    /** One queued item and the promise its caller waits on; the batch's runner completes it. */
    public record Entry<I, O>(I item, Promise<O> promise) {
    }

    private final KeyedSerializer<K> serializer;
    private final int maxBatch;
    /** The batch per key that has not started yet and still takes items. Guarded by {@code this}. */
    private final Map<K, List<Entry<I, O>>> open = new HashMap<>();

    public KeyedBatcher(KeyedSerializer<K> serializer, int maxBatch) {
        this.serializer = serializer;
        this.maxBatch = maxBatch;
    }

    /**
     * Queues an item. {@code runner} writes a batch and completes every entry's promise; the next task
     * of the key starts when its future completes.
     */
    public Future<O> join(K key, I item, Function<List<Entry<I, O>>, Future<Void>> runner) {
        Entry<I, O> entry = new Entry<>(item, Promise.promise());
        synchronized (this) {
            List<Entry<I, O>> batch = open.get(key);
            if (batch != null && batch.size() < maxBatch) {
                batch.add(entry);
                return entry.promise().future();
            }
            List<Entry<I, O>> fresh = new ArrayList<>();
            fresh.add(entry);
            open.put(key, fresh);
            // Submitted under the lock, so batches and lone tasks reach the serializer in the order they closed.
            serializer.submit(key, () -> {
                synchronized (this) {
                    open.remove(key, fresh);
                }
                return runner.apply(fresh);
            }).onFailure(e -> fresh.forEach(x -> x.promise().tryFail(e)));
        }
        return entry.promise().future();
    }

    /** A task that is not batched: items queued after it wait for it. */
    public <T> Future<T> alone(K key, Supplier<Future<T>> task) {
        synchronized (this) {
            open.remove(key);
            return serializer.submit(key, task);
        }
    }
}
