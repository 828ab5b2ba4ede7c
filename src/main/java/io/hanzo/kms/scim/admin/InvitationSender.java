package io.hanzo.kms.scim.admin;

import io.vertx.core.Future;

/** Delivers an invitation's set-up link to the person. */
public interface InvitationSender {
    Future<Void> send(String userName, String setupLink);
}
