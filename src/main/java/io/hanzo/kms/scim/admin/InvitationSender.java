package io.hanzo.kms.scim.admin;

import io.vertx.core.Future;

/** Delivers an invitation's set-up link to the person. */
public interface InvitationSender {
    /**
     * @param recipient the person's email address: their primary email, else their userName
     */
    Future<Void> send(String recipient, String setupLink);

    /**
     * The failure of a send that no relay could make: the recipient is no email address. It says
     * nothing about the relay, so the outbox goes on with the other invitations.
     */
    final class NoAddressException extends IllegalArgumentException {
        public NoAddressException() {
            super("no email address to send the invitation to");
        }
    }
}
