package io.hanzo.kms.scim.store;

import io.vertx.core.VertxException;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.sqlclient.ClosedConnectionException;
import io.vertx.sqlclient.DatabaseException;

import java.io.IOException;
import java.net.SocketException;
import java.nio.channels.ClosedChannelException;
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
            if (t instanceof ClosedConnectionException || t instanceof ConnectionPoolTooBusyException
                    || t instanceof TimeoutException || socketFailure(t)) {
                return true;
            }
            if (t instanceof DatabaseException d && unavailableState(d.getSqlState())) {
                return true;
            }
            if (t instanceof VertxException && poolMessage(t.getMessage()) || poolWaitTimedOut(t)) {
                return true;
            }
        }
        return false;
    }

    /**
     * A failure of a network connection: refused, reset, closed under the caller. Other I/O failures
     * (a request body that cannot be decoded, a file) say nothing about the database and are not
     * answered 503, lest a bug hide behind "try again later".
     */
    private static boolean socketFailure(Throwable t) {
        return t instanceof SocketException || t instanceof ClosedChannelException
                || t instanceof IOException && thrownBySocket(t);
    }

    /**
     * A reset or a broken pipe comes as a plain IOException (from the JDK's socket channel, or from
     * Netty's native transport), told apart from other I/O failures only by where it was thrown.
     */
    private static boolean thrownBySocket(Throwable t) {
        StackTraceElement[] frames = t.getStackTrace();
        if (frames.length == 0) {
            return t.getClass().getName().startsWith("io.netty.channel.unix.");
        }
        String origin = frames[0].getClassName();
        return origin.startsWith("sun.nio.ch.") || origin.startsWith("io.netty.channel.");
    }

    /**
     * SQLSTATE classes 08 (connection exception), 53 (insufficient resources, such as too many
     * connections) and 57 (operator intervention: shut-down, restart, "cannot connect now").
     */
    private static boolean unavailableState(String state) {
        return state != null && (state.startsWith("08") || state.startsWith("53") || state.startsWith("57"));
    }

    /**
     * A request for a connection of its own (a transaction, {@code getConnection}) that waited the
     * pool's whole connection timeout: the SQL client's pool fails it with a bare "Timeout" of Vert.x's
     * internal stack-less type, neither a VertxException nor a TimeoutException (a lone query that waits
     * as long gets "Timeout waiting for connection"). Every connection busy, or the database taking no
     * new ones: a database outage under load looks like this.
     */
    private static boolean poolWaitTimedOut(Throwable t) {
        return "Timeout".equals(t.getMessage()) && t.getClass().getName().equals("io.vertx.core.impl.NoStackTraceThrowable");
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
