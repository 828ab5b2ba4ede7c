package io.hanzo.kms.scim.it;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.UUID;

/**
 * Writes over JDBC, in a transaction the test controls, what the server writes when a user is created
 * and added to a group: the rows and their change-feed rows. Also reads the feed's tables.
 */
final class FeedSql {
    private FeedSql() {
    }

    /** Assigns the transaction its id now, and answers it. */
    static long takeXid(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_current_xact_id()::text");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return Long.parseLong(rs.getString(1));
        }
    }

    /** A user row alone (no change-feed row): what a server sees only when it loads the organisation. */
    static void insertUser(Connection c, UUID orgId, UUID userId, String userName, String attributes) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO scim_users (org_id, id, user_name, active, attributes, "
                + "version, created_at, updated_at) VALUES (?, ?, ?, true, ?::jsonb, 1, date_trunc('milliseconds', now()), "
                + "date_trunc('milliseconds', now()))")) {
            ps.setObject(1, orgId);
            ps.setObject(2, userId);
            ps.setString(3, userName);
            ps.setString(4, attributes);
            ps.executeUpdate();
        }
    }

    static void createUserAndJoin(Connection c, UUID orgId, UUID userId, String userName, UUID groupId) throws SQLException {
        insertUser(c, orgId, userId, userName, "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],"
                + "\"userName\":\"" + userName + "\",\"active\":true}");
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO resource_changes (org_id, kind, resource_id, version, "
                + "attributes, created_at, updated_at) SELECT org_id, 'user', id, version, attributes, created_at, updated_at "
                + "FROM scim_users WHERE org_id = ? AND id = ?")) {
            ps.setObject(1, orgId);
            ps.setObject(2, userId);
            ps.executeUpdate();
        }
        long version;
        String groupAttributes;
        Timestamp created;
        Timestamp updated;
        try (PreparedStatement ps = c.prepareStatement("UPDATE scim_groups SET version = version + 1, "
                + "updated_at = date_trunc('milliseconds', now()) WHERE org_id = ? AND id = ? "
                + "RETURNING version, attributes::text, created_at, updated_at")) {
            ps.setObject(1, orgId);
            ps.setObject(2, groupId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                version = rs.getLong(1);
                groupAttributes = rs.getString(2);
                created = rs.getTimestamp(3);
                updated = rs.getTimestamp(4);
            }
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO scim_group_members (org_id, group_id, user_id) VALUES (?, ?, ?)")) {
            ps.setObject(1, orgId);
            ps.setObject(2, groupId);
            ps.setObject(3, userId);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO resource_changes (org_id, kind, resource_id, version, "
                + "attributes, created_at, updated_at, added, removed) VALUES (?, 'group', ?, ?, ?::jsonb, ?, ?, ARRAY[?]::uuid[], '{}')")) {
            ps.setObject(1, orgId);
            ps.setObject(2, groupId);
            ps.setLong(3, version);
            ps.setString(4, groupAttributes);
            ps.setTimestamp(5, created);
            ps.setTimestamp(6, updated);
            ps.setObject(7, userId);
            ps.executeUpdate();
        }
    }

    /** How many feed rows the organisation has. */
    static long feedRows(UUID orgId) {
        return count("SELECT count(*) FROM resource_changes WHERE org_id = ?", orgId);
    }

    /** Whether the feed has recorded pruning rows of the organisation. */
    static boolean pruned(UUID orgId) {
        return count("SELECT count(*) FROM resource_changes_pruned WHERE org_id = ?", orgId) > 0;
    }

    private static long count(String sql, UUID orgId) {
        try (Connection c = MembershipDb.connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, orgId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
