package io.hanzo.kms.scim.store.pg;

import io.hanzo.kms.scim.it.TestServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The stores' tests' database: a pool for the store under test, a JDBC connection to set rows up and
 * read them back, and an organisation of the test's own.
 */
final class StoreFixture implements AutoCloseable {
    final Pool pool;
    final UUID org = UUID.randomUUID();
    private final Vertx vertx;
    private final Connection db;

    private StoreFixture(Vertx vertx, Pool pool, Connection db) {
        this.vertx = vertx;
        this.pool = pool;
        this.db = db;
    }

    static StoreFixture open(int poolSize, String organisation) throws SQLException {
        DatabaseTarget target = TestServer.database();
        DatabaseSetup.migrate(target);
        Vertx vertx = Vertx.vertx();
        StoreFixture f = new StoreFixture(vertx, DatabaseSetup.pool(vertx, target, poolSize),
                DriverManager.getConnection(target.jdbcUrl(), target.user(), target.password()));
        f.update("INSERT INTO organizations (id, name, plan, scim_enabled, created_at, updated_at) "
                + "VALUES (?, ?, 'pro', true, now(), now())", f.org, organisation);
        return f;
    }

    /** A user of the organisation at version 1. */
    UUID user() throws SQLException {
        UUID id = UUID.randomUUID();
        update("INSERT INTO scim_users (org_id, id, user_name, active, attributes, version, created_at, updated_at) "
                + "VALUES (?, ?, ?, true, '{}', 1, now(), now())", org, id, "user-" + id);
        return id;
    }

    void update(String sql, Object... parameters) throws SQLException {
        try (PreparedStatement ps = prepared(sql, parameters)) {
            ps.executeUpdate();
        }
    }

    /** The first column of every row; the statement's first parameter is the organisation, then {@code more}. */
    List<String> strings(String sql, Object... more) throws SQLException {
        Object[] parameters = new Object[more.length + 1];
        parameters[0] = org;
        System.arraycopy(more, 0, parameters, 1, more.length);
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = prepared(sql, parameters); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    /** A count(*) statement's answer, with the parameters of {@link #strings}. */
    long count(String sql, Object... more) throws SQLException {
        return Long.parseLong(strings(sql, more).get(0));
    }

    /** Whether a backend of this database waits for a lock now. */
    boolean someoneWaitsForALock(String statementPart) throws SQLException {
        try (PreparedStatement ps = prepared("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                + "AND query LIKE ?", "%" + statementPart + "%"); ResultSet rs = ps.executeQuery()) {
            return rs.next() && rs.getLong(1) > 0;
        }
    }

    /** The pool's connection (its only one, in the tests that ask) can be had, and is not inside a transaction. */
    static void assertOutsideATransaction(Pool pool) throws Exception {
        // now() is the transaction's start; statement_timestamp() this statement's: they differ inside
        // a transaction begun before this statement.
        RowSet<Row> rs = await(pool.withConnection(conn -> conn.query("SELECT pg_sleep(0.01)").execute()
                .compose(v -> conn.query("SELECT now() = statement_timestamp()").execute())));
        assertThat(rs.iterator().next().getBoolean(0)).as("not inside a transaction").isTrue();
    }

    static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private PreparedStatement prepared(String sql, Object... parameters) throws SQLException {
        PreparedStatement ps = db.prepareStatement(sql);
        for (int i = 0; i < parameters.length; i++) {
            ps.setObject(i + 1, parameters[i]);
        }
        return ps;
    }

    @Override
    public void close() throws Exception {
        db.close();
        await(pool.close());
        await(vertx.close());
    }
}
