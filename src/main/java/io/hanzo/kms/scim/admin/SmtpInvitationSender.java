package io.hanzo.kms.scim.admin;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;

import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.UUID;

/**
 * Sends invitations by SMTP (RFC 5321) to a relay such as a local MTA: one connection per message,
 * plain text, no authentication. Each command's reply code is checked; any unexpected reply fails the
 * send, and the invitation can then be re-issued.
 */
public final class SmtpInvitationSender implements InvitationSender {
    private final NetClient client;
    private final String host;
    private final int port;
    private final String from;

    public SmtpInvitationSender(Vertx vertx, String host, int port, String from) {
        this.client = vertx.createNetClient(new NetClientOptions().setConnectTimeout(10_000).setIdleTimeout(30));
        this.host = host;
        this.port = port;
        this.from = from;
    }

    @Override
    public Future<Void> send(String recipient, String setupLink) {
        if (!recipient.contains("@") || recipient.contains("\r") || recipient.contains("\n") || recipient.contains(">")) {
            return Future.failedFuture(new IllegalArgumentException("no email address to send the invitation to"));
        }
        return client.connect(port, host).compose(socket -> new Conversation(socket, recipient, setupLink).run());
    }

    /** One SMTP session: each step sends a command and expects a reply code. */
    private final class Conversation {
        private final NetSocket socket;
        private final Deque<String[]> steps = new ArrayDeque<>();
        private final Promise<Void> done = Promise.promise();
        private final StringBuilder reply = new StringBuilder();
        private String expected = "220";

        Conversation(NetSocket socket, String recipient, String link) {
            this.socket = socket;
            steps.add(new String[] {"EHLO kms-scim", "250"});
            steps.add(new String[] {"MAIL FROM:<" + from + ">", "250"});
            steps.add(new String[] {"RCPT TO:<" + recipient + ">", "250"});
            steps.add(new String[] {"DATA", "354"});
            steps.add(new String[] {message(recipient, link), "250"});
            steps.add(new String[] {"QUIT", "221"});
        }

        Future<Void> run() {
            RecordParser lines = RecordParser.newDelimited("\r\n", this::line);
            socket.handler(lines);
            socket.exceptionHandler(done::tryFail);
            socket.closeHandler(v -> done.tryFail("the SMTP server closed the connection"));
            return done.future().onComplete(ar -> socket.close());
        }

        private void line(Buffer b) {
            String text = b.toString(StandardCharsets.UTF_8);
            // Multi-line replies continue with "250-"; the last line has a space after the code.
            if (text.length() >= 4 && text.charAt(3) == '-') {
                reply.append(text).append('\n');
                return;
            }
            String code = text.length() >= 3 ? text.substring(0, 3) : text;
            if (!code.equals(expected)) {
                done.tryFail("the SMTP server answered '" + text + "' where " + expected + " was expected");
                return;
            }
            reply.setLength(0);
            String[] next = steps.poll();
            if (next == null) {
                done.tryComplete();
                return;
            }
            expected = next[1];
            socket.write(next[0] + "\r\n");
        }
    }

    private String message(String recipient, String link) {
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now());
        String body = "You have been added to an organisation in Hanzo KMS.\r\n\r\n"
                + "Finish setting up your account here; your device will create your encryption key:\r\n"
                + link + "\r\n";
        return "From: <" + from + ">\r\n"
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
