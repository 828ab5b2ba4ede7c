package io.hanzo.kms.scim.service;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Group commit: writes submitted while a previous batch is in the database wait and then go together
 * in the next batch, one statement and one commit for all of them. A write submitted when nothing is
 * in flight goes at once, so a lone request waits for nothing. Each caller's future completes only
 * after its batch committed, with its own outcome; the next batch is on its way to the database
 * before those futures complete.
 * <p>
 * When the database refuses a whole batch for what one write holds (see {@code retryAlone}), the
 * batch's writes are tried again one by one, so the bad one fails alone and the others commit.
 *
 * @param <I> one write
 * @param <O> its outcome
 */
public final class GroupCommit<I, O> {
    private final Function<List<I>, Future<List<O>>> writeBatch;
    private final int maxBatch;
    private final Predicate<Throwable> retryAlone;
    private final List<I> queued = new ArrayList<>();
    private final List<Promise<O>> waiting = new ArrayList<>();
    private boolean inFlight;

    /**
     * @param writeBatch writes a batch in one transaction and returns one outcome per write, in order
     */
    public GroupCommit(Function<List<I>, Future<List<O>>> writeBatch, int maxBatch) {
        this(writeBatch, maxBatch, failure -> false);
    }

    /**
     * @param retryAlone true for a failure that certainly wrote nothing and may be caused by one write
     *                   of the batch (the database refused the statement), so that trying each write
     *                   alone is safe and finds the culprit
     */
    public GroupCommit(Function<List<I>, Future<List<O>>> writeBatch, int maxBatch, Predicate<Throwable> retryAlone) {
        this.writeBatch = writeBatch;
        this.maxBatch = maxBatch;
        this.retryAlone = retryAlone;
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
        Future<List<AsyncResult<O>>> written = write(batch).map(GroupCommit::eachSucceeded);
        if (batch.size() > 1) {
            written = written.recover(failure -> retryAlone.test(failure) ? oneByOne(batch) : Future.failedFuture(failure));
        }
        written.onComplete(ar -> {
            // The writes queued meanwhile go to the database first: the next statement and its commit
            // run while this batch's callers build and send their answers.
            flush();
            for (int i = 0; i < promises.size(); i++) {
                if (ar.succeeded()) {
                    promises.get(i).handle(ar.result().get(i));
                } else {
                    promises.get(i).fail(ar.cause());
                }
            }
        });
    }

    private Future<List<O>> write(List<I> batch) {
        try {
            return writeBatch.apply(batch);
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
    }

    private static <O> List<AsyncResult<O>> eachSucceeded(List<O> outcomes) {
        List<AsyncResult<O>> out = new ArrayList<>(outcomes.size());
        outcomes.forEach(o -> out.add(Future.succeededFuture(o)));
        return out;
    }

    /** Each write of a refused batch alone, one after another: each gets its own outcome or failure. */
    private Future<List<AsyncResult<O>>> oneByOne(List<I> batch) {
        List<AsyncResult<O>> outcomes = new ArrayList<>(batch.size());
        Future<Void> chain = Future.succeededFuture();
        for (I one : batch) {
            chain = chain.compose(v -> write(List.of(one)).transform(ar -> {
                outcomes.add(ar.succeeded() ? Future.succeededFuture(ar.result().get(0)) : Future.failedFuture(ar.cause()));
                return Future.<Void>succeededFuture();
            }));
        }
        return chain.map(v -> outcomes);
    }
}
