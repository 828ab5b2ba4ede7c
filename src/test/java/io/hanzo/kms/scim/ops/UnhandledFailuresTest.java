package io.hanzo.kms.scim.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class UnhandledFailuresTest {

    @Test
    void thePoolTimerRaceIsCountedNotReportedAsAnError() {
        IllegalStateException race = failure("Promise already completed",
                "io.vertx.core.Promise", "io.vertx.sqlclient.impl.pool.SqlConnectionPool$1PoolRequest");
        assertTrue(UnhandledFailures.isPoolTimerRace(race));
        long before = UnhandledFailures.poolTimerRaces();
        UnhandledFailures.report(race);
        assertEquals(before + 1, UnhandledFailures.poolTimerRaces());
    }

    @Test
    void anythingElseIsAnError() {
        IllegalStateException elsewhere = failure("Promise already completed",
                "io.vertx.core.Promise", "io.hanzo.kms.scim.service.GroupService");
        assertFalse(UnhandledFailures.isPoolTimerRace(elsewhere));
        assertFalse(UnhandledFailures.isPoolTimerRace(failure("something else broke",
                "io.vertx.sqlclient.impl.pool.SqlConnectionPool")));
        assertFalse(UnhandledFailures.isPoolTimerRace(new NullPointerException("already complete")));
        long before = UnhandledFailures.poolTimerRaces();
        UnhandledFailures.report(elsewhere);
        assertEquals(before, UnhandledFailures.poolTimerRaces());
    }

    private static IllegalStateException failure(String message, String... classes) {
        IllegalStateException e = new IllegalStateException(message);
        StackTraceElement[] frames = new StackTraceElement[classes.length];
        for (int i = 0; i < classes.length; i++) {
            frames[i] = new StackTraceElement(classes[i], "run", "X.java", i + 1);
        }
        e.setStackTrace(frames);
        return e;
    }
}
