package io.hanzo.kms.scim.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Two server instances on one database: tokens and organisation switches changed through one are in
 * force on the other at once.
 */
@ExtendWith(VertxExtension.class)
class MultiInstanceIT {
    private static TestServer second;
    private static ApiClient first;
    private static ApiClient other;

    @BeforeAll
    static void start(Vertx vertx) {
        first = new ApiClient(vertx, TestServer.shared().port());
        // Writes the last use of its tokens every second, as it would every tokens.last-used-flush-seconds.
        second = TestServer.start(Map.of("SCIM_TOKENS_LAST_USED_FLUSH_SECONDS", "1"));
        other = new ApiClient(vertx, second.port());
    }

    @AfterAll
    static void stop() {
        first.close();
        other.close();
        second.stop();
    }

    @Test
    void aTokenCreatedOnOneInstanceWorksOnTheOtherAndItsRevocationToo() throws Exception {
        TestOrg org = TestOrg.create(first, "Two instances");
        int status = eventually(() -> other.get(TestOrg.SCIM + "/Users", org.token()).status(), 200);
        assertThat(status).isEqualTo(200);

        String tokenId = first.get("/api/v1/organizations/" + org.id() + "/scim-tokens", TestServer.ADMIN_TOKEN)
                .json().path("tokens").get(0).path("id").asText();
        ApiClient.Response revoked = first.delete("/api/v1/organizations/" + org.id() + "/scim-tokens/" + tokenId,
                TestServer.ADMIN_TOKEN);
        assertThat(revoked.status()).isEqualTo(204);
        status = eventually(() -> other.get(TestOrg.SCIM + "/Users", org.token()).status(), 401);
        assertThat(status).isEqualTo(401);
    }

    /**
     * The admin's token list shows the last use written by any instance: it used to show only what the
     * answering instance had seen, so a token an identity provider used through another looked unused
     * (and might be revoked as such).
     */
    @Test
    void aTokenUsedOnlyOnTheOtherInstanceIsListedAsUsedOnThisOne() throws Exception {
        TestOrg org = TestOrg.create(first, "Used elsewhere");
        Instant before = Instant.now().minusSeconds(1);
        assertThat(eventually(() -> other.get(TestOrg.SCIM + "/Users", org.token()).status(), 200)).isEqualTo(200);
        String tokens = "/api/v1/organizations/" + org.id() + "/scim-tokens";
        Polling.until(Duration.ofSeconds(30), () -> {
            JsonNode listed = first.get(tokens, TestServer.ADMIN_TOKEN).json().path("tokens").get(0);
            assertThat(listed.path("lastUsedAt").isTextual()).as(listed.toString()).isTrue();
            assertThat(Instant.parse(listed.path("lastUsedAt").asText())).isBetween(before, Instant.now());
        });
    }

    @Test
    void switchingScimOffOnOneInstanceRefusesOnTheOther() throws Exception {
        TestOrg org = TestOrg.create(first, "Switch off");
        assertThat(eventually(() -> other.get(TestOrg.SCIM + "/Users", org.token()).status(), 200)).isEqualTo(200);
        ApiClient.Response off = first.patch("/api/v1/organizations/" + org.id(), TestServer.ADMIN_TOKEN,
                "{\"scimEnabled\":false}");
        assertThat(off.status()).isEqualTo(200);
        assertThat(eventually(() -> other.get(TestOrg.SCIM + "/Users", org.token()).status(), 403)).isEqualTo(403);
    }

    /**
     * Mappings changed while the other instance heard nothing (here: written without a notification)
     * are in force there once its listening connection is lost and comes back, as is the default role.
     */
    @Test
    void roleMappingsChangedUnheardAreReloadedWhenTheListeningConnectionComesBack() throws Exception {
        TestOrg org = TestOrg.create(first, "Mappings unheard");
        String path = "/api/v1/organizations/" + org.id() + "/group-role-mappings";
        ApiClient.Response put = first.put(path, TestServer.ADMIN_TOKEN,
                "{\"defaultRole\":\"member\",\"mappings\":[{\"group\":\"Alpha\",\"role\":\"admin\"}]}");
        assertThat(put.status()).as(put.text()).isEqualTo(200);
        Polling.until(Duration.ofSeconds(10), () -> assertThat(other.get(path, TestServer.ADMIN_TOKEN).json())
                .isEqualTo(put.json()));

        try (Connection c = MembershipDb.connect()) {
            c.setAutoCommit(false);
            execute(c, "UPDATE organizations SET default_role = 'viewer', updated_at = updated_at + interval '1 second' "
                    + "WHERE id = ?", org.id());
            execute(c, "DELETE FROM group_role_mappings WHERE org_id = ?", org.id());
            execute(c, "INSERT INTO group_role_mappings (org_id, group_name, role) VALUES (?, 'Zeta', 'no-access')", org.id());
            c.commit();
            try (PreparedStatement stop = c.prepareStatement("SELECT pg_terminate_backend(?)")) {
                stop.setInt(1, second.app().adminChangeFeed().listeningProcessId());
                stop.execute();
            }
            c.commit();
        }
        Polling.until(Duration.ofSeconds(30), () -> {
            JsonNode served = other.get(path, TestServer.ADMIN_TOKEN).json();
            assertThat(served.path("defaultRole").asText()).as(served.toString()).isEqualTo("viewer");
            assertThat(served.path("mappings").toString()).isEqualTo("[{\"group\":\"Zeta\",\"role\":\"no-access\"}]");
        });
    }

    private static void execute(Connection c, String sql, String orgId) throws Exception {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, UUID.fromString(orgId));
            ps.executeUpdate();
        }
    }

    /**
     * Notifications take a few milliseconds to cross, far longer on a loaded machine: the last status
     * seen within the lag bound.
     */
    private static int eventually(Supplier<Integer> status, int wanted) throws InterruptedException {
        long deadline = System.nanoTime() + SharedDirectoryIT.LAG_BOUND.toNanos();
        int last = status.get();
        while (last != wanted && System.nanoTime() < deadline) {
            Thread.sleep(50);
            last = status.get();
        }
        return last;
    }
}
