package io.hanzo.kms.scim.store.pg;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Transactions whose statements are written to the connection together rather than each after the
 * answer to the one before: one round trip, or two for writes whose record depends on what they
 * changed. Statements sent together cannot use each other's answers, so each must be written to do
 * the right thing whatever the one before it did, and every parameter is bound before BEGIN is sent.
 * When a statement fails in PostgreSQL, the rest of the transaction fails with it and COMMIT rolls it
 * back; the answer is then that first failure. A statement the client refuses before sending it (its
 * parameters do not fit the statement) aborts nothing, and COMMIT, already queued, commits the
 * rest: every statement sent here must be bound as its SQL expects, which the store tests check by
 * running each write. The connection never goes back to the pool inside a transaction.
 */
final class PipelinedTransactions {
    private PipelinedTransactions() {
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
     * BEGIN, the statements and COMMIT in one round trip: when COMMIT has succeeded, the statements'
     * answers in order.
     */
    static Future<List<RowSet<Row>>> oneRoundTrip(Pool pool,
                                                  Function<SqlConnection, List<Future<RowSet<Row>>>> statements) {
        return pool.withConnection(conn -> {
            List<Future<RowSet<Row>>> sent = new ArrayList<>();
            Throwable thrown = begin(conn, statements, sent);
            if (thrown != null) {
                return rollBack(conn, thrown);
            }
            sent.add(conn.query("COMMIT").execute());
            return Future.join(sent).transform(ended -> {
                Throwable failure = firstFailure(sent);
                return failure == null ? Future.succeededFuture(answers(sent, sent.size() - 1))
                        : Future.failedFuture(failure);
            });
        });
    }

    /**
     * One statement after those plan settings ({@link Sql#PLANS_BY_KEY} and the like, which last until
     * the transaction ends), in a transaction of one round trip; the statement's answer.
     */
    static Future<RowSet<Row>> planned(Pool pool, String plans, String sql, Tuple arguments) {
        return oneRoundTrip(pool, conn -> List.of(conn.query(plans).execute(), conn.preparedQuery(sql).execute(arguments)))
                .map(answers -> answers.get(1));
    }

    /**
     * BEGIN and the statements that write ({@code write}) in one round trip; once their answers are
     * in, {@code record} sends the statements that record the write (bound to those answers) and says
     * what to answer, and they go with COMMIT (or ROLLBACK, when there is nothing to record).
     */
    static <T> Future<T> twoRoundTrips(Pool pool, Function<SqlConnection, List<Future<RowSet<Row>>>> write,
                                       BiFunction<SqlConnection, List<RowSet<Row>>, Record<T>> record) {
        return pool.withConnection(conn -> {
            List<Future<RowSet<Row>>> sent = new ArrayList<>();
            Throwable thrown = begin(conn, write, sent);
            if (thrown != null) {
                return rollBack(conn, thrown);
            }
            return Future.join(sent).transform(written -> {
                Throwable failure = firstFailure(sent);
                if (failure != null) {
                    return rollBack(conn, failure);
                }
                Record<T> r;
                try {
                    r = record.apply(conn, answers(sent, sent.size()));
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

    /**
     * Sends BEGIN and the statements into {@code sent}; answers what the statements' function threw,
     * if it did. Answered, not thrown: a throw inside {@code withConnection}'s function would keep the
     * connection out of the pool, inside the transaction.
     */
    private static Throwable begin(SqlConnection conn, Function<SqlConnection, List<Future<RowSet<Row>>>> statements,
                                   List<Future<RowSet<Row>>> sent) {
        sent.add(conn.query("BEGIN").execute());
        try {
            sent.addAll(statements.apply(conn));
            return null;
        } catch (RuntimeException e) {
            return e;
        }
    }

    /** The answers after BEGIN, up to {@code end}. */
    private static List<RowSet<Row>> answers(List<Future<RowSet<Row>>> sent, int end) {
        List<RowSet<Row>> out = new ArrayList<>(end - 1);
        for (int i = 1; i < end; i++) {
            out.add(sent.get(i).result());
        }
        return out;
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
