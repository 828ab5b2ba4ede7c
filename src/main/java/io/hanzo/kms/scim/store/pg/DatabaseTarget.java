package io.hanzo.kms.scim.store.pg;

import io.vertx.pgclient.PgConnectOptions;

/**
 * Where the database is. {@code embedded} is the running embedded server to close at shut-down, or
 * null for an external one.
 */
public record DatabaseTarget(String host, int port, String database, String user, String password,
                             AutoCloseable embedded) {

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
