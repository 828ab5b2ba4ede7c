package io.hanzo.kms.scim.admin;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.parsetools.RecordParser;

import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * Sends invitations by SMTP (RFC 5321) through a relay: one connection per message, plain text. The
 * session must be upgraded to TLS with STARTTLS (RFC 3207) when {@code starttls} is {@code required}
 * (the default), and is when the relay offers it under {@code optional}; with a username it
 * authenticates with AUTH PLAIN or LOGIN (RFC 4954), and never sends the password over an unencrypted connection unless STARTTLS is
 * switched off. Each reply code is checked; any unexpected reply fails the send, which is retried.
 * Failure messages quote only the relay's replies, never the credentials or the set-up link.
 */
public final class SmtpInvitationSender implements InvitationSender {
    /** How the session is secured. */
    public enum StartTls { REQUIRED, OPTIONAL, OFF }

    /** The relay and how to talk to it; {@code username} empty for no authentication. */
    public record Relay(String host, int port, String from, StartTls startTls, String username, String password,
                        String trustFile) {
        @Override
        public String toString() {
            return "Relay[" + host + ":" + port + ", starttls=" + startTls + ", user=" + username + "]";
        }
    }

    private final NetClient client;
    private final Relay relay;

    public SmtpInvitationSender(Vertx vertx, Relay relay) {
        // Plain at first; the TLS settings are used when STARTTLS upgrades the connection.
        NetClientOptions options = new NetClientOptions().setConnectTimeout(10_000).setIdleTimeout(30)
                .setHostnameVerificationAlgorithm("HTTPS");
        if (!relay.trustFile().isEmpty()) {
            options.setTrustOptions(new PemTrustOptions().addCertPath(relay.trustFile()));
        }
        this.client = vertx.createNetClient(options);
        this.relay = relay;
    }

    @Override
    public Future<Void> send(String recipient, String setupLink) {
        if (!InvitationSender.isAddress(recipient)) {
            return Future.failedFuture(new NoAddressException());
        }
        return client.connect(relay.port(), relay.host())
                .compose(socket -> new Session(socket).deliver(recipient, setupLink));
    }

    /** One reply: its code and the text of each line. */
    private record Reply(String code, List<String> lines) {
        boolean offers(String keyword) {
            String k = keyword.toUpperCase(Locale.ROOT);
            for (String line : lines) {
                String upper = line.toUpperCase(Locale.ROOT);
                if (upper.equals(k) || upper.startsWith(k + " ")) {
                    return true;
                }
            }
            return false;
        }

        boolean offersAuth(String mechanism) {
            for (String line : lines) {
                String[] words = line.toUpperCase(Locale.ROOT).split("[ =]+");
                if (words.length > 1 && words[0].equals("AUTH")) {
                    for (int i = 1; i < words.length; i++) {
                        if (words[i].equals(mechanism)) {
                            return true;
                        }
                    }
                }
            }
            return false;
        }
    }

    /** One SMTP session: commands are sent one at a time, each answered by one (possibly multi-line) reply. */
    private final class Session {
        private final NetSocket socket;
        private final List<String> lines = new ArrayList<>();
        private Promise<Reply> pending = Promise.promise();

        Session(NetSocket socket) {
            this.socket = socket;
            socket.handler(RecordParser.newDelimited("\r\n", this::line));
            socket.exceptionHandler(e -> fail(e.toString()));
            socket.closeHandler(v -> fail("the SMTP server closed the connection"));
        }

        Future<Void> deliver(String recipient, String link) {
            return expect(pending.future(), "220", "greeting")
                    .compose(v -> hello())
                    .compose(this::secure)
                    .compose(this::authenticate)
                    .compose(v -> command("MAIL FROM:<" + relay.from() + ">", "250", "MAIL FROM"))
                    .compose(v -> command("RCPT TO:<" + recipient + ">", "250", "RCPT TO"))
                    .compose(v -> command("DATA", "354", "DATA"))
                    .compose(v -> command(message(recipient, link), "250", "the message"))
                    .compose(v -> command("QUIT", "221", "QUIT"))
                    .<Void>mapEmpty()
                    .onComplete(ar -> socket.close());
        }

        private Future<Reply> hello() {
            return command("EHLO kms-scim", "250", "EHLO");
        }

        /** STARTTLS when offered (or required), then a new EHLO: the capabilities before TLS count for nothing. */
        private Future<Reply> secure(Reply capabilities) {
            if (relay.startTls() == StartTls.OFF) {
                return Future.succeededFuture(capabilities);
            }
            if (!capabilities.offers("STARTTLS")) {
                return relay.startTls() == StartTls.REQUIRED
                        ? Future.failedFuture("the SMTP server does not offer STARTTLS, which smtp.starttls requires")
                        : Future.succeededFuture(capabilities);
            }
            return command("STARTTLS", "220", "STARTTLS")
                    .compose(r -> socket.upgradeToSsl(relay.host()))
                    .compose(v -> hello());
        }

        private Future<Void> authenticate(Reply capabilities) {
            if (relay.username().isEmpty()) {
                return Future.succeededFuture();
            }
            if (!socket.isSsl() && relay.startTls() != StartTls.OFF) {
                return Future.failedFuture("the SMTP connection is not encrypted; the credentials were not sent");
            }
            Base64.Encoder b64 = Base64.getEncoder();
            if (capabilities.offersAuth("PLAIN")) {
                String plain = "\0" + relay.username() + "\0" + relay.password();
                return command("AUTH PLAIN " + b64.encodeToString(plain.getBytes(StandardCharsets.UTF_8)), "235",
                        "AUTH PLAIN").mapEmpty();
            }
            if (capabilities.offersAuth("LOGIN")) {
                return command("AUTH LOGIN", "334", "AUTH LOGIN")
                        .compose(r -> command(b64.encodeToString(relay.username().getBytes(StandardCharsets.UTF_8)),
                                "334", "the AUTH LOGIN username"))
                        .compose(r -> command(b64.encodeToString(relay.password().getBytes(StandardCharsets.UTF_8)),
                                "235", "the AUTH LOGIN password"))
                        .mapEmpty();
            }
            return Future.failedFuture("the SMTP server offers neither AUTH PLAIN nor AUTH LOGIN");
        }

        private Future<Reply> command(String text, String code, String what) {
            pending = Promise.promise();
            Future<Reply> reply = pending.future();
            socket.write(text + "\r\n");
            return expect(reply, code, what);
        }

        private Future<Reply> expect(Future<Reply> reply, String code, String what) {
            return reply.compose(r -> r.code().equals(code) ? Future.succeededFuture(r)
                    : Future.failedFuture("the SMTP server answered " + r.code() + " " + String.join(" / ", r.lines())
                            + " to " + what + " where " + code + " was expected"));
        }

        private void line(Buffer b) {
            String text = b.toString(StandardCharsets.UTF_8);
            // Multi-line replies continue with "250-"; the last line has a space (or nothing) after the code.
            lines.add(text.length() > 4 ? text.substring(4) : "");
            if (text.length() >= 4 && text.charAt(3) == '-') {
                return;
            }
            Reply r = new Reply(text.length() >= 3 ? text.substring(0, 3) : text, List.copyOf(lines));
            lines.clear();
            pending.tryComplete(r);
        }

        private void fail(String why) {
            pending.tryFail(why);
        }
    }

    private String message(String recipient, String link) {
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now());
        String body = "You have been added to an organisation in Hanzo KMS.\r\n\r\n"
                + "Finish setting up your account here; your device will create your encryption key:\r\n"
                + link + "\r\n";
        return "From: <" + relay.from() + ">\r\n"
                + "To: <" + recipient + ">\r\n"
                + "Subject: Set up your Hanzo KMS account\r\n"
                + "Date: " + date + "\r\n"
                + "Message-ID: <" + UUID.randomUUID() + "@kms-scim>\r\n"
                + "MIME-Version: 1.0\r\n"
                + "Content-Type: text/plain; charset=UTF-8\r\n"
                + "\r\n"
                + body.replace("\r\n.", "\r\n..")
                + ".";
    }
}
