package io.hanzo.kms.scim.admin;

import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default sender: writes the set-up link to the log, for deployments that deliver invitations
 * some other way (or for trying the server out).
 */
public final class LogInvitationSender implements InvitationSender {
    private static final Logger LOG = LoggerFactory.getLogger(LogInvitationSender.class);

    @Override
    public Future<Void> send(String recipient, String setupLink) {
        LOG.info("Invitation for {}: set-up link {}", recipient, setupLink);
        return Future.succeededFuture();
    }
}
