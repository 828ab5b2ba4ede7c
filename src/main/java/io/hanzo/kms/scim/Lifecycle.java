package io.hanzo.kms.scim;

import io.hanzo.kms.scim.config.AppConfig;
import io.hanzo.kms.scim.ops.StartupAbort;
import io.hanzo.kms.scim.ops.StartupFailure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The server's life in this JVM. A stop asked for at any time ends it cleanly: while it runs, the
 * orderly stop; while it is still starting, start-up gives up and closes what it opened, so that no
 * embedded PostgreSQL outlives the JVM and the next start finds its data directory free (unless a step
 * that cannot be cut outlasts the wait below).
 */
final class Lifecycle {
    /**
     * How long a stop waits for start-up to give up. Its slowest step that cannot be cut (the embedded
     * PostgreSQL starting, a migration) normally takes seconds; the JVM exits after this all the same.
     */
    private static final Duration START_WIND_DOWN = Duration.ofSeconds(20);

    /** Made after the log format is chosen. */
    private final Logger log = LoggerFactory.getLogger(Lifecycle.class);
    private final StartupAbort abort = new StartupAbort();
    private final CountDownLatch settled = new CountDownLatch(1);
    private volatile Application app;

    /**
     * Starts the server. False when a stop came first and start-up gave up (logged here, before the
     * waiting stop lets the JVM exit).
     */
    boolean start(AppConfig config) throws Exception {
        try {
            app = Application.start(config, null, abort);
            return true;
        } catch (Exception e) {
            if (!abort.isRequested()) {
                throw e;
            }
            if (e instanceof StartupAbort.Aborted) {
                log.info("kms-scim did not finish starting: {}", e.getMessage());
            } else {
                // Perhaps the stop's doing (a pool closed under a step), perhaps not: said, not hidden.
                log.warn("kms-scim was stopped while starting, and start-up failed: {}", StartupFailure.oneLine(e));
            }
            return false;
        } finally {
            settled.countDown();
        }
    }

    /** The orderly stop, or start-up given up; for the shutdown hook. */
    void stop() {
        abort.request();
        try {
            if (!settled.await(START_WIND_DOWN.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("Start-up did not stop within {} s; exiting without it", START_WIND_DOWN.toSeconds());
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        Application running = app;
        if (running != null) {
            running.stop();
        }
    }
}
