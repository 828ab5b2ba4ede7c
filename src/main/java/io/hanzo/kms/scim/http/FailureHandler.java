package io.hanzo.kms.scim.http;

import io.hanzo.kms.scim.protocol.ScimException;
import io.hanzo.kms.scim.store.ConcurrentChangeConflict;
import io.hanzo.kms.scim.store.DatabaseUnavailable;
import io.hanzo.kms.scim.store.OrganizationErasedException;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpClosedException;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Turns every failure into a SCIM error body. Client mistakes arrive as {@link ScimException} or as a
 * status set by vertx-web (404, 405, 413) or by the request deadline (408, a body that did not arrive in
 * time); a database that cannot serve now, a transaction it rolled back for meeting another (a
 * deadlock), or a request the server did not answer by its deadline, is a 503 with Retry-After; a request whose client's connection failed is not answered; anything else is
 * the server's fault, logged with its stack and answered with a 500 that reveals nothing of it.
 */
public final class FailureHandler implements Handler<RoutingContext> {
    private static final Logger LOG = LoggerFactory.getLogger(FailureHandler.class);

    private static final long UNAVAILABLE_LOG_INTERVAL_NANOS = 5_000_000_000L;
    private static final AtomicLong lastUnavailableLog = new AtomicLong(System.nanoTime() - UNAVAILABLE_LOG_INTERVAL_NANOS);
    private static final AtomicLong unavailableSinceLog = new AtomicLong();

    static final int BUSY_RETRY_AFTER_SECONDS = 1;

    private final RefusalRecorder refusals;

    FailureHandler(RefusalRecorder refusals) {
        this.refusals = refusals;
    }

    @Override
    public void handle(RoutingContext ctx) {
        Throwable failure = ctx.failure();
        if (clientLeft(ctx, failure)) {
            // Nobody to answer, and nothing to alarm anyone: a client may reset a connection when it likes.
            LOG.debug("Request {} {}: the client's connection ended before the request did ({})",
                    ctx.request().method(), ctx.request().path(), failure.toString());
            return;
        }
        if (failure instanceof ScimException e && e.status() == 503) {
            // A change that met others' changes to the same resource too often: soon, it will not.
            ScimResponses.sendRetryLater(ctx, 503, BUSY_RETRY_AFTER_SECONDS, e.detail());
            return;
        }
        if (failure instanceof ScimException e) {
            refusals.refused(ctx, e.status(), e.detail());
            ScimResponses.sendError(ctx, e);
            return;
        }
        if (failure instanceof OrganizationErasedException erased) {
            // As this instance answers once it has heard of the erasure: nothing is recorded for it.
            if (ctx.request().path().startsWith(ApiRouter.SCIM_BASE)) {
                ScimResponses.sendError(ctx, 401, null, "The SCIM token is not valid.");
            } else {
                ScimResponses.sendError(ctx, 404, null, "Organization " + erased.orgId() + " not found.");
            }
            return;
        }
        if (ConcurrentChangeConflict.matches(failure)) {
            // PostgreSQL logs the statements of both sides; this line ties the request to them.
            LOG.warn("Request {} {} met a concurrent change and was rolled back; answered 503 ({})",
                    ctx.request().method(), ctx.request().path(), failure.getMessage());
            ScimResponses.sendRetryLater(ctx, 503, BUSY_RETRY_AFTER_SECONDS,
                    "The change met another change made at the same moment and was not made; retry it.");
            return;
        }
        if (DatabaseUnavailable.matches(failure)) {
            logUnavailable(failure);
            ScimResponses.sendRetryLater(ctx, 503, DatabaseUnavailable.RETRY_AFTER_SECONDS,
                    "The service is temporarily unavailable; retry later.");
            return;
        }
        int status = ctx.statusCode();
        if (failure instanceof HttpException h) {
            status = h.getStatusCode();
        }
        if (status == 503) {
            // The request deadline (RequestDeadlines) passed before an answer.
            ScimResponses.sendRetryLater(ctx, 503, DatabaseUnavailable.RETRY_AFTER_SECONDS,
                    "The request was not answered in time; retry later.");
            return;
        }
        if (status >= 400 && status < 500) {
            refusals.refused(ctx, status, describe(status));
            ScimResponses.sendError(ctx, status, null, describe(status));
            return;
        }
        LOG.error("Request {} {} failed", ctx.request().method(), ctx.request().path(), failure);
        ScimResponses.sendError(ctx, 500, null, "Internal server error.");
    }

    /**
     * The request failed because its client's connection did: reset while the body was on its way, or
     * closed. Such a failure is a network one and would otherwise read as the database being unreachable.
     */
    private static boolean clientLeft(RoutingContext ctx, Throwable failure) {
        return failure instanceof HttpClosedException && ctx.response().closed()
                || CheckedRequestDecoder.connectionFailedWith(ctx.request().connection(), failure);
    }

    /** An outage fails every request: one line per few seconds says so without flooding the log. */
    private static void logUnavailable(Throwable failure) {
        long now = System.nanoTime();
        long last = lastUnavailableLog.get();
        long suppressed = unavailableSinceLog.incrementAndGet();
        if (now - last >= UNAVAILABLE_LOG_INTERVAL_NANOS && lastUnavailableLog.compareAndSet(last, now)) {
            unavailableSinceLog.addAndGet(-suppressed);
            LOG.warn("Answered {} request(s) 503: the database is unavailable ({})", suppressed, failure.toString());
        }
    }

    static String describe(int status) {
        switch (status) {
            case 400: return "Bad request.";
            case 404: return "No resource at this path.";
            case 405: return "Method not allowed on this resource.";
            case 408: return "The request body did not arrive within the request timeout.";
            case 413: return "The request body is too large.";
            case 415: return "Unsupported media type: send application/scim+json or application/json.";
            default: return "Request refused (" + status + ").";
        }
    }
}
