package io.hanzo.kms.scim.it;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * People provisioned before invitations were kept (before migration V3) are invited by the upgrade as
 * if just provisioned: the active ones at once, an inactive one once the identity provider activates
 * them; each once.
 */
@ExtendWith(VertxExtension.class)
class UpgradeFromBeforeInvitationsIT {
    /** Fifteen delivery rounds at 100 ms: long enough for a second delivery to show. */
    private static final Duration SETTLE = Duration.ofMillis(1500);

    @Test
    void theUpgradeInvitesPeopleProvisionedBeforeInvitations(Vertx vertx) throws Exception {
        UUID org = UUID.randomUUID();
        String run = org.toString().substring(0, 8);
        String alice = run + "-alice@before.example";
        String bob = run + "-bob@before.example";
        String carol = run + "-carol@before.example";
        UUID carolId = UUID.randomUUID();
        InvitationLog log = InvitationLog.install();
        Path dataDir = Files.createTempDirectory("kms-scim-before-invitations");
        // V1 and V2 are today's texts as the release of 6e114cf, the last before V3, shipped them.
        try (EarlierDatabase db = EarlierDatabase.create("kms_before_invitations").migratedBy(null, "2")) {
            db.execute("INSERT INTO organizations (id, name, plan, scim_enabled, created_at, updated_at) "
                    + "VALUES ('" + org + "', 'Before invitations', 'enterprise', true, now(), now())");
            insertUser(db, org, UUID.randomUUID(), alice, true);
            insertUser(db, org, UUID.randomUUID(), bob, true);
            insertUser(db, org, carolId, carol, false);

            TestServer server = TestServer.start(db.target, dataDir, Map.of("SCIM_INVITATIONS_POLL_MILLIS", "100"));
            ApiClient client = new ApiClient(vertx, server.port());
            try {
                log.awaitFirst(alice);
                log.awaitFirst(bob);
                log.assertSettledAt(alice, 1, SETTLE);
                log.assertSettledAt(bob, 1, SETTLE);
                assertThat(log.count(carol)).as("an inactive person is invited once active").isZero();

                ApiClient.Response token = client.post("/api/v1/organizations/" + org + "/scim-tokens",
                        TestServer.ADMIN_TOKEN, "{\"description\":\"upgrade\",\"ttlDays\":1}");
                assertThat(token.status()).as(token.text()).isEqualTo(201);
                ApiClient.Response activated = client.patch(ScimChecks.USERS + "/" + carolId,
                        token.json().get("token").asText(),
                        ScimChecks.patchOps("{\"op\":\"replace\",\"path\":\"active\",\"value\":true}"));
                assertThat(activated.status()).as(activated.text()).isEqualTo(200);
                log.awaitFirst(carol);
                log.assertSettledAt(carol, 1, SETTLE);
                log.assertSettledAt(alice, 1, Duration.ZERO);
            } finally {
                client.close();
                server.stop();
            }
        } finally {
            log.uninstall();
            TempDirectories.delete(dataDir);
        }
    }

    private static void insertUser(EarlierDatabase db, UUID org, UUID id, String userName, boolean active)
            throws Exception {
        db.execute("INSERT INTO scim_users (org_id, id, user_name, active, attributes, version, created_at, updated_at) "
                + "VALUES ('" + org + "', '" + id + "', '" + userName + "', " + active + ", jsonb_build_object('schemas', "
                + "jsonb_build_array('" + ScimChecks.CORE + "'), 'userName', '" + userName + "', 'active', " + active
                + "), 1, now(), now())");
    }
}
