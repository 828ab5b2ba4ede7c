package io.hanzo.kms.scim.ops;

import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What Vert.x reports as unhandled: logged as errors, except one known, harmless race in the SQL
 * client's connection pool. There a request that waited for a connection and got one is "timed out"
 * a moment later by its acquisition timer, which then fails an already completed promise; the request
 * itself went on normally (vertx-sql-client issues 1567 and 1706, vert.x issue 6169). An error line
 * for it would send operators after a fault that does not exist, so it is counted and logged at debug.
 */
public final class UnhandledFailures {
    private static final Logger LOG = LoggerFactory.getLogger(UnhandledFailures.class);
    private static final AtomicLong POOL_TIMER_RACES = new AtomicLong();

    private UnhandledFailures() {
    }

    public static void install(Vertx vertx) {
        vertx.exceptionHandler(UnhandledFailures::report);
    }

    /** Pool acquisition timers that fired after their request had its connection, since start. */
    public static long poolTimerRaces() {
        return POOL_TIMER_RACES.get();
    }

    static void report(Throwable failure) {
        if (isPoolTimerRace(failure)) {
            long n = POOL_TIMER_RACES.incrementAndGet();
            LOG.debug("Connection pool acquisition timer fired after its request was served ({} so far)", n);
            return;
        }
        LOG.error("Unhandled exception", failure);
    }

    static boolean isPoolTimerRace(Throwable failure) {
        if (!(failure instanceof IllegalStateException) || failure.getMessage() == null
                || !failure.getMessage().contains("already complete")) {
            return false;
        }
        for (StackTraceElement frame : failure.getStackTrace()) {
            if (frame.getClassName().startsWith("io.vertx.sqlclient.impl.pool.SqlConnectionPool")) {
                return true;
            }
        }
        return false;
    }
}
