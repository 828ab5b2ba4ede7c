package io.hanzo.kms.scim.service;

import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Group commit: writes submitted while a previous batch is in the database wait and then go together
 * in the next batch, one statement and one commit for all of them. A write submitted when nothing is
 * in flight goes at once, so a lone request waits for nothing. Each caller's future completes only
 * after its batch committed, with its own outcome.
 *
 * @param <I> one write
 * @param <O> its outcome
 */
public final class GroupCommit<I, O> {
    private final Function<List<I>, Future<List<O>>> writeBatch;
    private final int maxBatch;
    private final List<I> queued = new ArrayList<>();
    private final List<Promise<O>> waiting = new ArrayList<>();
    private boolean inFlight;

    /**
     * @param writeBatch writes a batch in one transaction and returns one outcome per write, in order
     */
    public GroupCommit(Function<List<I>, Future<List<O>>> writeBatch, int maxBatch) {
        this.writeBatch = writeBatch;
        this.maxBatch = maxBatch;
    }

    public Future<O> submit(I write) {
        Promise<O> promise = Promise.promise();
        boolean start;
        synchronized (this) {
            queued.add(write);
            waiting.add(promise);
            start = !inFlight;
            inFlight = true;
        }
        if (start) {
            flush();
        }
        return promise.future();
    }

    private void flush() {
        List<I> batch;
        List<Promise<O>> promises;
        synchronized (this) {
            if (queued.isEmpty()) {
                inFlight = false;
                return;
            }
            int n = Math.min(maxBatch, queued.size());
            batch = new ArrayList<>(queued.subList(0, n));
            promises = new ArrayList<>(waiting.subList(0, n));
            queued.subList(0, n).clear();
            waiting.subList(0, n).clear();
        }
        Future<List<O>> written;
        try {
            written = writeBatch.apply(batch);
        } catch (RuntimeException e) {
            written = Future.failedFuture(e);
        }
        written.onComplete(ar -> {
            for (int i = 0; i < promises.size(); i++) {
                if (ar.succeeded()) {
                    promises.get(i).complete(ar.result().get(i));
                } else {
                    promises.get(i).fail(ar.cause());
                }
            }
            flush();
        });
    }
}
