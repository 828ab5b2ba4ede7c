package io.hanzo.kms.scim.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.hanzo.kms.scim.admin.InvitationDelivery;
import io.hanzo.kms.scim.admin.SmtpInvitationSender;
import io.hanzo.kms.scim.config.AppConfig;
import io.hanzo.kms.scim.store.pg.DatabaseSetup;
import io.hanzo.kms.scim.store.pg.DatabaseTarget;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SelfSignedCertificate;
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
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Invitations sent by SMTP to a relay: small SMTP servers here play the relay, one plain, one that
 * offers STARTTLS (with a certificate made for the test) and requires AUTH. The servers run on a
 * database of their own: every instance on a database delivers every organisation's outbox (each
 * sweeps them all once a minute), so a server of another test class, which writes its invitations
 * to the log, could otherwise send one of these instead of the relay.
 */
@ExtendWith(VertxExtension.class)
class SmtpInvitationIT {
    private static final String USER = "kms-relay-user";
    private static final String PASSWORD = "relay-secret-Zq7!";

    /** What a relay received: the envelope recipient, the message, and whether the session was encrypted and authenticated. */
    record Mail(String rcpt, String data, boolean tls, String authenticatedAs) {
    }

    private static final List<Mail> RECEIVED = new CopyOnWriteArrayList<>();
    private static final List<String> TLS_COMMANDS = new CopyOnWriteArrayList<>();
    private static final List<NetSocket> STALLED = new CopyOnWriteArrayList<>();
    private static NetServer relay;
    private static NetServer secureRelay;
    private static NetServer loginRelay;
    private static TestServer loginServer;
    private static ApiClient loginClient;
    private static SelfSignedCertificate certificate;
    private static TestServer server;
    private static TestServer secureServer;
    private static ApiClient client;
    private static ApiClient secureClient;
    private static InvitationLog log;
    private static Path dir;
    private static DatabaseTarget db;

    @BeforeAll
    static void start(Vertx vertx) throws IOException {
        log = InvitationLog.install();
        dir = Files.createTempDirectory("kms-scim-smtp");
        db = DatabaseSetup.startEmbedded(dir.resolve("postgres"), 0);
        relay = ApiClient.await(vertx.createNetServer().connectHandler(s -> session(s, false, "")).listen(0, "127.0.0.1"));
        certificate = SelfSignedCertificate.create("localhost");
        secureRelay = ApiClient.await(vertx.createNetServer(new NetServerOptions().setKeyCertOptions(certificate.keyCertOptions()))
                .connectHandler(s -> session(s, true, "LOGIN PLAIN")).listen(0, "127.0.0.1"));
        loginRelay = ApiClient.await(vertx.createNetServer(new NetServerOptions().setKeyCertOptions(certificate.keyCertOptions()))
                .connectHandler(s -> session(s, true, "LOGIN")).listen(0, "127.0.0.1"));
        // The plain relay offers no STARTTLS, which the default (required) insists on.
        server = TestServer.start(db, dir, Map.of(
                "SCIM_SMTP_HOST", "127.0.0.1",
                "SCIM_SMTP_PORT", Integer.toString(relay.actualPort()),
                "SCIM_SMTP_FROM", "kms@example.com",
                "SCIM_SMTP_STARTTLS", "off",
                "SCIM_INVITATIONS_POLL_MILLIS", "100"));
        client = new ApiClient(vertx, server.port());
        secureServer = TestServer.start(db, dir, Map.of(
                "SCIM_SMTP_HOST", "localhost",
                "SCIM_SMTP_PORT", Integer.toString(secureRelay.actualPort()),
                "SCIM_SMTP_FROM", "kms@example.com",
                "SCIM_SMTP_STARTTLS", "required",
                "SCIM_SMTP_USERNAME", USER,
                "SCIM_SMTP_PASSWORD", PASSWORD,
                "SCIM_SMTP_TRUST_FILE", certificate.certificatePath(),
                "SCIM_INVITATIONS_POLL_MILLIS", "100"));
        secureClient = new ApiClient(vertx, secureServer.port());
        loginServer = TestServer.start(db, dir, Map.of(
                "SCIM_SMTP_HOST", "localhost",
                "SCIM_SMTP_PORT", Integer.toString(loginRelay.actualPort()),
                "SCIM_SMTP_FROM", "kms@example.com",
                "SCIM_SMTP_STARTTLS", "optional",
                "SCIM_SMTP_USERNAME", USER,
                "SCIM_SMTP_PASSWORD", PASSWORD,
                "SCIM_SMTP_TRUST_FILE", certificate.certificatePath(),
                "SCIM_INVITATIONS_POLL_MILLIS", "100"));
        loginClient = new ApiClient(vertx, loginServer.port());
    }

    @AfterAll
    static void stop() throws Exception {
        client.close();
        secureClient.close();
        loginClient.close();
        server.stop();
        secureServer.stop();
        loginServer.stop();
        ApiClient.await(loginRelay.close());
        ApiClient.await(relay.close());
        ApiClient.await(secureRelay.close());
        certificate.delete();
        log.uninstall();
        db.embedded().close();
        TempDirectories.delete(dir);
    }

    /**
     * A relay that accepts every message and keeps it. The secure one offers STARTTLS, and after it
     * AUTH with the mechanisms given, and refuses mail before both.
     */
    private static void session(NetSocket socket, boolean secure, String mechanisms) {
        String[] rcpt = {null};
        String[] user = {null};
        StringBuilder data = new StringBuilder();
        String[] state = {"command"};
        RecordParser lines = RecordParser.newDelimited("\r\n", (Buffer b) -> {
            String line = b.toString(StandardCharsets.UTF_8);
            if (socket.isSsl()) {
                TLS_COMMANDS.add(line);
            }
            switch (state[0]) {
                case "data" -> {
                    if (line.equals(".")) {
                        state[0] = "command";
                        RECEIVED.add(new Mail(rcpt[0], data.toString(), socket.isSsl(), user[0]));
                        socket.write("250 queued\r\n");
                    } else {
                        data.append(line).append('\n');
                    }
                    return;
                }
                case "login-user" -> {
                    user[0] = decode(line);
                    state[0] = "login-password";
                    socket.write("334 UGFzc3dvcmQ6\r\n");
                    return;
                }
                case "login-password" -> {
                    state[0] = "command";
                    if (!PASSWORD.equals(decode(line))) {
                        user[0] = null;
                        socket.write("535 bad credentials\r\n");
                    } else {
                        socket.write("235 ok\r\n");
                    }
                    return;
                }
                default -> {
                }
            }
            if (line.startsWith("EHLO")) {
                if (!secure) {
                    socket.write("250-relay.test greets you\r\n250 8BITMIME\r\n");
                } else if (!socket.isSsl()) {
                    socket.write("250-relay.test greets you\r\n250-8BITMIME\r\n250 STARTTLS\r\n");
                } else {
                    socket.write("250-relay.test greets you\r\n250-AUTH " + mechanisms + "\r\n250 8BITMIME\r\n");
                }
            } else if (secure && line.equals("STARTTLS")) {
                // The reply and the switch to TLS as one step: the server's TLS context is made on first use,
                // and the client's handshake must not reach the plain line parser meanwhile.
                socket.upgradeToSsl(Buffer.buffer("220 go ahead\r\n"));
            } else if (secure && line.startsWith("AUTH PLAIN ") && mechanisms.contains("PLAIN")) {
                String[] parts = decode(line.substring("AUTH PLAIN ".length())).split("\0", -1);
                if (parts.length == 3 && PASSWORD.equals(parts[2])) {
                    user[0] = parts[1];
                    socket.write("235 ok\r\n");
                } else {
                    socket.write("535 bad credentials\r\n");
                }
            } else if (secure && line.equals("AUTH LOGIN") && mechanisms.contains("LOGIN")) {
                state[0] = "login-user";
                socket.write("334 VXNlcm5hbWU6\r\n");
            } else if (line.startsWith("AUTH")) {
                socket.write("504 mechanism not offered\r\n");
            } else if (line.startsWith("MAIL FROM:") && secure && (!socket.isSsl() || user[0] == null)) {
                socket.write("530 authentication required\r\n");
            } else if (line.startsWith("RCPT TO:") && line.contains("stall")) {
                // A recipient the relay never answers for: the send waits until it gives up.
                STALLED.add(socket);
            } else if (line.startsWith("RCPT TO:")) {
                rcpt[0] = line.substring("RCPT TO:".length());
                socket.write("250 ok\r\n");
            } else if (line.equals("DATA")) {
                state[0] = "data";
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

    private static String decode(String base64) {
        return new String(Base64.getDecoder().decode(base64.trim()), StandardCharsets.UTF_8);
    }

    private static Mail awaitMail(String rcpt) throws InterruptedException {
        for (int i = 0; i < 200; i++) {
            Mail mail = RECEIVED.stream().filter(m -> rcpt.equals(m.rcpt())).findFirst().orElse(null);
            if (mail != null) {
                return mail;
            }
            Thread.sleep(50);
        }
        return null;
    }

    @Test
    void aProvisionedPersonGetsOneEmailAtTheirPrimaryAddressWithASetUpLink() throws Exception {
        TestOrg org = TestOrg.create(client, "Mail Org");
        ApiClient.Response created = client.post(TestOrg.SCIM + "/Users", org.token(), """
                {"userName":"mira","emails":[{"value":"other@example.com"},
                 {"value":"mira@example.com","primary":true}]}
                """);
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        Mail mail = awaitMail("<mira@example.com>");
        assertThat(mail).as("an email to the primary address").isNotNull();
        assertThat(mail.data()).contains("To: <mira@example.com>").contains("From: <kms@example.com>")
                .containsPattern("/account/setup#token=kms_setup_[A-Za-z0-9_-]{80,}");
        assertThat(mail.tls()).isFalse();

        // A PUT of the same person sends nothing new.
        String id = created.json().get("id").asText();
        assertThat(client.put(TestOrg.SCIM + "/Users/" + id, org.token(), "{\"userName\":\"mira\",\"title\":\"CTO\"}")
                .status()).isEqualTo(200);
        Thread.sleep(500);
        assertThat(RECEIVED.stream().filter(m -> "<mira@example.com>".equals(m.rcpt())).count()).isEqualTo(1);
    }

    /**
     * A primary email that is no address (an IdP's empty source attribute arrives as "") is passed
     * over for the next email, then for the userName: it used to be chosen, every send failed, and the
     * person was never invited.
     */
    @Test
    void anEmailThatIsNoAddressIsPassedOverForTheNextOrTheUserName() throws Exception {
        TestOrg org = TestOrg.create(client, "Unusable Email Org");
        ApiClient.Response empty = client.post(TestOrg.SCIM + "/Users", org.token(), """
                {"userName":"ines@example.com","emails":[{"value":"","type":"work","primary":true}]}
                """);
        assertThat(empty.status()).as(empty.text()).isEqualTo(201);
        ApiClient.Response local = client.post(TestOrg.SCIM + "/Users", org.token(), """
                {"userName":"jdoe","emails":[{"value":"jdoe","type":"work","primary":true},
                 {"value":" jdoe@home.example.com ","type":"home"}]}
                """);
        assertThat(local.status()).as(local.text()).isEqualTo(201);
        assertThat(awaitMail("<ines@example.com>")).as("the userName, for an empty primary email").isNotNull();
        assertThat(awaitMail("<jdoe@home.example.com>")).as("the next email, for a primary that is no address").isNotNull();
    }

    /**
     * Set-up links are live credentials: by default, no mail goes to a relay elsewhere that does not
     * offer STARTTLS (or from which an attacker stripped it); a relay on this machine, such as a mail
     * sidecar on localhost, gets it without. The default used to be optional everywhere, and the link
     * went in plain text across the network without a word in the log.
     */
    @Test
    void byDefaultStartTlsIsRequiredOfARelayElsewhereAndUsedWhenOfferedOnThisMachine() {
        assertThat(InvitationDelivery.startTls("auto", "smtp.example.com")).isEqualTo(SmtpInvitationSender.StartTls.REQUIRED);
        assertThat(InvitationDelivery.startTls("auto", "10.0.0.25")).isEqualTo(SmtpInvitationSender.StartTls.REQUIRED);
        assertThat(InvitationDelivery.startTls("auto", "localhost")).isEqualTo(SmtpInvitationSender.StartTls.OPTIONAL);
        assertThat(InvitationDelivery.startTls("auto", "127.0.0.1")).isEqualTo(SmtpInvitationSender.StartTls.OPTIONAL);
        assertThat(InvitationDelivery.startTls("required", "localhost")).isEqualTo(SmtpInvitationSender.StartTls.REQUIRED);
        assertThat(AppConfig.from(Map.of(), Map.of()).smtpStarttls()).isEqualTo("auto");
    }

    @Test
    void whenStartTlsIsRequiredNoMailGoesToARelayWithoutIt() throws Exception {
        assertThat(sendThroughAPlainRelay("required", "plain-required@example.com"))
                .as("the send to a relay without STARTTLS failed").isNotNull()
                .satisfies(refused -> assertThat(refused.getMessage()).contains("STARTTLS"));
        assertThat(RECEIVED).noneMatch(m -> "<plain-required@example.com>".equals(m.rcpt()));
    }

    @Test
    void byDefaultARelayOnThisMachineWithoutStartTlsGetsTheMail() throws Exception {
        assertThat(sendThroughAPlainRelay(null, "plain-local@example.com")).as("the send failed").isNull();
        assertThat(RECEIVED).anyMatch(m -> "<plain-local@example.com>".equals(m.rcpt()) && !m.tls());
    }

    /**
     * One send through a plain relay on 127.0.0.1, with a Vert.x and a relay of its own (what the rest
     * of the class's relays and servers do meanwhile has no say in it); its failure, or null.
     */
    private static Throwable sendThroughAPlainRelay(String startTls, String recipient) throws Exception {
        Vertx own = Vertx.vertx();
        try {
            NetServer plain = ApiClient.await(own.createNetServer().connectHandler(s -> session(s, false, ""))
                    .listen(0, "127.0.0.1"));
            Map<String, String> env = new HashMap<>(Map.of(
                    "SCIM_SMTP_HOST", "127.0.0.1", "SCIM_SMTP_PORT", Integer.toString(plain.actualPort())));
            if (startTls != null) {
                env.put("SCIM_SMTP_STARTTLS", startTls);
            }
            InvitationDelivery delivery = InvitationDelivery.configured(own, AppConfig.from(Map.of(), env));
            Future<Void> sent = delivery.sender().send(recipient, "http://localhost/account/setup#token=kms_setup_plain");
            return ApiClient.await(sent.transform(ar -> Future.succeededFuture(ar.cause())));
        } finally {
            ApiClient.await(own.close());
        }
    }

    /** STARTTLS optional or off with a relay elsewhere: one warning at start-up; none for loopback or required. */
    @Test
    void startTlsOptionalOrOffWithARemoteRelayIsWarnedOfOnce(Vertx vertx) {
        String warning = "may travel unencrypted";
        for (String startTls : List.of("optional", "off")) {
            long before = log.lines().stream().filter(l -> l.contains(warning)).count();
            InvitationDelivery.configured(vertx, AppConfig.from(Map.of(), Map.of(
                    "SCIM_SMTP_HOST", "smtp.example.com", "SCIM_SMTP_STARTTLS", startTls)));
            List<String> warned = log.lines().stream().filter(l -> l.contains(warning)).skip(before).toList();
            assertThat(warned).as("warnings for starttls=%s", startTls).singleElement()
                    .satisfies(l -> assertThat(l).contains("WARN").contains("smtp.example.com"));
        }
        long before = log.lines().stream().filter(l -> l.contains(warning)).count();
        for (Map<String, String> quiet : List.of(
                Map.of("SCIM_SMTP_HOST", "smtp.example.com"),
                Map.of("SCIM_SMTP_HOST", "127.0.0.1", "SCIM_SMTP_STARTTLS", "off"),
                Map.of("SCIM_SMTP_HOST", "localhost", "SCIM_SMTP_STARTTLS", "optional"),
                Map.of("SCIM_SMTP_HOST", "::1", "SCIM_SMTP_STARTTLS", "optional"))) {
            InvitationDelivery.configured(vertx, AppConfig.from(Map.of(), quiet));
        }
        assertThat(log.lines().stream().filter(l -> l.contains(warning)).count()).isEqualTo(before);
    }

    @Test
    void withStartTlsRequiredTheMailGoesEncryptedAndAuthenticatedAndNoSecretIsLogged() throws Exception {
        TestOrg org = TestOrg.create(secureClient, "Secure Mail Org");
        ApiClient.Response created = secureClient.post(TestOrg.SCIM + "/Users", org.token(),
                "{\"userName\":\"noor\",\"emails\":[{\"value\":\"noor@example.com\",\"primary\":true}]}");
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        Mail mail = awaitMail("<noor@example.com>");
        assertThat(mail).as("an email through the STARTTLS relay").isNotNull();
        assertThat(mail.tls()).as("sent after STARTTLS").isTrue();
        assertThat(mail.authenticatedAs()).isEqualTo(USER);
        assertThat(mail.data()).containsPattern("/account/setup#token=kms_setup_[A-Za-z0-9_-]{80,}");
        // The credentials went only over TLS: the AUTH command was among those read after the upgrade.
        assertThat(TLS_COMMANDS).anyMatch(c -> c.startsWith("AUTH "));

        String link = mail.data().replaceAll("(?s).*(/account/setup#token=kms_setup_[A-Za-z0-9_-]+).*", "$1");
        String setupToken = link.substring(link.indexOf("kms_setup_"));
        assertThat(log.anyLineContains(PASSWORD)).as("the SMTP password in the log").isFalse();
        assertThat(log.anyLineContains(setupToken)).as("the set-up token in the log").isFalse();
        assertThat(log.anyLineContains(org.token())).as("the SCIM token in the log").isFalse();
    }

    @Test
    void aRelayOfferingOnlyAuthLoginGetsLoginAfterOptionalStartTls() throws Exception {
        TestOrg org = TestOrg.create(loginClient, "Login Mail Org");
        ApiClient.Response created = loginClient.post(TestOrg.SCIM + "/Users", org.token(),
                "{\"userName\":\"lale\",\"emails\":[{\"value\":\"lale@example.com\",\"primary\":true}]}");
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        Mail mail = awaitMail("<lale@example.com>");
        assertThat(mail).as("an email through the AUTH LOGIN relay").isNotNull();
        assertThat(mail.tls()).as("STARTTLS used when offered (smtp.starttls=optional)").isTrue();
        assertThat(mail.authenticatedAs()).isEqualTo(USER);
        assertThat(TLS_COMMANDS).contains("AUTH LOGIN");
    }

    /**
     * Invitations that cannot be sent (people with no address) are tried again later, each after a
     * wait that grows, and hold up no other organisation's: a batch of failures used to be claimed
     * again at once, round after round, and the outbox went no further. Nor do they hold up their own
     * organisation's later invitations: the outbox stopped at a batch (100) of them, and each retry
     * claimed that same batch first, so those after it waited for the minute's sweep.
     */
    @Test
    void invitationsThatCannotBeSentWaitForTheirRetryAndHoldUpNoOtherOrganisation() throws Exception {
        TestOrg nowhere = TestOrg.create(client, "No Address Org");
        // One request, so that more than a batch is queued before the outbox looks.
        StringBuilder operations = new StringBuilder();
        for (int i = 0; i < 120; i++) {
            operations.append(i == 0 ? "" : ",").append("{\"method\":\"POST\",\"path\":\"/Users\",\"bulkId\":\"n")
                    .append(i).append("\",\"data\":{\"userName\":\"nobody-").append(i).append("\"}}");
        }
        ApiClient.Response bulk = client.post(TestOrg.SCIM + "/Bulk", nowhere.token(),
                "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:BulkRequest\"],\"Operations\":[" + operations + "]}");
        assertThat(bulk.status()).as(bulk.text()).isEqualTo(200);
        assertThat(bulk.json().path("Operations")).hasSize(120)
                .allSatisfy(op -> assertThat(op.path("status").asText()).as(op.toString()).isEqualTo("201"));

        TestOrg addressed = TestOrg.create(client, "Addressed Org");
        ApiClient.Response zora = client.post(TestOrg.SCIM + "/Users", addressed.token(),
                "{\"userName\":\"zora\",\"emails\":[{\"value\":\"zora@example.com\"}]}");
        assertThat(zora.status()).as(zora.text()).isEqualTo(201);
        assertThat(awaitMail("<zora@example.com>")).as("the other organisation's invitation").isNotNull();

        Polling.until(Duration.ofSeconds(10), () -> assertThat(MembershipDb.count(db, "SELECT count(*) FROM invitations "
                + "WHERE org_id = ? AND attempts > 0", nowhere.id())).isEqualTo(120));
        // Each was tried once before any was tried again (the first retry is due 5 s after a failure).
        assertThat(MembershipDb.count(db, "SELECT count(*) FROM invitations WHERE org_id = ? AND attempts > 1", nowhere.id()))
                .as("invitations tried a second time before all were tried once").isZero();
        Polling.until(Duration.ofSeconds(10), () -> assertThat(MembershipDb.count(db, "SELECT count(*) FROM invitations "
                + "WHERE org_id = ? AND attempts > 1", nowhere.id())).as("the retries, once due").isEqualTo(120));
        assertThat(MembershipDb.count(db, "SELECT max(attempts) FROM invitations WHERE org_id = ?", nowhere.id()))
                .as("attempts of an invitation that cannot be sent, within seconds").isBetween(2, 3);
        assertThat(MembershipDb.count(db, "SELECT count(*) FROM invitations WHERE org_id = ? AND sent_at IS NOT NULL",
                nowhere.id())).isZero();
    }

    /**
     * An invitation whose sending an instance began but did not finish (its relay never answered,
     * and the instance stopped) is not lost: once the claim lapses another instance sends it, with a
     * new link. It used to be marked delivered before it was sent, and was never sent.
     */
    @Test
    void anInvitationLeftUnsentByAStoppedInstanceIsSentOnceItsClaimLapses(Vertx vertx) throws Exception {
        List<NetSocket> held = new CopyOnWriteArrayList<>();
        NetServer silent = ApiClient.await(vertx.createNetServer().connectHandler(held::add).listen(0, "127.0.0.1"));
        TestServer stuck = sendingThrough(silent, Map.of("SCIM_INVITATIONS_CLAIM_SECONDS", "6"));
        ApiClient stuckClient = new ApiClient(vertx, stuck.port());
        TestOrg org;
        String id;
        byte[] firstHash;
        try {
            org = TestOrg.create(stuckClient, "Unsent Org");
            ApiClient.Response created = stuckClient.post(TestOrg.SCIM + "/Users", org.token(),
                    "{\"userName\":\"cleo\",\"emails\":[{\"value\":\"cleo@example.com\"}]}");
            assertThat(created.status()).as(created.text()).isEqualTo(201);
            id = created.json().path("id").asText();
            // This invitation's claim, not only a connection: a new server also sends what other tests
            // of this class left unsent, through the same relay.
            TestOrg claimedOrg = org;
            Polling.until(Duration.ofSeconds(10), () -> {
                assertThat(held).as("the send has begun").isNotEmpty();
                assertThat(MembershipDb.invitations(db, claimedOrg.id(), id).get(0).tokenHash())
                        .as("the link minted for the send").isNotNull();
            });
            MembershipDb.Invitation claimed = MembershipDb.invitations(db, org.id(), id).get(0);
            assertThat(claimed.deliveredAt()).as("delivered before it was sent").isNull();
            firstHash = claimed.tokenHash();
        } finally {
            stuckClient.close();
            stuck.stop();
        }

        Polling.until(Duration.ofSeconds(15), () -> assertThat(MembershipDb.count(db, "SELECT count(*) FROM invitations "
                + "WHERE org_id = ? AND claimed_until < now()", org.id())).as("the claim has lapsed").isEqualTo(1));
        TestServer next = sendingThrough(relay, Map.of());
        try {
            Mail mail = awaitMail("<cleo@example.com>");
            assertThat(mail).as("the invitation, sent by the next instance").isNotNull();
            Polling.until(Duration.ofSeconds(5), () -> {
                MembershipDb.Invitation sent = MembershipDb.invitations(db, org.id(), id).get(0);
                assertThat(sent.deliveredAt()).isNotNull();
                assertThat(sent.tokenHash()).isNotNull().isNotEqualTo(firstHash);
            });
        } finally {
            next.stop();
            ApiClient.await(silent.close());
        }
    }

    /**
     * An instance that stops while it sends an invitation waits for the send to finish and records it
     * as sent before it closes its database pool: otherwise the invitation would be sent again, with a
     * new link, once its claim lapsed, and the link the person already has would stop working.
     */
    @Test
    void anInstanceStoppedDuringASendRecordsItBeforeItsPoolCloses(Vertx vertx) throws Exception {
        List<NetSocket> slow = new CopyOnWriteArrayList<>();
        NetServer slowRelay = ApiClient.await(vertx.createNetServer().connectHandler(socket -> {
            slow.add(socket);
            vertx.setTimer(1500, t -> session(socket, false, ""));
        }).listen(0, "127.0.0.1"));
        TestServer sending = sendingThrough(slowRelay, Map.of());
        ApiClient sendingClient = new ApiClient(vertx, sending.port());
        try {
            TestOrg org = TestOrg.create(sendingClient, "Stopping Sender Org");
            ApiClient.Response created = sendingClient.post(TestOrg.SCIM + "/Users", org.token(),
                    "{\"userName\":\"odile\",\"emails\":[{\"value\":\"odile@example.com\"}]}");
            assertThat(created.status()).as(created.text()).isEqualTo(201);
            String id = created.json().path("id").asText();
            // This invitation's claim, not only a connection (see the test above).
            Polling.until(Duration.ofSeconds(10), () -> {
                assertThat(slow).as("the send has begun").isNotEmpty();
                assertThat(MembershipDb.invitations(db, org.id(), id).get(0).tokenHash()).as("claimed").isNotNull();
            });
            sendingClient.close();
            sending.stop();

            assertThat(RECEIVED.stream().filter(m -> "<odile@example.com>".equals(m.rcpt())).count()).isEqualTo(1);
            MembershipDb.Invitation sent = MembershipDb.invitations(db, org.id(), id).get(0);
            assertThat(sent.deliveredAt()).as("recorded as sent before the pool closed").isNotNull();
        } finally {
            sending.stop();
            ApiClient.await(slowRelay.close());
        }
    }

    /**
     * A send the relay never answers holds up that organisation's outbox only: another
     * organisation's invitation goes out meanwhile. (The outbox used to drain organisations one
     * after another, so every other one waited for the stuck send to give up: half the claim.)
     */
    @Test
    void aStuckSendHoldsUpNoOtherOrganisation(Vertx vertx) throws Exception {
        TestServer sending = sendingThrough(relay, Map.of("SCIM_INVITATIONS_CLAIM_SECONDS", "60"));
        ApiClient sendingClient = new ApiClient(vertx, sending.port());
        TestOrg stuck = TestOrg.create(sendingClient, "Stuck Relay Org");
        String stuckId = null;
        try {
            ApiClient.Response created = sendingClient.post(TestOrg.SCIM + "/Users", stuck.token(),
                    "{\"userName\":\"stall@example.com\"}");
            assertThat(created.status()).as(created.text()).isEqualTo(201);
            stuckId = created.json().path("id").asText();
            Polling.until(Duration.ofSeconds(10), () -> assertThat(STALLED).as("the stuck send").isNotEmpty());

            TestOrg other = TestOrg.create(sendingClient, "Unstuck Org");
            assertThat(sendingClient.post(TestOrg.SCIM + "/Users", other.token(),
                    "{\"userName\":\"pia\",\"emails\":[{\"value\":\"pia@example.com\"}]}").status()).isEqualTo(201);
            // Within 10 s, while the stuck send waits for its 30 s.
            assertThat(awaitMail("<pia@example.com>")).as("the other organisation's invitation").isNotNull();
        } finally {
            // The relay gives the stuck send up, so that the instance stops without waiting for it, and
            // the person goes, so that no later server of this class sends the invitation into the stall.
            STALLED.forEach(NetSocket::close);
            if (stuckId != null) {
                assertThat(sendingClient.delete(TestOrg.SCIM + "/Users/" + stuckId, stuck.token()).status()).isEqualTo(204);
            }
            sendingClient.close();
            sending.stop();
        }
    }

    /** A server of its own that sends invitations through that relay, polling its outbox often. */
    private static TestServer sendingThrough(NetServer relayServer, Map<String, String> more) {
        Map<String, String> env = new HashMap<>(Map.of(
                "SCIM_SMTP_HOST", "127.0.0.1",
                "SCIM_SMTP_PORT", Integer.toString(relayServer.actualPort()),
                "SCIM_SMTP_FROM", "kms@example.com",
                "SCIM_SMTP_STARTTLS", "off",
                "SCIM_INVITATIONS_POLL_MILLIS", "100"));
        env.putAll(more);
        return TestServer.start(db, dir, env);
    }
}
