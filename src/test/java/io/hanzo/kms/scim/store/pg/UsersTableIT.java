package io.hanzo.kms.scim.store.pg;

import static org.assertj.core.api.Assertions.assertThat;

import io.hanzo.kms.scim.it.TestServer;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;

/** The users table holds only what the server writes: a column nobody keeps current misleads its readers. */
class UsersTableIT {
    @Test
    void everyColumnOfTheUsersTableIsOneTheServerKeeps() throws Exception {
        DatabaseTarget target = TestServer.database();
        DatabaseSetup.migrate(target);
        List<String> columns = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(target.jdbcUrl(), target.user(), target.password());
             PreparedStatement ps = c.prepareStatement("SELECT column_name FROM information_schema.columns "
                     + "WHERE table_schema = current_schema() AND table_name = 'scim_users' ORDER BY column_name");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                columns.add(rs.getString(1));
            }
        }
        // A person's role is worked out from the role mappings when asked for, never stored.
        assertThat(columns).containsExactly("active", "attributes", "created_at", "external_id", "id", "org_id",
                "setup_state", "updated_at", "user_name", "version");
    }
}
