package io.hanzo.kms.scim.store.pg;

import io.hanzo.kms.scim.it.EarlierDatabase;
import io.hanzo.kms.scim.ops.StartupFailure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * A database that a release migrated with an earlier text of a migration edited since starts today's
 * server: it gets what the edit added, and its schema and history end as a new database's.
 */
class EditedMigrationsIT {
    private static final String ORG = "'a0000000-0000-0000-0000-000000000001'";
    private static final String USER = "'b0000000-0000-0000-0000-000000000001'";
    private static final String INVITATION = "'c0000000-0000-0000-0000-000000000001'";

    @ParameterizedTest
    @CsvSource({"4c96bc8, 2", "4f630aa, 3", "96a7f2b, 4", "66320c4, 5", "aad64f7, 6"})
    void aDatabaseMigratedByAnEarlierTextIsBroughtUpToDate(String commit, String version) throws Exception {
        List<String> freshSchema;
        List<String> freshHistory;
        try (EarlierDatabase fresh = EarlierDatabase.create("kms_edited_fresh")) {
            DatabaseSetup.migrate(fresh.target);
            freshSchema = fresh.schema();
            freshHistory = fresh.history();
        }
        try (EarlierDatabase db = EarlierDatabase.create("kms_edited_" + commit).migratedBy(commit, version)) {
            db.execute("INSERT INTO organizations (id, name, plan, scim_enabled, created_at, updated_at) "
                    + "VALUES (" + ORG + ", 'Earlier', 'pro', true, now(), now())");
            db.execute("INSERT INTO scim_users (org_id, id, user_name, active, attributes, version, created_at, updated_at) "
                    + "VALUES (" + ORG + ", " + USER + ", 'earlier@example.com', true, '{}', 1, now(), now())");
            boolean invitations = Integer.parseInt(version) >= 3;
            if (invitations) {
                db.execute("INSERT INTO invitations (org_id, id, user_id, created_at, delivered_at) VALUES ("
                        + ORG + ", " + INVITATION + ", " + USER + ", now(), '2026-12-01T00:00:00Z')");
            }
            boolean schemaEdited = EditedMigrations.EDITS.stream()
                    .anyMatch(e -> e.version().equals(version) && !e.catchUp().isEmpty());
            assertThat(db.schema().equals(todaysSchemaUpTo(version))).as("the earlier text's schema is today's")
                    .isEqualTo(!schemaEdited);

            DatabaseSetup.migrate(db.target);

            assertThat(db.schema()).isEqualTo(freshSchema);
            assertThat(db.history()).isEqualTo(freshHistory);
            assertThat(db.rows("SELECT user_name FROM scim_users")).containsExactly("earlier@example.com");
            if (invitations) {
                assertThat(db.rows("SELECT extract(epoch FROM sent_at)::bigint FROM invitations WHERE id = " + INVITATION))
                        .containsExactly("1796083200");
            }
        }
    }

    /** A database that today's texts migrated up to {@code version}: what the earlier text differs from. */
    private static List<String> todaysSchemaUpTo(String version) throws Exception {
        try (EarlierDatabase today = EarlierDatabase.create("kms_edited_today").migratedBy(null, version)) {
            return today.schema();
        }
    }

    @Test
    void aChecksumNoReleaseHadRefusesNamingTheMigration() throws Exception {
        try (EarlierDatabase db = EarlierDatabase.create("kms_edited_unknown").migratedBy(null, "4")) {
            db.execute("UPDATE flyway_schema_history SET checksum = 12345 WHERE version = '4'");

            Throwable refused = catchThrowable(() -> DatabaseSetup.migrate(db.target));

            assertThat(StartupFailure.oneLine(refused)).isEqualTo("Migration V4 (resource change feed) of this "
                    + "database was applied by a different build of kms-scim, not by this one or a release before "
                    + "it: start the build that migrated the database, or restore it from a backup taken before "
                    + "that build ran (IllegalStateException)");
            assertThat(db.history()).hasSize(4).contains("4 | 12345");
        }
    }

    /**
     * An earlier text that could be caught up, beside a checksum nobody knows: refused before anything
     * is changed, so the build that migrated the database still starts on it.
     */
    @Test
    void aRefusedDatabaseKeepsItsEarlierTextsAsTheyWere() throws Exception {
        try (EarlierDatabase db = EarlierDatabase.create("kms_edited_mixed").migratedBy("aad64f7", "6")) {
            db.execute("UPDATE flyway_schema_history SET checksum = 12345 WHERE version = '4'");
            List<String> history = db.history();
            List<String> schema = db.schema();

            Throwable refused = catchThrowable(() -> DatabaseSetup.migrate(db.target));

            assertThat(StartupFailure.oneLine(refused)).startsWith("Migration V4 (resource change feed) of this "
                    + "database was applied by a different build of kms-scim");
            assertThat(db.history()).isEqualTo(history);
            assertThat(db.schema()).isEqualTo(schema);
            assertThat(db.rows("SELECT count(*) FROM information_schema.columns WHERE table_name = 'invitations' "
                    + "AND column_name = 'delivered_at'")).containsExactly("1");
        }
    }
}
