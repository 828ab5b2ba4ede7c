package io.hanzo.kms.scim.store.pg;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * A transaction in two round trips, for writes whose record depends on what they changed: BEGIN and
 * the statements that write are sent together (none may be bound to another's answer); once their
 * answers are in, the statements that record the write (bound to those answers) go with COMMIT.
 * When a statement fails, or the answers show there is nothing to write (the resource is gone, a
 * version no longer matches), the transaction is rolled back, so the connection never goes back to
 * the pool inside one.
 */
final class TwoRoundTrips {
    private TwoRoundTrips() {
    }

    /** What the second round trip sends before COMMIT, and the write's result once committed. */
    record Record<T>(List<Future<?>> statements, T result, boolean rollBack) {
        static <T> Record<T> commit(List<Future<?>> statements, T result) {
            return new Record<>(statements, result, false);
        }

        /** Nothing to record: what the first round trip wrote is undone. */
        static <T> Record<T> rollBack(T result) {
            return new Record<>(List.of(), result, true);
        }
    }

    /**
     * Runs {@code write} (its statements' answers in order go to {@code record}, which sends the
     * statements that record the write on the same connection and says what to answer).
     */
    static <T> Future<T> transaction(Pool pool, Function<SqlConnection, List<Future<RowSet<Row>>>> write,
                                     BiFunction<SqlConnection, List<RowSet<Row>>, Record<T>> record) {
        return pool.withConnection(conn -> {
            List<Future<RowSet<Row>>> sent = new ArrayList<>();
            sent.add(conn.query("BEGIN").execute());
            try {
                sent.addAll(write.apply(conn));
            } catch (RuntimeException e) {
                // Answered, not thrown: a throw here would leave the connection out of the pool, in a transaction.
                return rollBack(conn, e);
            }
            return Future.join(sent).transform(written -> {
                Throwable failure = firstFailure(sent);
                if (failure != null) {
                    return rollBack(conn, failure);
                }
                List<RowSet<Row>> answers = new ArrayList<>(sent.size() - 1);
                for (int i = 1; i < sent.size(); i++) {
                    answers.add(sent.get(i).result());
                }
                Record<T> r;
                try {
                    r = record.apply(conn, answers);
                } catch (RuntimeException e) {
                    return rollBack(conn, e);
                }
                List<Future<?>> last = new ArrayList<>(r.statements());
                last.add(conn.query(r.rollBack() ? "ROLLBACK" : "COMMIT").execute());
                return Future.join(last).transform(ended -> {
                    Throwable late = firstFailure(last);
                    return late == null ? Future.succeededFuture(r.result()) : Future.failedFuture(late);
                });
            });
        });
    }

    private static <T> Future<T> rollBack(SqlConnection conn, Throwable failure) {
        return conn.query("ROLLBACK").execute().transform(ignored -> Future.failedFuture(failure));
    }

    private static Throwable firstFailure(List<? extends Future<?>> futures) {
        for (Future<?> f : futures) {
            if (f.failed()) {
                return f.cause();
            }
        }
        return null;
    }
}
