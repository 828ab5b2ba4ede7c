package io.hanzo.kms.scim.admin;

/** A newly created token with its secret, which exists only in this response and in the client's hands. */
public record IssuedToken(ScimToken token, String secret) {
}
