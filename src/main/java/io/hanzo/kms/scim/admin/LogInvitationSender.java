package io.hanzo.kms.scim.admin;

import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sender when no SMTP relay is configured and {@code invitations.log-links} is true: the log line,
 * with the set-up link, is the delivery (for trying the server out, or for deployments that deliver
 * the links some other way). A set-up link is a live credential, hence the explicit switch.
 */
public final class LogInvitationSender implements InvitationSender {
    private static final Logger LOG = LoggerFactory.getLogger(LogInvitationSender.class);

    @Override
    public Future<Void> send(String recipient, String setupLink) {
        LOG.info("Invitation for {}: set-up link {}", recipient, setupLink);
        return Future.succeededFuture();
    }
}
