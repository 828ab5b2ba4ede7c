package io.hanzo.kms.scim.it;

import io.hanzo.kms.scim.store.pg.DatabaseTarget;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Reads (and, for expiry, edits) the membership tables over JDBC, beside the server under test. */
final class MembershipDb {
    private MembershipDb() {
    }

    /** An invitations row. */
    record Invitation(UUID id, UUID userId, Instant createdAt, byte[] tokenHash, Instant expiresAt, Instant deliveredAt,
                      Instant usedAt, Instant voidedAt) {
    }

    /** An account_keys row; {@code kdfParams} as PostgreSQL renders the jsonb. */
    record AccountKeys(byte[] publicKey, byte[] encryptedPrivateKey, byte[] kdfSalt, String kdfParams, Instant createdAt) {
    }

    /** The scim_users columns of the KMS side. */
    record Member(String setupState, boolean active) {
    }

    static Connection connect() throws SQLException {
        return connect(TestServer.database());
    }

    static Connection connect(DatabaseTarget db) throws SQLException {
        return DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
    }

    /** Runs a statement on {@code c} whose parameters are the organisation's and the user's ids, in that order. */
    static void execute(Connection c, String sql, String orgId, String userId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, UUID.fromString(orgId));
            ps.setObject(2, UUID.fromString(userId));
            ps.executeUpdate();
        }
    }

    /** Waits until a backend waits for a row lock held by another transaction; false after 10 s. */
    static boolean awaitLockWait() throws SQLException, InterruptedException {
        long until = System.nanoTime() + 10_000_000_000L;
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")) {
            while (System.nanoTime() < until) {
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next() && rs.getLong(1) > 0) {
                        return true;
                    }
                }
                Thread.sleep(20);
            }
        }
        return false;
    }

    /** The user's invitations, oldest first. */
    static List<Invitation> invitations(String orgId, String userId) {
        return invitations(TestServer.database(), orgId, userId);
    }

    /** The user's invitations in that database, oldest first. */
    static List<Invitation> invitations(DatabaseTarget db, String orgId, String userId) {
        String sql = "SELECT id, user_id, created_at, token_hash, expires_at, sent_at, used_at, voided_at "
                + "FROM invitations WHERE org_id = ? AND user_id = ? ORDER BY created_at, sent_at NULLS LAST, id";
        try (Connection c = connect(db); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, UUID.fromString(orgId));
            ps.setObject(2, UUID.fromString(userId));
            List<Invitation> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Invitation(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), instant(rs, 3),
                            rs.getBytes(4), instant(rs, 5), instant(rs, 6), instant(rs, 7), instant(rs, 8)));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The user's key material, or null when none is stored. */
    static AccountKeys accountKeys(String orgId, String userId) {
        String sql = "SELECT public_key, encrypted_private_key, kdf_salt, kdf_params::text, created_at "
                + "FROM account_keys WHERE org_id = ? AND user_id = ?";
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, UUID.fromString(orgId));
            ps.setObject(2, UUID.fromString(userId));
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                AccountKeys k = new AccountKeys(rs.getBytes(1), rs.getBytes(2), rs.getBytes(3), rs.getString(4), instant(rs, 5));
                if (rs.next()) {
                    throw new IllegalStateException("More than one account_keys row for " + userId);
                }
                return k;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The member's row, or null when there is none. */
    static Member member(String orgId, String userId) {
        String sql = "SELECT setup_state, active FROM scim_users WHERE org_id = ? AND id = ?";
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, UUID.fromString(orgId));
            ps.setObject(2, UUID.fromString(userId));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new Member(rs.getString(1), rs.getBoolean(2)) : null;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    static int count(String sql, String orgId) {
        return count(TestServer.database(), sql, orgId);
    }

    /** A number the query answers in that database, whose one parameter is the organisation's id. */
    static int count(DatabaseTarget db, String sql, String orgId) {
        try (Connection c = connect(db); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, UUID.fromString(orgId));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    static int userCount(String orgId) {
        return count("SELECT count(*) FROM scim_users WHERE org_id = ?", orgId);
    }

    static int accountKeyCount(String orgId) {
        return count("SELECT count(*) FROM account_keys WHERE org_id = ?", orgId);
    }

    /**
     * Everything stored about one member's set-up, as text: its scim_users state, its invitations and
     * its key material. Equal snapshots mean a request changed none of it.
     */
    static String snapshot(String orgId, String userId) {
        String sql = "SELECT coalesce((SELECT row(u.setup_state, u.active, u.version, u.updated_at)::text FROM scim_users u "
                + "WHERE u.org_id = ? AND u.id = ?), 'no user') || ' | ' "
                + "|| coalesce((SELECT string_agg(i::text, ';' ORDER BY i.id) FROM invitations i "
                + "WHERE i.org_id = ? AND i.user_id = ?), 'no invitations') || ' | ' "
                + "|| coalesce((SELECT k::text FROM account_keys k WHERE k.org_id = ? AND k.user_id = ?), 'no keys')";
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < 3; i++) {
                ps.setObject(2 * i + 1, UUID.fromString(orgId));
                ps.setObject(2 * i + 2, UUID.fromString(userId));
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Moves an invitation's expiry into the past. */
    static void expire(String orgId, UUID invitationId) {
        String sql = "UPDATE invitations SET expires_at = now() - interval '1 minute' WHERE org_id = ? AND id = ?";
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, UUID.fromString(orgId));
            ps.setObject(2, invitationId);
            if (ps.executeUpdate() != 1) {
                throw new IllegalStateException("No invitation " + invitationId);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The tables of the public schema with a row whose text form (bytea columns as hex) contains
     * {@code needle}.
     */
    static List<String> tablesContaining(String needle) {
        List<String> out = new ArrayList<>();
        try (Connection c = connect()) {
            List<String> tables = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT quote_ident(table_name) FROM information_schema.tables "
                    + "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            for (String table : tables) {
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT EXISTS (SELECT 1 FROM public." + table + " r WHERE strpos(r::text, ?) > 0)")) {
                    ps.setString(1, needle);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        if (rs.getBoolean(1)) {
                            out.add(table);
                        }
                    }
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }
}
