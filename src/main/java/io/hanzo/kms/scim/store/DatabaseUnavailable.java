package io.hanzo.kms.scim.store;

import io.vertx.core.VertxException;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.sqlclient.ClosedConnectionException;
import io.vertx.sqlclient.DatabaseException;

import java.io.IOException;
import java.net.ConnectException;
import java.util.Locale;
import java.util.concurrent.TimeoutException;

/**
 * Tells failures that say "the database cannot serve now" (down, restarting, unreachable, or every
 * connection busy and the wait queue full) from everything else. Such a failure is the client's cue to
 * retry later: it is answered 503 with Retry-After, never 500, and changed nothing that was
 * acknowledged.
 */
public final class DatabaseUnavailable {
    /** Seconds a client is asked to wait before retrying. */
    public static final int RETRY_AFTER_SECONDS = 5;

    private DatabaseUnavailable() {
    }

    public static boolean matches(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ConnectException || t instanceof ClosedConnectionException
                    || t instanceof ConnectionPoolTooBusyException || t instanceof TimeoutException
                    || t instanceof IOException) {
                return true;
            }
            if (t instanceof DatabaseException d && unavailableState(d.getSqlState())) {
                return true;
            }
            if (t instanceof VertxException && poolMessage(t.getMessage())) {
                return true;
            }
        }
        return false;
    }

    /**
     * SQLSTATE classes 08 (connection exception), 53 (insufficient resources, such as too many
     * connections) and 57 (operator intervention: shut-down, restart, "cannot connect now").
     */
    private static boolean unavailableState(String state) {
        return state != null && (state.startsWith("08") || state.startsWith("53") || state.startsWith("57"));
    }

    /**
     * The pool's own refusals, and a query sent on a connection that just closed ("Connection is not
     * active now, current status: CLOSED"), carry no dedicated type, only their message.
     */
    private static boolean poolMessage(String message) {
        if (message == null) {
            return false;
        }
        String m = message.toLowerCase(Locale.ROOT);
        return m.contains("timeout waiting for connection") || m.contains("wait queue") || m.contains("pool closed")
                || m.contains("connection refused") || m.contains("connection reset") || m.contains("closed connection")
                || m.contains("connection is not active");
    }
}
