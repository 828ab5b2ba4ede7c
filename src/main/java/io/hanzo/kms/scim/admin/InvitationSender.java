package io.hanzo.kms.scim.admin;

import io.vertx.core.Future;

/** Delivers an invitation's set-up link to the person. */
public interface InvitationSender {
    /**
     * @param recipient the person's email address: their primary email, else their first, else their userName
     */
    Future<Void> send(String recipient, String setupLink);

    /**
     * Whether a value can be an envelope recipient: something on each side of an {@code @}, and
     * nothing that would end or break the SMTP command (spaces, controls, angle brackets).
     */
    static boolean isAddress(String value) {
        if (value == null) {
            return false;
        }
        int at = value.lastIndexOf('@');
        if (at <= 0 || at == value.length() - 1) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c <= ' ' || c == '<' || c == '>' || c == 0x7f) {
                return false;
            }
        }
        return true;
    }

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
