package io.hanzo.kms.scim.admin;

import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sender when no SMTP relay is configured: writes the invitation to the log, for deployments that
 * deliver invitations some other way, or for trying the server out. A set-up link is a live
 * credential, so the link itself is logged only when {@code invitations.log-links} says so.
 */
public final class LogInvitationSender implements InvitationSender {
    private static final Logger LOG = LoggerFactory.getLogger(LogInvitationSender.class);

    private final boolean logLinks;

    public LogInvitationSender(boolean logLinks) {
        this.logLinks = logLinks;
    }

    @Override
    public Future<Void> send(String recipient, String setupLink) {
        if (logLinks) {
            LOG.info("Invitation for {}: set-up link {}", recipient, setupLink);
        } else {
            LOG.info("Invitation for {} ready (set invitations.log-links=true to log its set-up link, "
                    + "or configure smtp.host to email it)", recipient);
        }
        return Future.succeededFuture();
    }
}
