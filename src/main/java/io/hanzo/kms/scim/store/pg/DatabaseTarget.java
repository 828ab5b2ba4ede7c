package io.hanzo.kms.scim.store.pg;

import io.vertx.pgclient.PgConnectOptions;

/**
 * Where the database is. {@code embedded} is the running embedded server to close at shut-down (until
 * then started again should it die), or null for an external one.
 */
public record DatabaseTarget(String host, int port, String database, String user, String password,
                             AutoCloseable embedded) {
    /**
     * Statements up to this length stay prepared on their connection. The client's default (2,048
     * characters) left out the longest membership batch: it was sent unnamed, so PostgreSQL parsed
     * and planned its two kilobytes of SQL again on every batch (0.65 ms of the database's CPU each in
     * a large sync). Every statement is a constant of {@link Sql}, so caching all of them is bounded.
     */
    static final int CACHED_STATEMENT_MAX_LENGTH = 64 * 1024;

    public String jdbcUrl() {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    public PgConnectOptions connectOptions() {
        return new PgConnectOptions()
                .setHost(host)
                .setPort(port)
                .setDatabase(database)
                .setUser(user)
                .setPassword(password)
                .setCachePreparedStatements(true)
                .setPreparedStatementCacheMaxSize(256)
                .setPreparedStatementCacheSqlLimit(CACHED_STATEMENT_MAX_LENGTH)
                .setPipeliningLimit(256);
    }

    public static DatabaseTarget fromUrl(String url) {
        PgConnectOptions o = PgConnectOptions.fromUri(url);
        return new DatabaseTarget(o.getHost(), o.getPort(), o.getDatabase(), o.getUser(), o.getPassword(), null);
    }

    @Override
    public String toString() {
        return "postgresql://" + host + ":" + port + "/" + database + (embedded != null ? " (embedded)" : "");
    }
}
