package io.hanzo.kms.scim.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hanzo.kms.scim.protocol.ScimException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Revoked tokens are refused as revoked for {@link TokenService#RETIRED_KEPT}, then forgotten and
 * refused as unknown: a server that sees tokens issued and revoked all day does not keep them all.
 * Expired tokens nobody revoked likewise, from their expiry.
 */
class RevokedTokensKeptTest {
    private static final UUID ORG = UUID.randomUUID();
    private static final List<Organization> ORGS = List.of(new Organization(ORG, "Org", Plan.PRO, true, Role.MEMBER,
            Instant.now(), Instant.now()));

    private static String refusal(TokenService tokens, String secret, Instant at) {
        try {
            tokens.authenticate("Bearer " + secret, at);
        } catch (ScimException e) {
            assertThat(e.status()).isEqualTo(401);
            return e.detail();
        }
        throw new AssertionError("the token was accepted");
    }

    /**
     * Within the time promised, nothing of the retired tokens is forgotten but the refusal times (a
     * minute each); then the tokens are, all but the one still valid.
     *
     * @return when they were forgotten
     */
    private static Instant keptThenForgotten(TokenService tokens, List<String> retired, Instant retiredBy, String refused) {
        Instant later = retiredBy.plus(TokenService.RETIRED_KEPT).minusSeconds(1);
        tokens.forgetRetired(later);
        assertThat(tokens.cached()).isEqualTo(retired.size() + 1);
        assertThat(tokens.refusalTimesHeld()).isZero();
        assertThat(refusal(tokens, retired.get(0), later)).isEqualTo(refused);

        Instant past = retiredBy.plus(TokenService.RETIRED_KEPT);
        tokens.forgetRetired(past);
        assertThat(tokens.cached()).as("only the token still valid").isEqualTo(1);
        for (String secret : retired) {
            assertThat(refusal(tokens, secret, past)).isEqualTo("The SCIM token is not valid.");
        }
        return past;
    }

    @Test
    void revokedTokensAreRefusedAsRevokedForAWhileThenForgotten() {
        TokenReloadTest.HeldStore store = new TokenReloadTest.HeldStore();
        TokenService tokens = new TokenService(store);
        String kept = tokens.issue(ORG, "kept", 0).result().secret();
        List<String> revoked = new ArrayList<>();
        Instant start = Instant.now();
        for (int i = 0; i < 100; i++) {
            IssuedToken t = tokens.issue(ORG, "rotated " + i, 0).result();
            tokens.authenticate("Bearer " + t.secret(), start);
            assertThat(tokens.revoke(ORG, t.token().id()).result()).isTrue();
            revoked.add(t.secret());
        }
        Instant revokedBy = Instant.now();
        for (String secret : revoked) {
            assertThat(refusal(tokens, secret, revokedBy)).isEqualTo("The SCIM token has been revoked.");
        }
        assertThat(tokens.refusalTimesHeld()).isEqualTo(100);

        tokens.forgetRetired(revokedBy.plusSeconds(30));
        assertThat(tokens.refusalTimesHeld()).isEqualTo(100);
        Instant past = keptThenForgotten(tokens, revoked, revokedBy, "The SCIM token has been revoked.");
        tokens.authenticate("Bearer " + kept, past);
        // Nor does a reload bring them back.
        assertThat(tokens.reload(ORGS).succeeded()).isTrue();
        assertThat(tokens.cached()).isEqualTo(1);
    }

    @Test
    void aTokenRevokedByAnotherInstanceIsKeptAsLongAndThenNotAtAll() {
        TokenReloadTest.HeldStore store = new TokenReloadTest.HeldStore();
        IssuedToken issued = new TokenService(store).issue(ORG, "revoked elsewhere", 0).result();
        TokenService tokens = new TokenService(store);
        assertThat(tokens.load(ORGS).succeeded()).isTrue();
        List<UUID> told = new ArrayList<>();
        tokens.onRevoked(told::add);

        Instant revokedAt = Instant.now();
        store.revoke(ORG, issued.token().id(), revokedAt);
        assertThat(tokens.refresh(ORG, issued.token().id()).succeeded()).isTrue();
        assertThat(told).as("so that its rate-limit bucket goes").containsExactly(issued.token().id());
        assertThat(refusal(tokens, issued.secret(), revokedAt)).isEqualTo("The SCIM token has been revoked.");

        tokens.forgetRetired(revokedAt.plus(TokenService.RETIRED_KEPT));
        assertThat(tokens.cached()).isZero();
        // A late notification of the old revocation does not bring it back.
        store.rows.put(issued.token().id(), issued.token().revokedAt(revokedAt.minus(TokenService.RETIRED_KEPT)));
        assertThat(tokens.refresh(ORG, issued.token().id()).succeeded()).isTrue();
        assertThat(tokens.cached()).isZero();
        assertThat(refusal(tokens, issued.secret(), revokedAt)).isEqualTo("The SCIM token is not valid.");
    }

    @Test
    void expiredTokensAreRefusedAsExpiredForAWhileThenForgotten() {
        TokenReloadTest.HeldStore store = new TokenReloadTest.HeldStore();
        TokenService tokens = new TokenService(store);
        String kept = tokens.issue(ORG, "kept", 0).result().secret();
        List<String> expiring = new ArrayList<>();
        Instant expiry = Instant.MIN;
        for (int i = 0; i < 100; i++) {
            IssuedToken t = tokens.issue(ORG, "short-lived " + i, 1).result();
            tokens.authenticate("Bearer " + t.secret(), Instant.now());
            expiring.add(t.secret());
            expiry = t.token().expiresAt().isAfter(expiry) ? t.token().expiresAt() : expiry;
        }
        for (String secret : expiring) {
            assertThat(refusal(tokens, secret, expiry)).isEqualTo("The SCIM token has expired.");
        }
        assertThat(tokens.refusalTimesHeld()).isEqualTo(100);
        Instant past = keptThenForgotten(tokens, expiring, expiry, "The SCIM token has expired.");
        tokens.authenticate("Bearer " + kept, past);
    }

    @Test
    void aTokenLongExpiredIsNotLoadedAgainButCanStillBeRevoked() {
        TokenReloadTest.HeldStore store = new TokenReloadTest.HeldStore();
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        String valid = stored(store, now.plus(Duration.ofDays(1)));
        String lately = stored(store, now.minus(Duration.ofMinutes(10)));
        String longAgo = stored(store, now.minus(TokenService.RETIRED_KEPT).minus(Duration.ofMinutes(1)));
        TokenService tokens = new TokenService(store);
        assertThat(tokens.load(ORGS).succeeded()).isTrue();

        assertThat(tokens.cached()).isEqualTo(2);
        tokens.authenticate("Bearer " + valid, now);
        assertThat(refusal(tokens, lately, now)).isEqualTo("The SCIM token has expired.");
        assertThat(refusal(tokens, longAgo, now)).isEqualTo("The SCIM token is not valid.");
        assertThat(tokens.reload(ORGS).succeeded()).isTrue();
        assertThat(tokens.cached()).isEqualTo(2);
        assertThat(refusal(tokens, longAgo, now)).isEqualTo("The SCIM token is not valid.");

        // The admin's list still shows it, read from the database; revoking it is not refused as unknown.
        UUID longAgoId = CompositeToken.parse(TokenService.PREFIX, longAgo).recordId();
        assertThat(tokens.list(ORG).result()).extracting(ScimToken::id).contains(longAgoId);
        assertThat(tokens.revoke(UUID.randomUUID(), longAgoId).result()).as("another organisation's").isFalse();
        assertThat(store.rows.get(longAgoId).revokedAt()).isNull();
        assertThat(tokens.revoke(ORG, longAgoId).result()).isTrue();
        assertThat(store.rows.get(longAgoId).revokedAt()).isNotNull();
        assertThat(tokens.revoke(ORG, longAgoId).result()).as("once").isFalse();
    }

    private static String stored(TokenReloadTest.HeldStore store, Instant expiresAt) {
        UUID id = UUID.randomUUID();
        String secret = CompositeToken.mint(TokenService.PREFIX, ORG, id);
        store.insert(new ScimToken(ORG, id, Secrets.sha256(secret), "stored", expiresAt.minus(Duration.ofDays(1)),
                expiresAt, null, null));
        return secret;
    }
}
