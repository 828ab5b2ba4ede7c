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
    private final boolean toRecord;

    RetiredTokenException(UUID orgId, UUID tokenId, String detail, boolean toRecord) {
        super(401, null, detail);
        this.orgId = orgId;
        this.tokenId = tokenId;
        this.toRecord = toRecord;
    }

    /**
     * Whether this refusal is to be recorded: the first of each minute for the token. No rate limit
     * holds back a client of a retired token, and one that keeps sending a leaked, revoked token must
     * fill neither the organisation's events nor the database pool's queue.
     */
    public boolean toRecord() {
        return toRecord;
    }

    public UUID orgId() {
        return orgId;
    }

    public UUID tokenId() {
        return tokenId;
    }
}
