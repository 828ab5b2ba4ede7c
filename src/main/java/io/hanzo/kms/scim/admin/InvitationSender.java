package io.hanzo.kms.scim.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Future;

/** Delivers an invitation's set-up link to the person. */
public interface InvitationSender {
    /**
     * @param recipient the person's email address: their primary email, else their first, else their userName
     */
    Future<Void> send(String recipient, String setupLink);

    /**
     * Whom a person's invitation goes to: the primary email, else the first email, else the userName
     * (which IdPs usually set to the email), taking only values that are addresses for the first two.
     * Only values that are addresses count: an IdP whose source attribute is empty sends a primary
     * email of "" (OneLogin's {$user.email}), or maps a non-email attribute into emails, and the person
     * would never be invited while their userName is their address.
     *
     * @param emails the user's {@code emails} attribute, or null
     */
    static String recipient(JsonNode emails, String userName) {
        String primary = null;
        String first = null;
        if (emails != null && emails.isArray()) {
            for (JsonNode e : emails) {
                String value = e.path("value").isTextual() ? e.path("value").asText().strip() : null;
                if (!isAddress(value)) {
                    continue;
                }
                first = first == null ? value : first;
                if (primary == null && e.path("primary").asBoolean(false)) {
                    primary = value;
                }
            }
        }
        return primary != null ? primary : first != null ? first : userName;
    }

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
