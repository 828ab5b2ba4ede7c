package io.hanzo.kms.scim.store.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * The embedded PostgreSQL trusts nobody on this machine: its binaries run from a directory only the
 * server's user can enter, and every connection needs the password kept in a 0600 file beside the
 * database. It used to accept any local connection as superuser (reading token hashes, running
 * programs with COPY ... TO PROGRAM), and to run binaries from a world-writable /tmp/embedded-pg.
 * A database an earlier version made still starts, and from then on needs the password too.
 */
class EmbeddedAccessIT {
    /** Each test's database and its binaries, removed when the test ends. */
    @TempDir
    Path data;

    @Test
    void aNewDatabaseNeedsItsPasswordAndRunsFromAPrivateDirectory() throws Exception {
        Path dir = data.resolve("postgres");
        DatabaseTarget db = DatabaseSetup.startEmbedded(dir, 0);
        try {
            assertRefusedWithoutThePassword(db);
            assertThat(query(db, db.password(), "SELECT current_user")).isEqualTo("postgres");
            Path passwordFile = data.resolve("postgres.password");
            assertThat(Files.readString(passwordFile).strip()).isEqualTo(db.password());
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(passwordFile))).isEqualTo("rw-------");
            assertThat(Files.readString(dir.resolve("pg_hba.conf"))).doesNotContainPattern("(?m)^[^#]*trust");
            assertThat(query(db, db.password(), "SHOW listen_addresses")).isEqualTo("localhost");

            // The running postmaster's binary sits under a directory of this user alone (within this
            // JVM, that of the first embedded database started: the library extracts them once).
            long pid = Long.parseLong(Files.readAllLines(dir.resolve("postmaster.pid")).get(0).trim());
            Path binary = Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "exe"));
            Path privateDir = binary;
            while (privateDir != null && !"postgres-binaries".equals(String.valueOf(privateDir.getFileName()))) {
                privateDir = privateDir.getParent();
            }
            assertThat(privateDir).as("the postgres-binaries directory above %s", binary).isNotNull();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(privateDir))).isEqualTo("rwx------");
            assertThat(Files.getOwner(privateDir)).isEqualTo(Files.getOwner(data));
        } finally {
            db.embedded().close();
        }
        assertARestartKeepsThePassword(dir, db.password(), "SELECT 1", "1");
    }

    @Test
    void aDatabaseOfAnEarlierVersionStartsAndThenNeedsThePassword() throws Exception {
        Path dir = data.resolve("postgres");
        Path serverLog = Files.createDirectory(data.resolve("server-log"));
        try (EmbeddedPostgres old = earlierVersion(dir);
             Connection c = old.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE kept_across_upgrade (v text)");
            s.execute("INSERT INTO kept_across_upgrade VALUES ('still here')");
            // Every statement logged to files of its own, as an operator may have set: the new
            // password must not be among them.
            s.execute("ALTER SYSTEM SET logging_collector = on");
            s.execute("ALTER SYSTEM SET log_directory = '" + serverLog + "'");
            s.execute("ALTER SYSTEM SET log_statement = 'all'");
        }
        assertThat(data.resolve("postgres.password")).doesNotExist();

        DatabaseTarget db = DatabaseSetup.startEmbedded(dir, 0);
        try {
            assertRefusedWithoutThePassword(db);
            assertThat(query(db, db.password(), "SELECT v FROM kept_across_upgrade")).isEqualTo("still here");
            assertThat(Files.readString(data.resolve("postgres.password")).strip()).isEqualTo(db.password());
            String logged = readAll(serverLog);
            assertThat(logged).as("the server's log").contains(" PASSWORD ").doesNotContain(db.password());
        } finally {
            db.embedded().close();
        }
        assertARestartKeepsThePassword(dir, db.password(), "SELECT v FROM kept_across_upgrade", "still here");
    }

    /**
     * An upgrade refused for a migration this version does not know changes nothing the earlier version
     * needs: it starts on the directory again, without a password.
     */
    @Test
    void aRefusedUpgradeLeavesTheDatabaseOfAnEarlierVersionAsItWas() throws Exception {
        Path dir = data.resolve("postgres");
        try (EmbeddedPostgres old = earlierVersion(dir)) {
            Flyway.configure().dataSource(old.getPostgresDatabase()).target("4").load().migrate();
            try (Connection c = old.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
                s.execute("UPDATE flyway_schema_history SET checksum = 12345 WHERE version = '4'");
            }
        }

        assertThatThrownBy(() -> DatabaseSetup.startEmbedded(dir, 0))
                .hasMessageStartingWith("Migration V4 (resource change feed) of this database was applied by a "
                        + "different build of kms-scim");

        assertThat(data.resolve("postgres.password")).doesNotExist();
        try (EmbeddedPostgres old = earlierVersion(dir);
             Connection c = old.getPostgresDatabase().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT max(version::int) FROM flyway_schema_history")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(4);
        }
    }

    /** Started as earlier versions did: initdb's trust for every local connection, no password. */
    private static EmbeddedPostgres earlierVersion(Path dir) throws Exception {
        return EmbeddedPostgres.builder().setDataDirectory(dir).setCleanDataDirectory(false)
                .setOverrideWorkingDirectory(EmbeddedAccess.binaries(dir).toFile()).setRegisterShutdownHook(false)
                .start();
    }

    @Test
    void aDatabaseWhosePasswordFileWasLostStartsWithANewPassword() throws Exception {
        Path dir = data.resolve("postgres");
        Path passwordFile = data.resolve("postgres.password");
        DatabaseTarget first = DatabaseSetup.startEmbedded(dir, 0);
        try (Connection c = DriverManager.getConnection(first.jdbcUrl(), "postgres", first.password());
             Statement s = c.createStatement()) {
            s.execute("CREATE TABLE kept_across_loss AS SELECT 'still here' AS v");
        } finally {
            first.embedded().close();
        }
        // Its volume mounted at the database's directory alone, or that directory restored without it.
        Files.delete(passwordFile);

        DatabaseTarget db = DatabaseSetup.startEmbedded(dir, 0);
        try {
            assertThat(db.password()).isNotEqualTo(first.password());
            assertThat(Files.readString(passwordFile).strip()).isEqualTo(db.password());
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(passwordFile))).isEqualTo("rw-------");
            assertThat(Files.readString(dir.resolve("pg_hba.conf"))).isEqualTo(EmbeddedAccess.HBA);
            assertRefusedWithoutThePassword(db);
            assertThatThrownBy(() -> query(db, first.password(), "SELECT 1")).as("the lost password")
                    .isInstanceOf(SQLException.class).hasMessageContaining("password authentication failed");
            assertThat(query(db, db.password(), "SELECT v FROM kept_across_loss")).isEqualTo("still here");
        } finally {
            db.embedded().close();
        }
        assertARestartKeepsThePassword(dir, db.password(), "SELECT v FROM kept_across_loss", "still here");
    }

    private static void assertARestartKeepsThePassword(Path dir, String password, String sql, String answer)
            throws Exception {
        DatabaseTarget again = DatabaseSetup.startEmbedded(dir, 0);
        try {
            assertThat(again.password()).isEqualTo(password);
            assertRefusedWithoutThePassword(again);
            assertThat(query(again, password, sql)).isEqualTo(answer);
        } finally {
            again.embedded().close();
        }
    }

    private static void assertRefusedWithoutThePassword(DatabaseTarget db) {
        assertThatThrownBy(() -> query(db, null, "SELECT 1")).as("no password").isInstanceOf(SQLException.class);
        assertThatThrownBy(() -> query(db, "postgres", "SELECT 1")).as("a wrong password")
                .isInstanceOf(SQLException.class).hasMessageContaining("password authentication failed");
    }

    private static String readAll(Path dir) throws Exception {
        StringBuilder all = new StringBuilder();
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                all.append(Files.readString(f));
            }
        }
        return all.toString();
    }

    private static String query(DatabaseTarget db, String password, String sql) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", "postgres");
        if (password != null) {
            props.setProperty("password", password);
        }
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), props); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
