package io.hanzo.kms.scim.store.pg;

import io.hanzo.kms.scim.it.TestServer;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The server's connections keep every statement it runs prepared, the longest included: a statement
 * the client does not cache is sent unnamed, and PostgreSQL then parses and plans it again on each
 * execution, whatever plan_cache_mode says.
 */
@ExtendWith(VertxExtension.class)
class PreparedStatementCacheIT {

    @Test
    void aStatementLongerThanAnyOfTheServersStaysPreparedOnItsConnection(Vertx vertx, VertxTestContext test) {
        int longest = longestStatement();
        assertThat(longest).as("the longest statement of Sql").isGreaterThan(2_048);
        // Runs like any statement of the server, and is longer than each of them.
        String sql = "SELECT $1::int AS n /* " + "x".repeat(longest) + " */";
        Pool pool = DatabaseSetup.pool(vertx, TestServer.database(), 1);
        pool.withConnection(conn -> conn.preparedQuery(sql).execute(Tuple.of(1))
                        .compose(first -> conn.preparedQuery(sql).execute(Tuple.of(2)))
                        .compose(second -> conn.preparedQuery(
                                        "SELECT count(*), coalesce(sum(generic_plans + custom_plans), 0) "
                                                + "FROM pg_prepared_statements WHERE statement = $1")
                                .execute(Tuple.of(sql))))
                .onComplete(test.succeeding(rows -> test.verify(() -> {
                    Row row = rows.iterator().next();
                    assertThat(row.getLong(0)).as("prepared statements of that text on the connection").isEqualTo(1);
                    assertThat(row.getLong(1)).as("executions of the one prepared statement").isEqualTo(2);
                    pool.close().onComplete(test.succeedingThenComplete());
                })));
    }

    /** The length of the longest SQL text the server runs. */
    private static int longestStatement() {
        int longest = 0;
        for (Field f : Sql.class.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
                try {
                    f.setAccessible(true);
                    longest = Math.max(longest, ((String) f.get(null)).length());
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return longest;
    }
}
