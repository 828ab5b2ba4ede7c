package io.hanzo.kms.scim.http;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The request deadline ({@code http.request-timeout-seconds}): a request not answered within it is
 * failed with 503, which the failure handler answers with Retry-After, or with 408 when its body had
 * not all arrived by then.
 *
 * <p>Every request has the same allowance, so deadlines fall due in the order requests arrived: one
 * queue per event loop in arrival order and one timer for its head do the work of a timer per
 * request, which every request would otherwise start and cancel. One per router, and each HTTP
 * verticle has its own router, so the queue and the timer are used only on that verticle's event
 * loop; an answer may be sent from another thread (a write's completion), so the end of a request
 * is only marked there, and the mark is read here.
 */
final class RequestDeadlines implements Handler<RoutingContext> {
    private final Vertx vertx;
    private final long nanos;
    private final ArrayDeque<Deadline> queue = new ArrayDeque<>();
    private boolean armed;

    RequestDeadlines(Vertx vertx, long millis) {
        this.vertx = vertx;
        this.nanos = TimeUnit.MILLISECONDS.toNanos(millis);
    }

    /** One request's deadline; set once the request has ended or has been failed for being late. */
    private static final class Deadline extends AtomicBoolean {
        final long due;
        /** Cleared when the request ends, so an ended request's context is not kept until its due time. */
        volatile RoutingContext ctx;

        Deadline(RoutingContext ctx, long due) {
            this.ctx = ctx;
            this.due = due;
        }
    }

    @Override
    public void handle(RoutingContext ctx) {
        Deadline d = new Deadline(ctx, System.nanoTime() + nanos);
        ctx.addEndHandler(ar -> {
            d.set(true);
            d.ctx = null;
        });
        dropEnded();
        queue.addLast(d);
        if (!armed) {
            arm(d.due);
        }
        ctx.next();
    }

    /** Ended requests at the head of the queue leave it at once, so it holds about the requests in flight. */
    private void dropEnded() {
        Deadline head;
        while ((head = queue.peekFirst()) != null && head.get()) {
            queue.pollFirst();
        }
    }

    private void arm(long due) {
        armed = true;
        long millis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(due - System.nanoTime()) + 1);
        vertx.setTimer(millis, id -> sweep());
    }

    private void sweep() {
        armed = false;
        long now = System.nanoTime();
        Deadline head;
        while ((head = queue.peekFirst()) != null && (head.get() || head.due - now <= 0)) {
            queue.pollFirst();
            RoutingContext ctx = head.ctx;
            if (ctx != null && head.compareAndSet(false, true)) {
                head.ctx = null;
                late(ctx);
            }
        }
        if (head != null) {
            arm(head.due);
        }
    }

    /**
     * As a per-request timer would. A request whose body has not all arrived is the client's delay: 408
     * (RFC 9110 §15.5.9), under the route it was sent to, which it has not reached yet (its body is read
     * first). Any other is the server's: 503.
     */
    private static void late(RoutingContext ctx) {
        if (ctx.request().isEnded()) {
            ctx.fail(503);
            return;
        }
        ctx.request().resume();
        String route = ApiRouter.scimRoute(ctx.request().path());
        if (route != null) {
            ctx.request().routed(route);
        }
        ctx.fail(408);
    }
}
