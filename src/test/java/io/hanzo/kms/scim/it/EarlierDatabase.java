package io.hanzo.kms.scim.it;

import io.hanzo.kms.scim.store.pg.DatabaseTarget;
import org.flywaydb.core.Flyway;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A database of the test's own on the tests' embedded server, migrated as an earlier release left it:
 * today's migrations up to a version, with the texts that the release shipped in
 * {@code db/earlier/<commit>} (the files that were edited since) in place of today's.
 */
public final class EarlierDatabase implements AutoCloseable {
    public final DatabaseTarget target;

    private EarlierDatabase(DatabaseTarget target) {
        this.target = target;
    }

    /** An empty database named {@code name}, dropped first if a test run before left it. */
    public static EarlierDatabase create(String name) throws SQLException {
        DatabaseTarget server = TestServer.database();
        try (Connection c = DriverManager.getConnection(server.jdbcUrl(), server.user(), server.password());
             Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            s.execute("CREATE DATABASE " + name);
        }
        return new EarlierDatabase(new DatabaseTarget(server.host(), server.port(), name, server.user(),
                server.password(), null));
    }

    /** Migrated up to {@code version} by the release of {@code commit} (null: by today's texts). */
    public EarlierDatabase migratedBy(String commit, String version) throws IOException, URISyntaxException {
        Path dir = Files.createTempDirectory("kms-scim-earlier");
        try {
            copy(Path.of(getClass().getClassLoader().getResource("db/migration").toURI()), dir);
            if (commit != null) {
                Path earlier = Path.of(getClass().getClassLoader().getResource("db/earlier/" + commit).toURI());
                try (Stream<Path> files = Files.list(earlier)) {
                    for (Path file : files.toList()) {
                        String prefix = file.getFileName().toString().split("__")[0] + "__";
                        try (Stream<Path> today = Files.list(dir)) {
                            for (Path replaced : today.filter(p -> p.getFileName().toString().startsWith(prefix)).toList()) {
                                Files.delete(replaced);
                            }
                        }
                    }
                }
                copy(earlier, dir);
            }
            Flyway.configure()
                    .dataSource(target.jdbcUrl(), target.user(), target.password())
                    .locations("filesystem:" + dir)
                    .target(version)
                    .load()
                    .migrate();
        } finally {
            TempDirectories.delete(dir);
        }
        return this;
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.list(from)) {
            for (Path file : files.toList()) {
                Files.copy(file, to.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(target.jdbcUrl(), target.user(), target.password());
    }

    public void execute(String sql) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /** Each row of the query's answer, its columns joined by " | ". */
    public List<String> rows(String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            int columns = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                List<String> values = new ArrayList<>();
                for (int i = 1; i <= columns; i++) {
                    values.add(rs.getString(i));
                }
                out.add(String.join(" | ", values));
            }
        }
        return out;
    }

    /** Tables' columns, indexes and constraints, in an order that does not depend on how they were made. */
    public List<String> schema() throws SQLException {
        List<String> schema = new ArrayList<>(rows("SELECT table_name, column_name, data_type, is_nullable, column_default "
                + "FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1, 2"));
        schema.addAll(rows("SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1, 2"));
        schema.addAll(rows("SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
                + "WHERE connamespace = 'public'::regnamespace ORDER BY 1, 2"));
        return schema;
    }

    /** Each applied migration's version and checksum, in the order applied. */
    public List<String> history() throws SQLException {
        return rows("SELECT version, checksum FROM flyway_schema_history WHERE version IS NOT NULL ORDER BY installed_rank");
    }

    @Override
    public void close() throws SQLException {
        DatabaseTarget server = TestServer.database();
        try (Connection c = DriverManager.getConnection(server.jdbcUrl(), server.user(), server.password());
             Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + target.database() + " WITH (FORCE)");
        }
    }
}
