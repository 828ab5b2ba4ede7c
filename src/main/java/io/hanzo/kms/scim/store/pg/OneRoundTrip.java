package io.hanzo.kms.scim.store.pg;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A transaction written to its connection whole: BEGIN, its statements and COMMIT go together, one
 * round trip where waiting for each answer would take one per statement. Its statements cannot use
 * each other's answers, so each must be written to do the right thing whatever the one before it did.
 * Every parameter is bound before BEGIN is sent: nothing can fail on this side between it and COMMIT.
 * When a statement fails, PostgreSQL fails the rest and COMMIT rolls the transaction back; the answer
 * is then that first failure.
 */
final class OneRoundTrip {
    private OneRoundTrip() {
    }

    /** The statements' answers in order, once COMMIT has succeeded. */
    static Future<List<RowSet<Row>>> transaction(Pool pool,
                                                 Function<SqlConnection, List<Future<RowSet<Row>>>> statements) {
        return pool.withConnection(conn -> {
            List<Future<RowSet<Row>>> sent = new ArrayList<>();
            sent.add(conn.query("BEGIN").execute());
            try {
                sent.addAll(statements.apply(conn));
            } catch (RuntimeException e) {
                // Answered, not thrown: a throw here would leave the connection out of the pool, in a transaction.
                return conn.query("ROLLBACK").execute().transform(ignored -> Future.failedFuture(e));
            }
            sent.add(conn.query("COMMIT").execute());
            return Future.join(sent).transform(ar -> {
                for (Future<RowSet<Row>> f : sent) {
                    if (f.failed()) {
                        return Future.failedFuture(f.cause());
                    }
                }
                List<RowSet<Row>> answers = new ArrayList<>(sent.size() - 2);
                for (int i = 1; i < sent.size() - 1; i++) {
                    answers.add(sent.get(i).result());
                }
                return Future.succeededFuture(answers);
            });
        });
    }
}
