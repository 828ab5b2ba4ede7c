package io.hanzo.kms.scim.admin;

import io.hanzo.kms.scim.protocol.ScimException;

import java.util.UUID;

/**
 * A 401 for a token that was real but is revoked or expired. Unlike a token nobody issued, it names
 * its organisation, so the refusal can be shown to that organisation's admin: an IdP still sending
 * an expired token is what they most need to see.
 */
public final class RetiredTokenException extends ScimException {
    private final UUID orgId;
    private final UUID tokenId;

    RetiredTokenException(UUID orgId, UUID tokenId, String detail) {
        super(401, null, detail);
        this.orgId = orgId;
        this.tokenId = tokenId;
    }

    public UUID orgId() {
        return orgId;
    }

    public UUID tokenId() {
        return tokenId;
    }
}
