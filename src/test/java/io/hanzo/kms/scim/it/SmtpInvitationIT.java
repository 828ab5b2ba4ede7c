package io.hanzo.kms.scim.it;

import static org.assertj.core.api.Assertions.assertThat;

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

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/** Invitations sent by SMTP to a relay: a small SMTP server here plays the relay. */
@ExtendWith(VertxExtension.class)
class SmtpInvitationIT {
    /** What the relay received: the envelope recipient and the message. */
    record Mail(String rcpt, String data) {
    }

    private static final List<Mail> RECEIVED = new CopyOnWriteArrayList<>();
    private static NetServer relay;
    private static TestServer server;
    private static ApiClient client;

    @BeforeAll
    static void start(Vertx vertx) {
        relay = ApiClient.await(vertx.createNetServer().connectHandler(SmtpInvitationIT::session).listen(0, "127.0.0.1"));
        server = TestServer.start(Map.of(
                "SCIM_SMTP_HOST", "127.0.0.1",
                "SCIM_SMTP_PORT", Integer.toString(relay.actualPort()),
                "SCIM_SMTP_FROM", "kms@example.com",
                "SCIM_INVITATIONS_POLL_MILLIS", "100"));
        client = new ApiClient(vertx, server.port());
    }

    @AfterAll
    static void stop() {
        client.close();
        server.stop();
        ApiClient.await(relay.close());
    }

    /** A relay that accepts every message and keeps it. */
    private static void session(NetSocket socket) {
        String[] rcpt = {null};
        StringBuilder data = new StringBuilder();
        boolean[] inData = {false};
        RecordParser lines = RecordParser.newDelimited("\r\n", (Buffer b) -> {
            String line = b.toString(StandardCharsets.UTF_8);
            if (inData[0]) {
                if (line.equals(".")) {
                    inData[0] = false;
                    RECEIVED.add(new Mail(rcpt[0], data.toString()));
                    socket.write("250 queued\r\n");
                } else {
                    data.append(line).append('\n');
                }
            } else if (line.startsWith("EHLO")) {
                socket.write("250-relay.test greets you\r\n250 8BITMIME\r\n");
            } else if (line.startsWith("RCPT TO:")) {
                rcpt[0] = line.substring("RCPT TO:".length());
                socket.write("250 ok\r\n");
            } else if (line.equals("DATA")) {
                inData[0] = true;
                socket.write("354 go ahead\r\n");
            } else if (line.equals("QUIT")) {
                socket.write("221 bye\r\n").onComplete(v -> socket.close());
            } else {
                socket.write("250 ok\r\n");
            }
        });
        socket.handler(lines);
        socket.write("220 relay.test ESMTP\r\n");
    }

    @Test
    void aProvisionedPersonGetsOneEmailAtTheirPrimaryAddressWithASetUpLink() throws Exception {
        TestOrg org = TestOrg.create(client, "Mail Org");
        ApiClient.Response created = client.post(TestOrg.SCIM + "/Users", org.token(), """
                {"userName":"mira","emails":[{"value":"other@example.com"},
                 {"value":"mira@example.com","primary":true}]}
                """);
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        Mail mail = null;
        for (int i = 0; i < 100 && mail == null; i++) {
            mail = RECEIVED.stream().filter(m -> "<mira@example.com>".equals(m.rcpt())).findFirst().orElse(null);
            Thread.sleep(50);
        }
        assertThat(mail).as("an email to the primary address").isNotNull();
        assertThat(mail.data()).contains("To: <mira@example.com>").contains("From: <kms@example.com>")
                .containsPattern("/account/setup#token=kms_setup_[A-Za-z0-9_-]{80,}");

        // A PUT of the same person sends nothing new.
        String id = created.json().get("id").asText();
        assertThat(client.put(TestOrg.SCIM + "/Users/" + id, org.token(), "{\"userName\":\"mira\",\"title\":\"CTO\"}")
                .status()).isEqualTo(200);
        Thread.sleep(500);
        assertThat(RECEIVED.stream().filter(m -> "<mira@example.com>".equals(m.rcpt())).count()).isEqualTo(1);
    }
}
