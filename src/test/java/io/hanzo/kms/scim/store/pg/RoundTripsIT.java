package io.hanzo.kms.scim.store.pg;

import io.hanzo.kms.scim.it.TestServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.ExecutionException;

import static io.hanzo.kms.scim.store.pg.StoreFixture.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link PipelinedTransactions#oneRoundTrip} and {@link PipelinedTransactions#twoRoundTrips} send
 * BEGIN themselves, so whatever goes wrong while their statements are being sent, the connection must
 * go back to the pool outside any transaction.
 * The pool here has one connection and gives up waiting for it after 3 s.
 */
class RoundTripsIT {
    private static Vertx vertx;
    private static Pool pool;

    @BeforeAll
    static void start() {
        DatabaseTarget target = TestServer.database();
        vertx = Vertx.vertx();
        pool = DatabaseSetup.pool(vertx, target, 1, 4, 3, 10);
    }

    @AfterAll
    static void stop() throws Exception {
        await(pool.close());
        await(vertx.close());
    }

    @Test
    void aStatementListThatThrowsIsRolledBackAndItsConnectionReturned() throws Exception {
        IllegalStateException thrown = new IllegalStateException("binding failed");
        Future<List<RowSet<Row>>> one = PipelinedTransactions.oneRoundTrip(pool, conn -> {
            conn.query("SELECT 1").execute();
            throw thrown;
        });
        assertThatThrownBy(() -> await(one)).isInstanceOf(ExecutionException.class).hasCause(thrown);
        StoreFixture.assertOutsideATransaction(pool);

        Future<String> two = PipelinedTransactions.twoRoundTrips(pool, conn -> {
            conn.query("SELECT 1").execute();
            throw thrown;
        }, (conn, answers) -> PipelinedTransactions.Record.commit(List.of(), "never"));
        assertThatThrownBy(() -> await(two)).isInstanceOf(ExecutionException.class).hasCause(thrown);
        StoreFixture.assertOutsideATransaction(pool);

        Future<String> record = PipelinedTransactions.twoRoundTrips(pool, conn -> List.of(conn.query("SELECT 1").execute()),
                (conn, answers) -> {
                    throw thrown;
                });
        assertThatThrownBy(() -> await(record)).isInstanceOf(ExecutionException.class).hasCause(thrown);
        StoreFixture.assertOutsideATransaction(pool);
    }

    @Test
    void aRollBackAnswersItsResultAndAFailedStatementItsOwnFailure() throws Exception {
        String answered = await(PipelinedTransactions.<String>twoRoundTrips(pool, conn -> List.of(conn.query("SELECT 1").execute()),
                (conn, answers) -> PipelinedTransactions.Record.rollBack("nothing to record")));
        assertThat(answered).isEqualTo("nothing to record");
        StoreFixture.assertOutsideATransaction(pool);

        Future<List<RowSet<Row>>> failed = PipelinedTransactions.oneRoundTrip(pool, conn -> List.of(
                conn.query("SELECT 1/0").execute(), conn.query("SELECT 1").execute()));
        assertThatThrownBy(() -> await(failed)).hasMessageContaining("division by zero");
        StoreFixture.assertOutsideATransaction(pool);
    }
}
