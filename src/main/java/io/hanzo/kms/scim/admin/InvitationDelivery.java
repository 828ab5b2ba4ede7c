package io.hanzo.kms.scim.admin;

import io.hanzo.kms.scim.config.AppConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * How this instance delivers invitations, chosen once at start-up: through the SMTP relay, or to the
 * log when {@code invitations.log-links} asks for the links there, or not at all. Without either,
 * nothing could ever read a set-up link (only its hash is kept), so the invitations stay in the
 * outbox, unclaimed, until an instance with a relay sends them.
 *
 * @param sender what sends each invitation
 * @param delivers whether this instance delivers the outbox at all
 */
public record InvitationDelivery(InvitationSender sender, boolean delivers) {
    private static final Logger LOG = LoggerFactory.getLogger(InvitationDelivery.class);

    /** The sender of an instance that delivers nothing; the outbox never calls it. */
    private static final InvitationSender NONE = (recipient, setupLink) ->
            Future.failedFuture("no SMTP relay is configured (smtp.host)");

    /** What the configuration asks for, with a warning at start-up for what leaves links unprotected or unsent. */
    public static InvitationDelivery configured(Vertx vertx, AppConfig config) {
        if (!config.smtpHost().isEmpty()) {
            SmtpInvitationSender.StartTls startTls = startTls(config.smtpStarttls(), config.smtpHost());
            if (startTls != SmtpInvitationSender.StartTls.REQUIRED && !isLoopback(config.smtpHost())) {
                LOG.warn("smtp.starttls is {} and the relay {} is not on this machine: set-up links, which are live "
                                + "credentials, may travel unencrypted; set smtp.starttls=required",
                        config.smtpStarttls(), config.smtpHost());
            }
            return new InvitationDelivery(new SmtpInvitationSender(vertx, new SmtpInvitationSender.Relay(
                    config.smtpHost(), config.smtpPort(), config.smtpFrom(), startTls, config.smtpUsername(),
                    config.smtpPassword(), config.smtpTrustFile())), true);
        }
        if (config.invitationsLogLinks()) {
            return new InvitationDelivery(new LogInvitationSender(), true);
        }
        LOG.warn("No SMTP relay is configured (smtp.host) and invitations.log-links is false: invitations are not "
                + "sent; they wait in the outbox until an instance with a relay sends them (configure smtp.host and "
                + "restart)");
        return new InvitationDelivery(NONE, false);
    }

    /**
     * How the session with the relay is secured. {@code auto}, the default, insists on STARTTLS with a
     * relay elsewhere, where the link crosses a network on which STARTTLS can be stripped, and uses it
     * when offered by a relay on this machine (a mail sidecar listening on localhost often offers none,
     * and the link never leaves the host).
     */
    public static SmtpInvitationSender.StartTls startTls(String configured, String host) {
        if (configured.equalsIgnoreCase("auto")) {
            return isLoopback(host) ? SmtpInvitationSender.StartTls.OPTIONAL : SmtpInvitationSender.StartTls.REQUIRED;
        }
        return SmtpInvitationSender.StartTls.valueOf(configured.toUpperCase(Locale.ROOT));
    }

    /**
     * Whether the relay is this machine: {@code localhost} or a loopback address. Other names are not
     * looked up (start-up does not wait on DNS) and count as remote.
     */
    static boolean isLoopback(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.equals("localhost") || h.endsWith(".localhost")) {
            return true;
        }
        boolean literal = h.matches("[0-9.]+") || h.contains(":");
        if (!literal) {
            return false;
        }
        try {
            return InetAddress.getByName(h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h)
                    .isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
