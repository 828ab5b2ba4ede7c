package io.hanzo.kms.scim.fuzz;

import io.hanzo.kms.scim.chaos.PlainHttp;
import io.hanzo.kms.scim.it.TestServer;
import io.hanzo.kms.scim.store.pg.DatabaseTarget;

import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;

/**
 * Everything an organisation holds, as the database stores it and as the API (the in-memory index)
 * shows it, in a form two states can be compared by: users, groups, memberships and invitations.
 */
final class OrgState implements AutoCloseable {
    private static final String DIGEST = "SELECT md5("
            + "coalesce((SELECT string_agg(id::text || '|' || user_name || '|' || coalesce(external_id, '') || '|' || active "
            + "|| '|' || attributes::text || '|' || version || '|' || setup_state, ',' ORDER BY id) "
            + "FROM scim_users WHERE org_id = $1), '') || '#' "
            + "|| coalesce((SELECT string_agg(id::text || '|' || display_name || '|' || attributes::text || '|' || version, ',' "
            + "ORDER BY id) FROM scim_groups WHERE org_id = $1), '') || '#' "
            + "|| coalesce((SELECT string_agg(group_id::text || ':' || user_id::text, ',' ORDER BY group_id, user_id) "
            + "FROM scim_group_members WHERE org_id = $1), '') || '#' "
            + "|| coalesce((SELECT string_agg(id::text || coalesce(voided_at::text, ''), ',' ORDER BY id) "
            + "FROM invitations WHERE org_id = $1), ''))";

    /** A state: the database digest and the API's lists. */
    record Snapshot(String database, String users, String groups) {
    }

    private final Connection connection;
    private final PreparedStatement digest;
    private final PlainHttp http;
    private final UUID orgId;
    private final String token;

    OrgState(PlainHttp http, String orgId, String token) throws SQLException {
        DatabaseTarget db = TestServer.database();
        this.connection = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
        this.digest = connection.prepareStatement(DIGEST.replace("$1", "?::uuid"));
        this.http = http;
        this.orgId = UUID.fromString(orgId);
        this.token = token;
    }

    /** The digest of what the database holds for the organisation. */
    String database() throws SQLException {
        for (int i = 1; i <= 4; i++) {
            digest.setString(i, orgId.toString());
        }
        try (ResultSet rs = digest.executeQuery()) {
            rs.next();
            return rs.getString(1);
        }
    }

    Snapshot take() throws SQLException, IOException, InterruptedException {
        String db = database();
        PlainHttp.Response users = http.send("GET", "/api/v1/scim/Users?count=1000", token, null);
        PlainHttp.Response groups = http.send("GET", "/api/v1/scim/Groups?count=1000", token, null);
        if (users.status() != 200 || groups.status() != 200) {
            throw new IllegalStateException("Listing failed: " + users.status() + " " + groups.status());
        }
        return new Snapshot(db, users.text(), groups.text());
    }

    @Override
    public void close() throws SQLException {
        connection.close();
    }
}
