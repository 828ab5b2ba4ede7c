package io.hanzo.kms.scim.admin;

import io.vertx.core.Future;

/** Delivers an invitation's set-up link to the person. */
public interface InvitationSender {
    /**
     * @param recipient the person's email address: their primary email, else their userName
     */
    Future<Void> send(String recipient, String setupLink);
}
