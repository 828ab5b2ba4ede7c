package io.hanzo.kms.scim.admin;

import java.time.Instant;
import java.util.UUID;

/**
 * A SCIM bearer token as stored: its SHA-256, never the token.
 *
 * @param expiresAt null when it never expires
 * @param revokedAt null while it is valid
 */
public record ScimToken(UUID orgId, UUID id, byte[] hash, String description, Instant createdAt, Instant expiresAt,
                        Instant lastUsedAt, Instant revokedAt) {

    public boolean isUsableAt(Instant now) {
        return revokedAt == null && (expiresAt == null || now.isBefore(expiresAt));
    }

    public ScimToken revokedAt(Instant at) {
        return new ScimToken(orgId, id, hash, description, createdAt, expiresAt, lastUsedAt, at);
    }

    public ScimToken lastUsedAt(Instant at) {
        return new ScimToken(orgId, id, hash, description, createdAt, expiresAt, at, revokedAt);
    }
}
