package io.hanzo.kms.scim.store;

import io.hanzo.kms.scim.admin.ScimToken;
import io.vertx.core.Future;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

public interface TokenStore {
    Future<ScimToken> insert(ScimToken token);

    /** Marks the token revoked; false when there is no such unrevoked token. */
    Future<Boolean> revoke(UUID orgId, UUID tokenId, Instant at);

    /** The token in whatever state, or null. */
    Future<ScimToken> find(UUID orgId, UUID tokenId);

    /** The organisation's tokens that are not revoked. */
    Future<List<ScimToken>> unrevoked(UUID orgId);

    /** Writes the in-memory lastUsedAt of several tokens at once. */
    Future<Void> recordLastUse(Collection<ScimToken> tokens);
}
