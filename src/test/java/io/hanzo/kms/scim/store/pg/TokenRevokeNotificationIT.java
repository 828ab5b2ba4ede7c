package io.hanzo.kms.scim.store.pg;

import static io.hanzo.kms.scim.store.pg.StoreFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.hanzo.kms.scim.admin.ScimToken;
import io.hanzo.kms.scim.it.TestServer;
import io.hanzo.kms.scim.store.Ids;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** A revocation tells the other instances only when it revoked a token: an unknown id changes nothing. */
class TokenRevokeNotificationIT {
    @Test
    void revokingAnIdNoTokenHasTellsNoInstance() throws Exception {
        try (StoreFixture f = StoreFixture.open(2, "Revocations")) {
            PgTokenStore store = new PgTokenStore(f.pool);
            ScimToken token = await(store.insert(new ScimToken(f.org, Ids.newId(), new byte[32], "real", Instant.now(),
                    null, null, null)));
            DatabaseTarget target = TestServer.database();
            try (Connection listener = DriverManager.getConnection(target.jdbcUrl(), target.user(), target.password())) {
                try (Statement s = listener.createStatement()) {
                    s.execute("LISTEN " + AdminChangeFeed.CHANNEL);
                }
                UUID unknown = Ids.newId();
                assertThat(await(store.revoke(f.org, unknown, Instant.now()))).isFalse();
                assertThat(await(store.revoke(f.org, token.id(), Instant.now()))).isTrue();

                // Delivered in the order of the commits: once the real one's has come, so had the other's.
                List<String> heard = new ArrayList<>();
                long deadline = System.nanoTime() + 30_000_000_000L;
                while (!heard.contains(AdminChangeFeed.token(f.org, token.id()))) {
                    assertThat(System.nanoTime()).as("the revocation is heard").isLessThan(deadline);
                    PGNotification[] got = listener.unwrap(PGConnection.class).getNotifications(500);
                    for (PGNotification n : got == null ? new PGNotification[0] : got) {
                        heard.add(n.getParameter());
                    }
                }
                assertThat(heard).containsExactly(AdminChangeFeed.token(f.org, token.id()));
            }
        }
    }
}
