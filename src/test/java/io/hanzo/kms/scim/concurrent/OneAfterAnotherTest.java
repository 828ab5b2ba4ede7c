package io.hanzo.kms.scim.concurrent;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Steps in turn over more items than a stack holds frames, completed at once, later, or failing. */
class OneAfterAnotherTest {
    private static final List<Integer> ITEMS = IntStream.range(0, 200_000).boxed().toList();
    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() {
        vertx.close();
    }

    @Test
    void stepsCompletedAtOnceRunInALoop() {
        List<Integer> seen = new ArrayList<>();
        Future<Void> done = OneAfterAnother.forEach(ITEMS, i -> {
            seen.add(i);
            return Future.succeededFuture();
        });
        assertThat(done.succeeded()).isTrue();
        assertThat(seen).isEqualTo(ITEMS);
    }

    @Test
    void stepsCompletedLaterEachStartWhenTheOneBeforeHasEnded() throws Exception {
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        List<Integer> seen = new ArrayList<>();
        Future<Void> done = OneAfterAnother.forEach(ITEMS, i -> {
            most.accumulateAndGet(running.incrementAndGet(), Math::max);
            Promise<Void> p = Promise.promise();
            vertx.runOnContext(v -> {
                seen.add(i);
                running.decrementAndGet();
                p.complete();
            });
            return p.future();
        });
        done.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
        assertThat(seen).isEqualTo(ITEMS);
        assertThat(most).hasValue(1);
    }

    @Test
    void theFirstFailureEndsTheWalkWithItsCause() throws Exception {
        AtomicInteger ran = new AtomicInteger();
        IllegalStateException broken = new IllegalStateException("the database is down");
        Future<Void> done = OneAfterAnother.forEach(ITEMS, i -> {
            ran.incrementAndGet();
            Promise<Void> p = Promise.promise();
            vertx.runOnContext(v -> {
                if (i == 150_000) {
                    p.fail(broken);
                } else {
                    p.complete();
                }
            });
            return p.future();
        });
        Throwable cause = done.transform(ar -> Future.succeededFuture(ar.cause()))
                .toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
        assertThat(cause).isSameAs(broken);
        assertThat(ran).hasValue(150_001);
    }

    @Test
    void repeatRunsUntilTheStepAnswersFalse() {
        int[] left = {100_000};
        Future<Void> done = OneAfterAnother.repeat(() -> Future.succeededFuture(--left[0] > 0));
        assertThat(done.succeeded()).isTrue();
        assertThat(left[0]).isZero();
    }
}
