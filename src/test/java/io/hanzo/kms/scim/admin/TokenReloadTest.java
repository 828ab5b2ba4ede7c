package io.hanzo.kms.scim.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.hanzo.kms.scim.protocol.ScimException;
import io.hanzo.kms.scim.store.TokenStore;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reloading the token cache after a lost change feed: while the database is read, valid tokens keep
 * working; once the read is complete it replaces the cache at once; a token revoked meanwhile, here or
 * unheard of elsewhere, is refused afterwards, and one issued meanwhile keeps working.
 */
class TokenReloadTest {
    /** Tokens in memory; a read is taken at once and, while held, answered when {@link #release} says so. */
    static final class HeldStore implements TokenStore {
        final Map<UUID, ScimToken> rows = new ConcurrentHashMap<>();
        final List<Runnable> held = new ArrayList<>();
        boolean hold;
        boolean fail;

        @Override
        public Future<ScimToken> insert(ScimToken token) {
            rows.put(token.id(), token);
            return Future.succeededFuture(token);
        }

        @Override
        public Future<Boolean> revoke(UUID orgId, UUID tokenId, Instant at) {
            ScimToken t = rows.get(tokenId);
            if (t == null || !t.orgId().equals(orgId) || t.revokedAt() != null) {
                return Future.succeededFuture(false);
            }
            rows.put(tokenId, t.revokedAt(at));
            return Future.succeededFuture(true);
        }

        @Override
        public Future<ScimToken> find(UUID orgId, UUID tokenId) {
            ScimToken found = rows.get(tokenId);
            if (!hold) {
                return Future.succeededFuture(found);
            }
            Promise<ScimToken> p = Promise.promise();
            held.add(() -> p.complete(found));
            return p.future();
        }

        @Override
        public Future<List<ScimToken>> unrevoked(UUID orgId) {
            if (fail) {
                return Future.failedFuture("the database is down");
            }
            List<ScimToken> snapshot = rows.values().stream()
                    .filter(t -> t.orgId().equals(orgId) && t.revokedAt() == null).toList();
            if (!hold) {
                return Future.succeededFuture(snapshot);
            }
            Promise<List<ScimToken>> p = Promise.promise();
            held.add(() -> p.complete(snapshot));
            return p.future();
        }

        @Override
        public Future<Void> recordLastUse(Collection<ScimToken> tokens) {
            return Future.succeededFuture();
        }

        void release() {
            held.forEach(Runnable::run);
            held.clear();
        }
    }

    private static final UUID ORG = UUID.randomUUID();
    private static final List<Organization> ORGS = List.of(new Organization(ORG, "Org", Plan.PRO, true, Role.MEMBER,
            Instant.now(), Instant.now()));

    private static boolean accepted(TokenService tokens, String secret) {
        try {
            tokens.authenticate("Bearer " + secret, Instant.now());
            return true;
        } catch (ScimException e) {
            assertThat(e.status()).isEqualTo(401);
            return false;
        }
    }

    @Test
    void aReloadSwapsInACompleteCacheAndKeepsWhatChangedMeanwhile() {
        HeldStore store = new HeldStore();
        TokenService issuer = new TokenService(store);
        String kept = issuer.issue(ORG, "kept", 0).result().secret();
        IssuedToken revokedElsewhere = issuer.issue(ORG, "revoked elsewhere", 0).result();
        IssuedToken revokedHere = issuer.issue(ORG, "revoked here", 0).result();

        TokenService tokens = new TokenService(store);
        assertThat(tokens.load(ORGS).succeeded()).isTrue();
        assertThat(accepted(tokens, kept)).isTrue();
        assertThat(accepted(tokens, revokedElsewhere.secret())).isTrue();

        // Another instance revokes while this one's change feed is down: no notification arrives.
        store.revoke(ORG, revokedElsewhere.token().id(), Instant.now());

        store.hold = true;
        Future<Void> reload = tokens.reload(ORGS);
        assertThat(reload.isComplete()).isFalse();
        // While the database is read, the cache keeps answering.
        assertThat(accepted(tokens, kept)).isTrue();
        // Changes made here during the read.
        store.hold = false;
        String issuedMeanwhile = tokens.issue(ORG, "issued meanwhile", 0).result().secret();
        assertThat(tokens.revoke(ORG, revokedHere.token().id()).result()).isTrue();
        assertThat(accepted(tokens, revokedHere.secret())).isFalse();

        store.release();
        assertThat(reload.succeeded()).isTrue();
        assertThat(accepted(tokens, kept)).isTrue();
        assertThat(accepted(tokens, issuedMeanwhile)).as("issued during the reload").isTrue();
        assertThat(accepted(tokens, revokedHere.secret())).as("revoked here during the reload").isFalse();
        assertThat(accepted(tokens, revokedElsewhere.secret())).as("revoked unheard of before the reload").isFalse();
        assertThat(tokens.list(ORG).result()).extracting(ScimToken::description).containsExactlyInAnyOrder("kept", "issued meanwhile");
    }

    /** An erased organisation's tokens leave the cache, and their rate-limit buckets are told; another's stay. */
    @Test
    void anErasedOrganisationsTokensAreDropped() {
        HeldStore store = new HeldStore();
        TokenService tokens = new TokenService(store);
        UUID erased = UUID.randomUUID();
        IssuedToken used = tokens.issue(erased, "used", 0).result();
        IssuedToken unused = tokens.issue(erased, "unused", 0).result();
        String kept = tokens.issue(ORG, "kept", 0).result().secret();
        assertThat(accepted(tokens, used.secret())).isTrue();
        List<UUID> told = new ArrayList<>();
        tokens.onRevoked(told::add);

        tokens.forgetOrganization(erased);

        assertThat(tokens.cached()).isEqualTo(1);
        assertThat(told).containsExactlyInAnyOrder(used.token().id(), unused.token().id());
        assertThat(accepted(tokens, used.secret())).isFalse();
        assertThat(accepted(tokens, kept)).isTrue();
    }

    /** A token read before the erasure and answered after the organisation was forgotten stays forgotten. */
    @Test
    void aRefreshAnsweredAfterTheErasureCachesNoTokenOfIt() {
        HeldStore store = new HeldStore();
        UUID erased = UUID.randomUUID();
        IssuedToken elsewhere = new TokenService(store).issue(erased, "issued elsewhere", 0).result();
        TokenService tokens = new TokenService(store);
        store.hold = true;
        Future<Void> refreshed = tokens.refresh(erased, elsewhere.token().id());

        tokens.forgetOrganization(erased);
        store.release();

        assertThat(refreshed.succeeded()).isTrue();
        assertThat(tokens.cached()).isZero();
        assertThat(accepted(tokens, elsewhere.secret())).isFalse();
    }

    @Test
    void aFailedReloadKeepsTheCacheItHad() {
        HeldStore store = new HeldStore();
        String kept = new TokenService(store).issue(ORG, "kept", 0).result().secret();
        TokenService tokens = new TokenService(store);
        assertThat(tokens.load(ORGS).succeeded()).isTrue();
        store.fail = true;
        assertThat(tokens.reload(ORGS).failed()).isTrue();
        assertThat(accepted(tokens, kept)).isTrue();
    }
}
