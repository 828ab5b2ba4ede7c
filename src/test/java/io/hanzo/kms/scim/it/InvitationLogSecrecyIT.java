package io.hanzo.kms.scim.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Set-up links are live credentials: without SMTP and without {@code invitations.log-links=true}, the
 * log says an invitation is ready but never shows its link, nor any token.
 */
@ExtendWith(VertxExtension.class)
class InvitationLogSecrecyIT {
    private static InvitationLog log;
    private static TestServer server;
    private static ApiClient client;

    @BeforeAll
    static void start(Vertx vertx) {
        log = InvitationLog.install();
        server = TestServer.start(Map.of("SCIM_INVITATIONS_LOG_LINKS", "false", "SCIM_INVITATIONS_POLL_MILLIS", "100"));
        client = new ApiClient(vertx, server.port());
    }

    @AfterAll
    static void stop() {
        client.close();
        server.stop();
        log.uninstall();
    }

    @Test
    void theLogSaysAnInvitationIsReadyWithoutItsLink() throws Exception {
        TestOrg org = TestOrg.create(client, "Quiet Log Org");
        ApiClient.Response created = client.post(TestOrg.SCIM + "/Users", org.token(),
                "{\"userName\":\"quiet\",\"emails\":[{\"value\":\"quiet-log@example.com\",\"primary\":true}]}");
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        String userId = created.json().get("id").asText();

        List<String> lines = List.of();
        for (int i = 0; i < 200 && lines.isEmpty(); i++) {
            Thread.sleep(50);
            lines = log.lines().stream().filter(l -> l.contains("quiet-log@example.com")).toList();
        }
        assertThat(lines).as("a log line for the invitation").isNotEmpty();
        assertThat(lines).allSatisfy(l -> assertThat(l).doesNotContain("kms_setup_").doesNotContain("token="));
        // It was a real invitation, delivered (to the log) with a set-up token. The line is written
        // before the outbox commits sent_at, so the row may say sent a little later.
        Polling.until(Duration.ofSeconds(10), () -> {
            List<MembershipDb.Invitation> invitations = MembershipDb.invitations(org.id(), userId);
            assertThat(invitations).hasSize(1);
            assertThat(invitations.get(0).deliveredAt()).as("sent_at").isNotNull();
        });
        assertThat(log.anyLineContains(org.token())).isFalse();
        assertThat(log.anyLineContains(TestServer.ADMIN_TOKEN)).isFalse();
    }
}
