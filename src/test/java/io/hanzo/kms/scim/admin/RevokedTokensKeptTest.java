package io.hanzo.kms.scim.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hanzo.kms.scim.protocol.ScimException;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Revoked tokens are refused as revoked for {@link TokenService#REVOKED_KEPT}, then forgotten and
 * refused as unknown: a server that sees tokens issued and revoked all day does not keep them all.
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

        // Within the time promised, nothing is forgotten but the refusal times (a minute each).
        Instant later = revokedBy.plus(TokenService.REVOKED_KEPT).minusSeconds(1);
        tokens.forgetRetired(revokedBy.plusSeconds(30));
        assertThat(tokens.refusalTimesHeld()).isEqualTo(100);
        tokens.forgetRetired(later);
        assertThat(tokens.cached()).isEqualTo(101);
        assertThat(tokens.refusalTimesHeld()).isZero();
        assertThat(refusal(tokens, revoked.get(0), later)).isEqualTo("The SCIM token has been revoked.");

        Instant past = revokedBy.plus(TokenService.REVOKED_KEPT);
        tokens.forgetRetired(past);
        assertThat(tokens.cached()).as("only the token not revoked").isEqualTo(1);
        tokens.forgetRetired(past.plusSeconds(60));
        assertThat(tokens.refusalTimesHeld()).isZero();
        for (String secret : revoked) {
            assertThat(refusal(tokens, secret, past)).isEqualTo("The SCIM token is not valid.");
        }
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

        tokens.forgetRetired(revokedAt.plus(TokenService.REVOKED_KEPT));
        assertThat(tokens.cached()).isZero();
        // A late notification of the old revocation does not bring it back.
        store.rows.put(issued.token().id(), issued.token().revokedAt(revokedAt.minus(TokenService.REVOKED_KEPT)));
        assertThat(tokens.refresh(ORG, issued.token().id()).succeeded()).isTrue();
        assertThat(tokens.cached()).isZero();
        assertThat(refusal(tokens, issued.secret(), revokedAt)).isEqualTo("The SCIM token is not valid.");
    }
}
