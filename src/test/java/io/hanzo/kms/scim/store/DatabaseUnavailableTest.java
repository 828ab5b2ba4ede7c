package io.hanzo.kms.scim.store;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hanzo.kms.scim.it.TestServer;
import io.hanzo.kms.scim.store.pg.DatabaseSetup;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxException;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

class DatabaseUnavailableTest {

    @Test
    void connectionFailuresAreUnavailability() {
        assertTrue(DatabaseUnavailable.matches(new ConnectException("Connection refused")));
        assertTrue(DatabaseUnavailable.matches(new SocketException("Connection reset")));
        assertTrue(DatabaseUnavailable.matches(new ClosedChannelException()));
        assertTrue(DatabaseUnavailable.matches(ClosedConnectionException.INSTANCE));
        assertTrue(DatabaseUnavailable.matches(new ConnectionPoolTooBusyException("wait queue full")));
        assertTrue(DatabaseUnavailable.matches(new TimeoutException()));
        assertTrue(DatabaseUnavailable.matches(new VertxException("Timeout waiting for connection", true)));
        assertTrue(DatabaseUnavailable.matches(new CompletionException(new SocketException("Broken pipe"))));
    }

    @Test
    void serverStatesThatMeanComeBackLaterAreUnavailability() {
        assertTrue(DatabaseUnavailable.matches(pg("57P01")));   // admin shutdown
        assertTrue(DatabaseUnavailable.matches(pg("57P03")));   // cannot connect now
        assertTrue(DatabaseUnavailable.matches(pg("53300")));   // too many connections
        assertTrue(DatabaseUnavailable.matches(pg("08006")));   // connection failure
        assertFalse(DatabaseUnavailable.matches(pg("23505")));  // unique violation: a real answer
        assertFalse(DatabaseUnavailable.matches(pg("22P02")));  // bad input: a bug or a 400, not a 503
    }

    @Test
    void ioFailuresOutsideTheSocketAreNotUnavailability() {
        IOException decoding = new IOException("field too long");
        decoding.setStackTrace(new StackTraceElement[]{
                new StackTraceElement("io.netty.handler.codec.http.multipart.HttpPostStandardRequestDecoder", "decode",
                        "HttpPostStandardRequestDecoder.java", 1)});
        assertFalse(DatabaseUnavailable.matches(decoding));
        assertFalse(DatabaseUnavailable.matches(new UncheckedIOException(new IOException("no such file"))));
        assertFalse(DatabaseUnavailable.matches(new IllegalStateException("a bug")));
    }

    @Test
    void aPlainIoExceptionFromTheSocketIsUnavailability() {
        IOException pipe = new IOException("Broken pipe");
        pipe.setStackTrace(new StackTraceElement[]{
                new StackTraceElement("sun.nio.ch.SocketDispatcher", "write0", "SocketDispatcher.java", 1)});
        assertTrue(DatabaseUnavailable.matches(pipe));
    }

    /** A real pool of one connection, held, asked for another: what its wait timeout fails the request with. */
    @Test
    void aRequestThatWaitedThePoolsWholeTimeoutIsUnavailability() throws Exception {
        Vertx vertx = Vertx.vertx();
        Pool pool = DatabaseSetup.pool(vertx, TestServer.database(), 1, 10, 1, 5);
        try {
            SqlConnection held = pool.getConnection().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            // A transaction asks for a connection of its own; a lone query waits in another queue, and
            // each fails the wait in its own way.
            Throwable transaction = waitedOut(pool.withTransaction(c -> c.query("SELECT 1").execute()));
            Throwable query = waitedOut(pool.query("SELECT 1").execute());
            held.close();
            assertTrue(DatabaseUnavailable.matches(transaction), () -> "not taken for unavailability: " + transaction);
            assertTrue(DatabaseUnavailable.matches(query), () -> "not taken for unavailability: " + query);
        } finally {
            pool.close();
            vertx.close();
        }
    }

    private static Throwable waitedOut(Future<?> request) throws Exception {
        return request.map(done -> (Throwable) new AssertionError("it ran while the only connection was held"))
                .otherwise(e -> e).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private static PgException pg(String state) {
        return new PgException("test", "ERROR", state, "detail");
    }
}
