package io.hanzo.kms.scim.admin;

import io.hanzo.kms.scim.concurrent.OneAfterAnother;
import io.hanzo.kms.scim.protocol.ScimException;
import io.hanzo.kms.scim.store.Ids;
import io.hanzo.kms.scim.store.TokenStore;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * SCIM tokens: issued, listed, revoked, and checked on every SCIM request without a database read.
 *
 * <p>A token is a {@link CompositeToken} with the prefix {@code kms_scim_}: its ids find the one
 * stored hash to compare, in constant time. Last use is kept in memory and written in batches by
 * {@link #flushLastUse()}; the admin's list reads it back from the database.
 *
 * <p>A revoked token stays in the cache for {@link #RETIRED_KEPT} after its revocation: it is refused
 * as revoked, and its refusals are shown to the organisation's admin, through the next syncs of an IdP
 * still configured with it. Then {@link #forgetRetired} drops it, and it is refused as a token nobody
 * issued, as after a restart (which loads only unrevoked tokens): an automation that issues and revokes
 * tokens all day must not fill the memory with them. An expired token retires the same way, from its
 * expiry: refused as expired for as long, then forgotten (and not loaded again), so that short-lived
 * tokens nobody revokes do not pile up either.
 */
public final class TokenService {
    private static final Logger LOG = LoggerFactory.getLogger(TokenService.class);
    static final String PREFIX = "kms_scim_";
    /**
     * Longer than the sync interval of the IdPs (Entra ID's is 40 minutes); as long after an expiry as
     * after a revocation.
     */
    static final Duration RETIRED_KEPT = Duration.ofHours(1);
    /** How often the refusal of a retired token is recorded, at most. */
    private static final Duration REFUSAL_RECORDED_EVERY = Duration.ofMinutes(1);

    private final TokenStore store;
    /**
     * The cache. A reload builds a complete new map and swaps it in, so that a request never sees a
     * half-loaded cache (and refuses a valid token meanwhile).
     */
    private volatile Map<UUID, ScimToken> byId = new ConcurrentHashMap<>();
    private final Set<UUID> usedSinceFlush = ConcurrentHashMap.newKeySet();
    /**
     * When each retired token's refusal was last recorded (see {@link #toRecord}); only tokens refused
     * within the last minute, once {@link #forgetRetired} has run.
     */
    private final Map<UUID, Instant> retiredRefusalsRecorded = new ConcurrentHashMap<>();
    /** Tokens revoked here whose revocation is being written: until it commits, a reload could read them unrevoked. */
    private final Set<UUID> revoking = ConcurrentHashMap.newKeySet();
    private volatile Consumer<UUID> onRevoked = id -> { };
    /** Reloads reading the database now; guarded by this. */
    private int reloadsRunning;
    /** Tokens changed here while a reload was reading: their cached state is newer than its read. Guarded by this. */
    private final Set<UUID> changedDuringReload = new HashSet<>();
    /**
     * Organisations erased, each with when this instance heard of it, for {@link #RETIRED_KEPT}: a token
     * read of one before its erasure committed and answered after it was forgotten is not cached again
     * (its rows go later; one that never expires stayed for good). Changed under this.
     */
    private final Map<UUID, Instant> erasedOrganizations = new ConcurrentHashMap<>();

    public TokenService(TokenStore store) {
        this.store = store;
    }

    /** Who a valid token speaks for. */
    public record Caller(UUID orgId, UUID tokenId) {
    }

    /** Told the id of each token revoked, here or by another instance, or gone with its organisation. */
    public void onRevoked(Consumer<UUID> listener) {
        this.onRevoked = listener;
    }

    public Future<Void> load(List<Organization> orgs) {
        return read(orgs, byId);
    }

    /**
     * One organisation after the other, like the other loaders: all at once would fill the database
     * wait queue (and be refused) with many organisations.
     */
    private Future<Void> read(List<Organization> orgs, Map<UUID, ScimToken> into) {
        return OneAfterAnother.forEach(orgs, org -> store.unrevoked(org.id()).map(tokens -> {
            Instant now = Instant.now();
            tokens.stream().filter(t -> !pastKeeping(t, now)).forEach(t -> into.put(t.id(), t));
            return null;
        }));
    }

    /** Applies a change to the cache, noting it for a reload that is reading meanwhile. */
    private synchronized void change(UUID tokenId, Consumer<Map<UUID, ScimToken>> edit) {
        edit.accept(byId);
        if (reloadsRunning > 0) {
            changedDuringReload.add(tokenId);
        }
    }

    /**
     * Reloads one token another instance created or revoked. Revocation is final: a read that started
     * before a revocation and ends after it cannot bring the token back. The last use this instance
     * saw is kept. A token revoked or expired longer than {@link #RETIRED_KEPT} ago is not kept at all.
     */
    public Future<Void> refresh(UUID orgId, UUID tokenId) {
        return store.find(orgId, tokenId).map(t -> {
            if (t != null && t.revokedAt() != null) {
                onRevoked.accept(tokenId);
            }
            change(tokenId, m -> {
                if (t == null || erasedOrganizations.containsKey(orgId) || pastKeeping(t, Instant.now())) {
                    m.remove(tokenId);
                } else {
                    m.merge(tokenId, t, TokenService::newer);
                }
            });
            return null;
        });
    }

    private static ScimToken newer(ScimToken mine, ScimToken theirs) {
        if (mine.revokedAt() != null) {
            return mine;
        }
        if (mine.lastUsedAt() == null || (theirs.lastUsedAt() != null && theirs.lastUsedAt().isAfter(mine.lastUsedAt()))) {
            return theirs;
        }
        return theirs.lastUsedAt(mine.lastUsedAt());
    }

    /**
     * Replaces the cache with the database's tokens, after changes may have been missed (a lost change
     * feed). The old cache keeps answering until the new one is complete, then the new one is swapped
     * in at once: valid tokens keep working throughout, and a token revoked meanwhile is gone from the
     * new one. Changes made here during the read (issued, revoked, refreshed) are newer than the read
     * and are carried over; a revoked token stays revoked. On failure the old cache stays.
     */
    public Future<Void> reload(List<Organization> orgs) {
        synchronized (this) {
            reloadsRunning++;
        }
        Map<UUID, ScimToken> fresh = new ConcurrentHashMap<>();
        return read(orgs, fresh).andThen(ar -> swapIn(ar.succeeded() ? fresh : null));
    }

    private synchronized void swapIn(Map<UUID, ScimToken> fresh) {
        reloadsRunning--;
        if (fresh != null) {
            Map<UUID, ScimToken> old = byId;
            for (ScimToken mine : old.values()) {
                ScimToken read = fresh.get(mine.id());
                if (mine.revokedAt() != null) {
                    // Revocation is final, even if its write has not committed yet.
                    fresh.put(mine.id(), mine);
                } else if (read != null && mine.lastUsedAt() != null) {
                    fresh.put(read.id(), newer(mine, read));
                }
            }
            for (UUID id : changedDuringReload) {
                ScimToken current = old.get(id);
                if (current == null) {
                    fresh.remove(id);
                } else {
                    fresh.merge(id, current, (read, mine) -> newer(mine, read));
                }
            }
            byId = fresh;
        }
        if (reloadsRunning == 0) {
            changedDuringReload.clear();
        }
    }

    /**
     * @param ttlDays 0 for a token that never expires
     */
    public Future<IssuedToken> issue(UUID orgId, String description, int ttlDays) {
        UUID id = Ids.newId();
        String secret = CompositeToken.mint(PREFIX, orgId, id);
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        Instant expires = ttlDays == 0 ? null : now.plus(Duration.ofDays(ttlDays));
        ScimToken token = new ScimToken(orgId, id, Secrets.sha256(secret), description, now, expires, null, null);
        return store.insert(token).map(t -> {
            change(t.id(), m -> m.put(t.id(), t));
            return new IssuedToken(t, secret);
        });
    }

    /**
     * The organisation's tokens that have not been revoked, oldest first, read from the database: other
     * instances write the last use they saw every {@code tokens.last-used-flush-seconds} without a
     * notification, so this instance's cache alone would show a token an identity provider uses through
     * another instance as unused. A later use seen here and not written yet wins; a token revoked here
     * is left out even before its revocation commits. Authentication keeps to the cache.
     */
    public Future<List<ScimToken>> list(UUID orgId) {
        return store.unrevoked(orgId).map(read -> {
            List<ScimToken> out = new ArrayList<>();
            for (ScimToken stored : read) {
                ScimToken mine = byId.get(stored.id());
                if (mine == null) {
                    out.add(stored);
                } else if (mine.revokedAt() == null) {
                    out.add(newer(mine, stored));
                }
            }
            out.sort(Comparator.comparing(ScimToken::createdAt).thenComparing(ScimToken::id));
            return out;
        });
    }

    /** Revokes at once; false when the organisation has no such token. */
    public Future<Boolean> revoke(UUID orgId, UUID tokenId) {
        ScimToken t = byId.get(tokenId);
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        if (t == null) {
            // Expired and forgotten, yet still in the admin's list: the database alone knows it.
            return store.revoke(orgId, tokenId, now);
        }
        if (!t.orgId().equals(orgId) || t.revokedAt() != null) {
            return Future.succeededFuture(false);
        }
        // Stop accepting it before the write, so no request slips in while the database answers.
        revoking.add(tokenId);
        change(tokenId, m -> m.put(tokenId, t.revokedAt(now)));
        onRevoked.accept(tokenId);
        // The revoked entry stays in the cache as a tombstone, so a late reload cannot revive it.
        return store.revoke(orgId, tokenId, now)
                .onFailure(e -> change(tokenId, m -> m.put(tokenId, t)))
                .onComplete(ar -> revoking.remove(tokenId));
    }

    /**
     * Drops every token of an erased organisation, and what was noted of their use: they are refused as
     * tokens nobody issued. A reload reading meanwhile drops them too, and a refresh answered later
     * caches none of them again.
     */
    public void forgetOrganization(UUID orgId) {
        // Under the lock refresh merges under: one merged before is seen below, one after is skipped.
        synchronized (this) {
            erasedOrganizations.put(orgId, Instant.now());
        }
        for (ScimToken t : byId.values()) {
            if (t.orgId().equals(orgId)) {
                change(t.id(), m -> m.remove(t.id()));
                usedSinceFlush.remove(t.id());
                retiredRefusalsRecorded.remove(t.id());
                onRevoked.accept(t.id());
            }
        }
    }

    /**
     * Drops the tokens revoked or expired longer than {@link #RETIRED_KEPT} ago, a revoked one once its
     * revocation has committed (a reload reads them no more), the refusal times no longer needed and
     * the erased organisations heard of longer ago; to be called every minute or so. A reload reading meanwhile drops them too.
     */
    public void forgetRetired(Instant now) {
        for (ScimToken t : byId.values()) {
            if (pastKeeping(t, now) && !revoking.contains(t.id())) {
                change(t.id(), m -> m.computeIfPresent(t.id(), (id, current) -> pastKeeping(current, now) ? null : current));
            }
        }
        retiredRefusalsRecorded.values().removeIf(last -> !now.isBefore(last.plus(REFUSAL_RECORDED_EVERY)));
        erasedOrganizations.values().removeIf(at -> !now.isBefore(at.plus(RETIRED_KEPT)));
    }

    /** Revoked or expired longer than {@link #RETIRED_KEPT} ago; the earlier of the two counts. */
    private static boolean pastKeeping(ScimToken t, Instant now) {
        Instant retired = t.revokedAt();
        if (t.expiresAt() != null && (retired == null || t.expiresAt().isBefore(retired))) {
            retired = t.expiresAt();
        }
        return retired != null && !now.isBefore(retired.plus(RETIRED_KEPT));
    }

    /** How many tokens the cache holds, revoked and expired ones included. */
    int cached() {
        return byId.size();
    }

    /** How many retired tokens' refusal times are held. */
    int refusalTimesHeld() {
        return retiredRefusalsRecorded.size();
    }

    /**
     * Checks an {@code Authorization} header value.
     *
     * @throws ScimException 401 for a missing, malformed, unknown, revoked or expired token
     */
    public Caller authenticate(String authorization, Instant now) {
        if (authorization == null || authorization.isBlank()) {
            throw ScimException.unauthorized("Authentication required: send 'Authorization: Bearer <SCIM token>'.");
        }
        String value = authorization.trim();
        if (value.length() < 7 || !value.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw ScimException.unauthorized("The Authorization header must use the Bearer scheme.");
        }
        String presented = value.substring(7).trim();
        ScimToken token = find(presented);
        if (token == null || !Secrets.matches(presented, token.hash())) {
            throw ScimException.unauthorized("The SCIM token is not valid.");
        }
        if (token.revokedAt() != null) {
            throw new RetiredTokenException(token.orgId(), token.id(), "The SCIM token has been revoked.", toRecord(token, now));
        }
        if (token.expiresAt() != null && !now.isBefore(token.expiresAt())) {
            throw new RetiredTokenException(token.orgId(), token.id(), "The SCIM token has expired.", toRecord(token, now));
        }
        // Last use to the second is all an admin needs; finer would rewrite the cache on every request.
        if (token.lastUsedAt() == null || token.lastUsedAt().isBefore(now.minusSeconds(1))) {
            byId.computeIfPresent(token.id(), (k, t) -> t.lastUsedAt() == null || t.lastUsedAt().isBefore(now)
                    ? t.lastUsedAt(now.truncatedTo(ChronoUnit.MILLIS)) : t);
            usedSinceFlush.add(token.id());
        }
        return new Caller(token.orgId(), token.id());
    }

    /** True for the first refusal of a retired token in each minute, on this server. */
    private boolean toRecord(ScimToken token, Instant now) {
        boolean[] first = {false};
        retiredRefusalsRecorded.compute(token.id(), (id, last) -> {
            if (last == null || !now.isBefore(last.plus(REFUSAL_RECORDED_EVERY))) {
                first[0] = true;
                return now;
            }
            return last;
        });
        return first[0];
    }

    private ScimToken find(String presented) {
        CompositeToken ids = CompositeToken.parse(PREFIX, presented);
        if (ids == null) {
            return null;
        }
        ScimToken t = byId.get(ids.recordId());
        return t != null && t.orgId().equals(ids.orgId()) ? t : null;
    }

    /** Writes the last use of the tokens used since the previous flush. */
    public Future<Void> flushLastUse() {
        if (usedSinceFlush.isEmpty()) {
            return Future.succeededFuture();
        }
        List<ScimToken> used = new ArrayList<>();
        for (UUID id : List.copyOf(usedSinceFlush)) {
            usedSinceFlush.remove(id);
            ScimToken t = byId.get(id);
            if (t != null && t.lastUsedAt() != null) {
                used.add(t);
            }
        }
        return store.recordLastUse(used).onFailure(e -> {
            LOG.warn("Token last-use times could not be written; will retry: {}", e.getMessage());
            used.forEach(t -> usedSinceFlush.add(t.id()));
        });
    }
}
