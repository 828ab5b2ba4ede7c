package io.hanzo.kms.scim.store.pg;

import io.hanzo.kms.scim.config.AppConfig;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.exception.FlywayValidateException;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Blocking start-up steps for the database: start the embedded server when none is configured, and
 * bring the schema up to date with the versioned migrations in {@code db/migration}.
 */
public final class DatabaseSetup {
    private static final Logger LOG = LoggerFactory.getLogger(DatabaseSetup.class);

    /** Settings that make a commit survive kill -9, an operating-system crash and a power cut. */
    static final Map<String, String> DURABLE = Map.of(
            "fsync", "on",
            "synchronous_commit", "on",
            "full_page_writes", "on");

    private DatabaseSetup() {
    }

    /** The configured database, or a started embedded one persisting under {@code data.dir}. */
    public static DatabaseTarget target(AppConfig config) {
        if (!config.databaseUrl().isEmpty()) {
            return DatabaseTarget.fromUrl(config.databaseUrl());
        }
        return startEmbedded(config.dataDir().resolve("postgres"), config.databaseEmbeddedPort());
    }

    /**
     * Starts the embedded PostgreSQL on {@code dir}, creating it at the first start, with its binaries
     * in a directory of the server's user alone and every connection authenticated (see {@link
     * EmbeddedAccess}). A directory without its password file (made by an earlier version, whose
     * connections from this machine needed no password, or one whose file was lost) starts with
     * connections from this machine trusted, is given a new password and then requires it, unless its
     * migrations are refused (then the directory is left as the earlier version needs it). While it
     * runs, a postmaster that dies is started again ({@link EmbeddedSupervisor}); closing the target's
     * {@code embedded} stops it for good.
     */
    public static DatabaseTarget startEmbedded(Path dir, int port) {
        try {
            Files.createDirectories(dir);
            EmbeddedLeftovers.clear(dir);
            boolean fresh = !Files.exists(dir.resolve("postgresql.conf"));
            Path passwordFile = EmbeddedAccess.passwordFile(dir);
            String password = EmbeddedAccess.readPassword(passwordFile);
            if (password == null && fresh) {
                password = EmbeddedAccess.newPassword();
                EmbeddedAccess.writePassword(passwordFile, password);
            }
            boolean passwordLost = password == null && EmbeddedAccess.passwordRequired(dir);
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setDataDirectory(dir)
                    .setCleanDataDirectory(false)
                    .setOverrideWorkingDirectory(EmbeddedAccess.binaries(dir).toFile())
                    // The owner stops it, after the server that uses it.
                    .setRegisterShutdownHook(false)
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .setServerConfig("listen_addresses", "localhost");
            // The library's defaults are for throw-away test databases (no fsync, asynchronous
            // commit). An acknowledged SCIM write must survive a crash or a power cut, so every commit
            // is flushed; group commit keeps that cheap.
            DURABLE.forEach(builder::setServerConfig);
            if (port > 0) {
                builder.setPort(port);
            }
            if (password != null) {
                if (fresh) {
                    // The library's only way to pass initdb an option: the superuser gets its password
                    // as the database is made, so no connection is ever accepted without it.
                    builder.setLocaleConfig("pwfile", passwordFile.toString());
                }
                builder.setConnectConfig("password", password);
            }
            boolean requirePassword = password != null;
            builder.setDataDirectoryCustomizer(d -> writeHba(d.toPath(), requirePassword));
            EmbeddedPostgres pg = builder.start();
            if (password == null) {
                try {
                    refuseUnknownMigrations(new DatabaseTarget("localhost", pg.getPort(), "postgres", "postgres", null,
                            null));
                } catch (RuntimeException e) {
                    try {
                        pg.close();
                    } catch (IOException stopping) {
                        e.addSuppressed(stopping);
                    }
                    throw e;
                }
                password = adoptPassword(pg, dir, passwordFile);
                if (passwordLost) {
                    LOG.warn("The embedded PostgreSQL's password file {} was missing: the superuser was given a new "
                            + "password, kept there. Keep that file on the same volume as {}.", passwordFile, dir);
                } else {
                    LOG.info("Embedded PostgreSQL from an earlier version: connections now need the password kept "
                            + "in {}", passwordFile);
                }
            }
            LOG.info("Embedded PostgreSQL started on port {} with data in {}", pg.getPort(), dir.toAbsolutePath());
            return new DatabaseTarget("localhost", pg.getPort(), "postgres", "postgres", password,
                    EmbeddedSupervisor.watch(pg, dir));
        } catch (IOException e) {
            throw new UncheckedIOException("Embedded PostgreSQL could not start in " + dir, e);
        }
    }

    private static void writeHba(Path dir, boolean requirePassword) {
        try {
            if (requirePassword) {
                EmbeddedAccess.requirePassword(dir);
            } else {
                EmbeddedAccess.trustForOneStart(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write pg_hba.conf in " + dir, e);
        }
    }

    /**
     * A database started without its password file accepts connections from this machine without a
     * password: the superuser is given a new one, kept in {@code passwordFile}, and from then on every
     * connection needs it. Done in that order, a crash at any point leaves a database that the next
     * start opens and finishes. The server gets the password's SCRAM verifier, computed here, never
     * the password itself, which a statement logged by the server (and copied into this one's log)
     * would show.
     */
    private static String adoptPassword(EmbeddedPostgres pg, Path dir, Path passwordFile) throws IOException {
        String password = EmbeddedAccess.newPassword();
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            c.unwrap(PGConnection.class).alterUserPassword("postgres", password.toCharArray(), "scram-sha-256");
            EmbeddedAccess.writePassword(passwordFile, password);
            EmbeddedAccess.requirePassword(dir);
            s.execute("SELECT pg_reload_conf()");
        } catch (SQLException e) {
            throw new IOException("Could not give the embedded PostgreSQL's superuser a password", e);
        }
        return password;
    }

    /** With the defaults' five retries, for a database started by the caller. */
    public static void migrate(DatabaseTarget target) {
        migrate(target, 10, 5);
    }

    /**
     * Brings the schema up to date. A database that accepts the connection but never answers (a
     * stopped server process behind a live socket) fails the attempt after
     * {@code connectTimeoutSeconds} rather than holding start-up without end, and a database that is
     * not up yet (started at the same moment, or restarting) is tried again {@code retries} times before
     * start-up gives up: Flyway waits 1 s, then twice as long each time, so five retries span about half
     * a minute.
     */
    public static void migrate(DatabaseTarget target, int connectTimeoutSeconds, int retries) {
        Flyway flyway = flyway(target, connectTimeoutSeconds, retries);
        if (EditedMigrations.check(flyway)) {
            EditedMigrations.catchUp(flyway);
        }
        try {
            flyway.migrate();
        } catch (FlywayValidateException e) {
            throw EditedMigrations.refusal(flyway, e);
        }
    }

    /**
     * Refuses, as {@link #migrate} would, a database whose applied migrations this version does not
     * know, changing nothing (no pending migration, no catch-up of an edited one, see {@link
     * EditedMigrations}): checked before a start changes what an earlier version needs to start on the
     * same directory, so that a refused upgrade leaves the directory to the earlier version.
     */
    static void refuseUnknownMigrations(DatabaseTarget target) {
        EditedMigrations.check(flyway(target, 10, 0));
    }

    private static Flyway flyway(DatabaseTarget target, int connectTimeoutSeconds, int retries) {
        return Flyway.configure()
                .dataSource(target.jdbcUrl() + "?connectTimeout=" + connectTimeoutSeconds + "&loginTimeout="
                        + connectTimeoutSeconds, target.user(), target.password())
                .connectRetries(retries)
                .locations("classpath:db/migration")
                .cleanDisabled(true)
                .load();
    }


    public static Pool pool(Vertx vertx, DatabaseTarget target, int size) {
        return pool(vertx, target, size, new PoolOptions().getMaxWaitQueueSize(), new PoolOptions().getConnectionTimeout(),
                60);
    }

    /**
     * A pool that never makes a request wait without end: at most {@code maxWaitQueue} requests wait
     * for a connection, none longer than {@code waitTimeoutSeconds}, and a connection attempt to a
     * database that does not answer gives up after {@code connectTimeoutSeconds}. Each of these fails
     * the request, which is then answered 503 (see {@code DatabaseUnavailable}).
     */
    public static Pool pool(Vertx vertx, DatabaseTarget target, int size, int maxWaitQueue, int waitTimeoutSeconds,
                            int connectTimeoutSeconds) {
        return PgBuilder.pool()
                .with(new PoolOptions().setMaxSize(size).setShared(false)
                        .setMaxWaitQueueSize(maxWaitQueue)
                        .setConnectionTimeout(waitTimeoutSeconds).setConnectionTimeoutUnit(TimeUnit.SECONDS))
                .with(new NetClientOptions().setConnectTimeout(connectTimeoutSeconds * 1000))
                .connectingTo(target.connectOptions())
                .using(vertx)
                .build();
    }
}
