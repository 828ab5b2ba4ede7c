package io.hanzo.kms.scim.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.hanzo.kms.scim.store.pg.DatabaseSetup;
import io.hanzo.kms.scim.store.pg.DatabaseTarget;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Set-up links are live credentials, and only their hash is stored. Without SMTP and without
 * {@code invitations.log-links=true} nothing could deliver them: the invitations wait in the outbox,
 * unclaimed and counted by the backlog gauge, the log never shows a link, and they go out once an
 * instance with a relay starts. (They used to be marked sent after a log line without the link: lost
 * for good, the person invited for ever, the gauge at 0.) The servers run on a database of their own,
 * which no server of another test class delivers.
 */
@ExtendWith(VertxExtension.class)
class InvitationLogSecrecyIT {
    private static final String WAITING = "invitations are not sent; they wait in the outbox";
    /** The recipients of the mails the relay received, as the RCPT commands named them. */
    private static final List<String> RECEIVED = new CopyOnWriteArrayList<>();
    private static InvitationLog log;
    private static Path dir;
    private static DatabaseTarget db;
    private static NetServer relay;

    @BeforeAll
    static void start(Vertx vertx) throws IOException {
        log = InvitationLog.install();
        dir = Files.createTempDirectory("kms-scim-no-relay");
        db = DatabaseSetup.startEmbedded(dir.resolve("postgres"), 0);
        relay = ApiClient.await(vertx.createNetServer().connectHandler(InvitationLogSecrecyIT::session).listen(0, "127.0.0.1"));
    }

    @AfterAll
    static void stop() throws Exception {
        ApiClient.await(relay.close());
        log.uninstall();
        db.embedded().close();
        TempDirectories.delete(dir);
    }

    /** A plain relay that accepts every message. */
    private static void session(NetSocket socket) {
        boolean[] inData = {false};
        socket.handler(RecordParser.newDelimited("\r\n", (Buffer b) -> {
            String line = b.toString(StandardCharsets.UTF_8);
            if (inData[0]) {
                if (line.equals(".")) {
                    inData[0] = false;
                    socket.write("250 queued\r\n");
                }
            } else if (line.startsWith("EHLO")) {
                socket.write("250-relay.test greets you\r\n250 8BITMIME\r\n");
            } else if (line.startsWith("RCPT TO:")) {
                RECEIVED.add(line.substring("RCPT TO:".length()));
                socket.write("250 ok\r\n");
            } else if (line.equals("DATA")) {
                inData[0] = true;
                socket.write("354 go ahead\r\n");
            } else if (line.equals("QUIT")) {
                socket.write("221 bye\r\n").onComplete(v -> socket.close());
            } else {
                socket.write("250 ok\r\n");
            }
        }));
        socket.write("220 relay.test ESMTP\r\n");
    }

    @Test
    void withoutRelayOrLoggedLinksInvitationsWaitUnclaimedAndGoOutOnceARelayIsConfigured(Vertx vertx) throws Exception {
        int managementPort = TestServer.freePort();
        TestServer quiet = TestServer.start(db, dir, Map.of("SCIM_INVITATIONS_LOG_LINKS", "false",
                "SCIM_INVITATIONS_POLL_MILLIS", "100", "SCIM_MANAGEMENT_PORT", Integer.toString(managementPort),
                "SCIM_METRICS_OUTBOX_BACKLOG_SECONDS", "1"));
        ApiClient client = new ApiClient(vertx, quiet.port());
        ApiClient management = new ApiClient(vertx, managementPort);
        TestOrg org;
        String userId;
        try {
            assertThat(log.lines().stream().filter(l -> l.contains(WAITING)).toList())
                    .as("the start-up warning").singleElement().satisfies(l -> assertThat(l).contains("WARN"));
            org = TestOrg.create(client, "Quiet Log Org");
            ApiClient.Response created = client.post(TestOrg.SCIM + "/Users", org.token(),
                    "{\"userName\":\"quiet\",\"emails\":[{\"value\":\"quiet-log@example.com\",\"primary\":true}]}");
            assertThat(created.status()).as(created.text()).isEqualTo(201);
            userId = created.json().get("id").asText();

            // The gauge is measured every second here; once it counts the invitation, the outbox has
            // two more seconds (twenty polls) in which to claim or send it, and the gauge still counts it.
            Polling.until(Duration.ofSeconds(60), () -> assertThat(management.get("/metrics", null).text())
                    .contains("kms_scim_invitation_outbox_backlog 1.0"));
            InvitationLog.pause(Duration.ofSeconds(2));
            assertThat(management.get("/metrics", null).text()).contains("kms_scim_invitation_outbox_backlog 1.0");
            List<MembershipDb.Invitation> waiting = MembershipDb.invitations(db, org.id(), userId);
            assertThat(waiting).singleElement().satisfies(i -> {
                assertThat(i.deliveredAt()).as("sent_at").isNull();
                assertThat(i.tokenHash()).as("a set-up token minted by a claim").isNull();
            });
            // No token was minted, so none can be in the log; the log is the JVM's, which other test
            // classes' servers (delivering to the log) share, so only this person's lines are this server's.
            assertThat(log.lines()).noneMatch(l -> l.contains("quiet-log@example.com"));
        } finally {
            client.close();
            management.close();
            quiet.stop();
        }

        TestServer sending = TestServer.start(db, dir, Map.of("SCIM_SMTP_HOST", "127.0.0.1",
                "SCIM_SMTP_PORT", Integer.toString(relay.actualPort()), "SCIM_SMTP_STARTTLS", "off",
                "SCIM_INVITATIONS_POLL_MILLIS", "100"));
        try {
            Polling.until(Duration.ofSeconds(30), () -> assertThat(RECEIVED).contains("<quiet-log@example.com>"));
            Polling.until(Duration.ofSeconds(10), () -> assertThat(MembershipDb.invitations(db, org.id(), userId))
                    .singleElement().satisfies(i -> assertThat(i.deliveredAt()).as("sent_at").isNotNull()));
        } finally {
            sending.stop();
        }
        assertThat(log.anyLineContains(org.token())).isFalse();
        assertThat(log.anyLineContains(TestServer.ADMIN_TOKEN)).isFalse();
    }
}
