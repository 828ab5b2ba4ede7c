package io.hanzo.kms.scim.store.pg;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowStream;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Hands the rows of a cursor to a consumer in batches, a few batches at a time: the event loop only
 * copies columns out of rows, the consumer may work on the batches elsewhere and in parallel, and the
 * cursor pauses while the consumer is behind, so a large table never piles up in memory.
 */
final class BatchedStream<T> {
    private final RowStream<Row> rows;
    private final Function<Row, T> read;
    private final int batchSize;
    private final int maxInFlight;
    private final Function<List<T>, Future<Void>> sink;
    private final Promise<Void> done = Promise.promise();
    private List<T> batch;
    private int inFlight;
    private boolean ended;
    private boolean paused;

    private BatchedStream(RowStream<Row> rows, Function<Row, T> read, int batchSize, int maxInFlight,
                          Function<List<T>, Future<Void>> sink) {
        this.rows = rows;
        this.read = read;
        this.batchSize = batchSize;
        this.maxInFlight = maxInFlight;
        this.sink = sink;
        this.batch = new ArrayList<>(batchSize);
    }

    /**
     * @param sink takes one batch; the next batches wait while {@code maxInFlight} are unfinished. Its
     *             futures must complete on the cursor's context (as {@code Context.executeBlocking}'s do).
     * @return completes once every batch has been consumed; fails with the first failure
     */
    static <T> Future<Void> consume(RowStream<Row> rows, Function<Row, T> read, int batchSize, int maxInFlight,
                                    Function<List<T>, Future<Void>> sink) {
        BatchedStream<T> s = new BatchedStream<>(rows, read, batchSize, maxInFlight, sink);
        rows.exceptionHandler(s.done::tryFail)
                .endHandler(v -> s.end())
                .handler(s::add);
        return s.done.future();
    }

    private void add(Row r) {
        batch.add(read.apply(r));
        if (batch.size() >= batchSize) {
            flush();
        }
    }

    private void end() {
        ended = true;
        flush();
        if (inFlight == 0) {
            done.tryComplete();
        }
    }

    private void flush() {
        if (batch.isEmpty()) {
            return;
        }
        List<T> full = batch;
        batch = new ArrayList<>(batchSize);
        inFlight++;
        if (inFlight >= maxInFlight && !paused && !ended) {
            paused = true;
            rows.pause();
        }
        Future<Void> consumed;
        try {
            consumed = sink.apply(full);
        } catch (RuntimeException e) {
            consumed = Future.failedFuture(e);
        }
        consumed.onComplete(ar -> {
            inFlight--;
            if (ar.failed()) {
                if (done.tryFail(ar.cause())) {
                    rows.close();
                }
                return;
            }
            if (ended) {
                if (inFlight == 0) {
                    done.tryComplete();
                }
            } else if (paused && inFlight < maxInFlight) {
                paused = false;
                rows.resume();
            }
        });
    }
}
