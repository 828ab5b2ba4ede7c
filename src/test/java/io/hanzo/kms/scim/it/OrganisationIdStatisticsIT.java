package io.hanzo.kms.scim.it;

import io.hanzo.kms.scim.store.pg.DatabaseSetup;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Migration V12 on a database of the release before it: the organisation id's setting on the four
 * tables, which ANALYZE then uses, and an ANALYZE at once of those that had statistics (on a database
 * of many small organisations, statistics that had taken the organisation id for unique), while a new
 * database's empty tables are left unanalysed.
 */
class OrganisationIdStatisticsIT {
    private static final List<String> TABLES = List.of("scim_users", "scim_groups", "scim_group_members", "invitations");

    @Test
    void upgradingADatabaseOfManySmallOrganisationsStopsTakingTheOrganisationIdForUnique() throws Exception {
        try (EarlierDatabase db = EarlierDatabase.create("kms_many_small_organisations").migratedBy(null, "11");
             Connection c = DriverManager.getConnection(db.target.jdbcUrl(), db.target.user(), db.target.password());
             Statement s = c.createStatement()) {
            s.execute("INSERT INTO organizations (id, name, plan, scim_enabled, created_at, updated_at) "
                    + "SELECT gen_random_uuid(), 'small ' || n, 'pro', true, now(), now() FROM generate_series(1, 2000) AS n");
            s.execute("INSERT INTO scim_users (org_id, id, user_name, active, attributes, version, created_at, updated_at) "
                    + "SELECT id, gen_random_uuid(), 'only', true, '{}', 1, now(), now() FROM organizations");
            s.execute("INSERT INTO scim_groups (org_id, id, display_name, attributes, version, created_at, updated_at) "
                    + "SELECT id, gen_random_uuid(), 'only', '{}', 1, now(), now() FROM organizations");
            s.execute("INSERT INTO scim_group_members (org_id, group_id, user_id) "
                    + "SELECT g.org_id, g.id, u.id FROM scim_groups g JOIN scim_users u ON u.org_id = g.org_id");
            s.execute("INSERT INTO invitations (org_id, id, user_id, created_at) SELECT org_id, gen_random_uuid(), id, now() FROM scim_users");
            s.execute("ANALYZE " + String.join(", ", TABLES));
            // One row per organisation in every table: ANALYZE takes the organisation id for unique.
            assertThat(distinctOrganisations(s)).as("before V12").containsOnly("-1");

            DatabaseSetup.migrate(db.target);

            assertThat(settings(s)).as("the tables' settings").containsOnly("n_distinct=-0.005");
            // Analysed again by the migration: the statistics now say what the setting says.
            assertThat(distinctOrganisations(s)).as("after V12").containsOnly("-0.005");
        }
    }

    @Test
    void aNewDatabaseGetsTheSettingAndIsNotAnalysedEmpty() throws Exception {
        try (EarlierDatabase db = EarlierDatabase.create("kms_new_for_v12").migratedBy(null, "11");
             Connection c = DriverManager.getConnection(db.target.jdbcUrl(), db.target.user(), db.target.password());
             Statement s = c.createStatement()) {
            DatabaseSetup.migrate(db.target);
            assertThat(settings(s)).containsOnly("n_distinct=-0.005");
            // Empty tables left to autovacuum: analysed empty, they would be planned as empty (-1: never
            // analysed, the planner's size then comes from the table's pages).
            assertThat(column(s, "SELECT reltuples::text FROM pg_class WHERE oid IN ("
                    + String.join(", ", TABLES.stream().map(t -> "'" + t + "'::regclass").toList()) + ")", TABLES.size()))
                    .hasSize(TABLES.size()).containsOnly("-1");
        }
    }

    /** pg_stats' n_distinct of org_id in each of the four tables that has statistics. */
    private static List<String> distinctOrganisations(Statement s) throws SQLException {
        return column(s, "SELECT n_distinct::text FROM pg_stats WHERE schemaname = current_schema() AND attname = 'org_id' "
                + "AND tablename IN ('" + String.join("', '", TABLES) + "')", TABLES.size());
    }

    /** The settings of org_id in each of the four tables. */
    private static List<String> settings(Statement s) throws SQLException {
        return column(s, "SELECT unnest(attoptions) FROM pg_attribute WHERE attname = 'org_id' AND attrelid IN ("
                + String.join(", ", TABLES.stream().map(t -> "'" + t + "'::regclass").toList()) + ")", TABLES.size());
    }

    /** The query's first column; {@code expected} rows or none. */
    private static List<String> column(Statement s, String sql, int expected) throws SQLException {
        List<String> out = new ArrayList<>();
        try (ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        assertThat(out).as(sql).satisfiesAnyOf(l -> assertThat(l).hasSize(expected), l -> assertThat(l).isEmpty());
        return out;
    }
}
