package io.hanzo.kms.scim.store.pg;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.CoreErrorCode;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.exception.FlywayValidateException;
import org.flywaydb.core.api.output.ValidateOutput;
import org.flywaydb.core.api.output.ValidateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Migrations that were edited after a release had applied them. Flyway keeps each applied migration's
 * checksum and refuses to start on a database whose checksum differs from the file's, so a database
 * migrated by a release with an earlier text of one of these would never start again. Start-up
 * first validates what is applied ({@link #check}); when the only differences are earlier texts listed
 * here, the database is given what the later texts added (each step below finds out whether it is still
 * needed, so running it twice is harmless) and the current checksums, in one transaction
 * ({@link #catchUp}), and then migrated as usual.
 *
 * <p>Any other difference (a checksum that is neither current nor listed here) refuses start-up,
 * naming the migration, before anything is changed: the build that migrated the database still starts
 * on it.
 *
 * <p>From now on a migration that has been committed is never edited: a change goes in a new
 * migration. This list is closed.
 */
final class EditedMigrations {
    private static final Logger LOG = LoggerFactory.getLogger(EditedMigrations.class);

    /**
     * One earlier text of a migration that a release shipped: its checksum, the commit that replaced it
     * and why, the current text's checksum, and the statement that gives a database migrated by the
     * earlier text what the current one has (empty when the edit changed no schema).
     */
    record Edit(String version, int earlierChecksum, String editedIn, String why, int checksum, String catchUp) {
    }

    static final List<Edit> EDITS = List.of(
            new Edit("2", -1443335121, "7c061b8", "memberships without foreign keys",
                    1224417230,
                    "ALTER TABLE scim_group_members"
                            + " DROP CONSTRAINT IF EXISTS scim_group_members_org_id_group_id_fkey,"
                            + " DROP CONSTRAINT IF EXISTS scim_group_members_org_id_user_id_fkey"),
            new Edit("3", 1692835296, "0b440a2", "a comment on group_role_mappings", -289797095, ""),
            new Edit("4", 1445307535, "a006291", "an index on resource_changes_pruned.max_xid", -1563906007,
                    "CREATE INDEX IF NOT EXISTS resource_changes_pruned_max_xid ON resource_changes_pruned (max_xid)"),
            new Edit("5", 603321398, "3c41f7a", "IF NOT EXISTS, for an index built beforehand", 1975611632, ""),
            new Edit("6", 915270772, "eeb00d7", "invitations.delivered_at renamed to sent_at", -1558469819,
                    "DO $$ BEGIN"
                            + " IF EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema()"
                            + " AND table_name = 'invitations' AND column_name = 'delivered_at') THEN"
                            + " ALTER TABLE invitations RENAME COLUMN delivered_at TO sent_at;"
                            + " END IF; END $$"));

    /** Taken for the transaction, so that instances starting together bring a database up to date once. */
    private static final long LOCK_KEY = 0x6b6d732d65646974L;

    private EditedMigrations() {
    }

    /**
     * Validates what the database has applied (pending and newer migrations aside). Answers whether
     * it needs {@link #catchUp} first; refuses when anything differs that is not an earlier text listed
     * here, having changed nothing.
     */
    static boolean check(Flyway flyway) {
        ValidateResult result = validate(flyway);
        if (result.validationSuccessful) {
            return false;
        }
        Map<String, Integer> applied = appliedChecksums(flyway);
        boolean onlyEarlierTexts = result.invalidMigrations.stream().allMatch(m -> isEarlierText(m, applied));
        if (!onlyEarlierTexts) {
            throw refusal(result, applied, new FlywayValidateException(result.errorDetails, result.getAllErrorMessages()));
        }
        return true;
    }

    /** Brings the earlier texts listed here up to date, in one transaction. */
    static void catchUp(Flyway flyway) {
        try (Connection c = flyway.getConfiguration().getDataSource().getConnection()) {
            catchUp(c);
        } catch (SQLException e) {
            throw new IllegalStateException("Could not bring migrations edited since an earlier release up to date", e);
        }
    }

    static void catchUp(Connection c) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            catchUpInTransaction(c);
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(autoCommit);
        }
    }

    private static void catchUpInTransaction(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT to_regclass('flyway_schema_history') IS NOT NULL")) {
            rs.next();
            if (!rs.getBoolean(1)) {
                return;
            }
        }
        try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
            lock.setLong(1, LOCK_KEY);
            lock.execute();
        }
        for (Edit edit : EDITS) {
            try (PreparedStatement update = c.prepareStatement(
                    "UPDATE flyway_schema_history SET checksum = ? WHERE version = ? AND checksum = ? AND success")) {
                update.setInt(1, edit.checksum());
                update.setString(2, edit.version());
                update.setInt(3, edit.earlierChecksum());
                if (update.executeUpdate() == 0) {
                    continue;
                }
            }
            if (!edit.catchUp().isEmpty()) {
                try (Statement s = c.createStatement()) {
                    s.execute(edit.catchUp());
                }
            }
            LOG.info("Migration V{}, applied as released before {}, brought up to date: {}",
                    edit.version(), edit.editedIn(), edit.why());
        }
    }

    /**
     * What start-up says when {@code flyway} refused the database: Flyway's own message does not name
     * the migration.
     */
    static RuntimeException refusal(Flyway flyway, FlywayValidateException failure) {
        try {
            return refusal(validate(flyway), appliedChecksums(flyway), failure);
        } catch (FlywayException | IllegalStateException e) {
            return failure;
        }
    }

    /** Flyway's validation of what is applied already; pending and newer ones aside. */
    static ValidateResult validate(Flyway flyway) {
        return Flyway.configure().configuration(flyway.getConfiguration())
                .ignoreMigrationPatterns("*:pending", "*:future")
                .load()
                .validateWithResult();
    }

    /**
     * {@code failure}, or, when a migration's checksum is neither the current one nor an earlier text
     * listed here, a refusal that names it: another build (a branch, a local change) migrated the
     * database.
     */
    static RuntimeException refusal(ValidateResult result, Map<String, Integer> applied, RuntimeException failure) {
        List<String> changed = result.invalidMigrations.stream()
                .filter(m -> m.errorDetails != null && m.errorDetails.errorCode == CoreErrorCode.CHECKSUM_MISMATCH)
                .filter(m -> !isEarlierText(m, applied))
                .map(m -> "V" + m.version + " (" + m.description + ")")
                .toList();
        if (changed.isEmpty()) {
            return failure;
        }
        return new IllegalStateException("Migration " + String.join(", ", changed) + " of this database was "
                + "applied by a different build of kms-scim, not by this one or a release before it: start the "
                + "build that migrated the database, or restore it from a backup taken before that build ran");
    }

    private static boolean isEarlierText(ValidateOutput m, Map<String, Integer> applied) {
        return m.errorDetails != null && m.errorDetails.errorCode == CoreErrorCode.CHECKSUM_MISMATCH
                && EDITS.stream().anyMatch(e -> e.version().equals(m.version)
                && Integer.valueOf(e.earlierChecksum()).equals(applied.get(m.version)));
    }

    /** The checksum each successful migration was applied with, by version. */
    private static Map<String, Integer> appliedChecksums(Flyway flyway) {
        Map<String, Integer> out = new HashMap<>();
        try (Connection c = flyway.getConfiguration().getDataSource().getConnection();
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT version, checksum FROM flyway_schema_history "
                     + "WHERE success AND version IS NOT NULL AND checksum IS NOT NULL")) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getInt(2));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not read the database's migration history", e);
        }
        return out;
    }
}
