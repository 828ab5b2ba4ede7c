package io.hanzo.kms.scim.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hanzo.kms.scim.admin.ScimToken;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/** How a token is listed: an expired one says so, rather than "expiring soon". */
class AdminJsonTest {
    private static final Instant NOW = Instant.parse("2026-12-05T12:00:00Z");
    private static final Instant WARN_AFTER = NOW.plus(Duration.ofDays(14));

    @Test
    void aTokenIsExpiredExpiringSoonOrNeither() {
        assertThat(flags(NOW.minusSeconds(1))).isEqualTo("expired");
        assertThat(flags(NOW)).as("at its expiry instant it is refused, so expired").isEqualTo("expired");
        assertThat(flags(NOW.plus(Duration.ofDays(3)))).isEqualTo("expiringSoon");
        assertThat(flags(NOW.plus(Duration.ofDays(30)))).isEqualTo("neither");
        assertThat(flags(null)).as("a token that never expires").isEqualTo("neither");
    }

    private static String flags(Instant expiresAt) {
        ScimToken t = new ScimToken(UUID.randomUUID(), UUID.randomUUID(), new byte[32], "t", NOW.minus(Duration.ofDays(60)),
                expiresAt, null, null);
        ObjectNode n = AdminJson.token(t, NOW, WARN_AFTER);
        boolean expired = n.get("expired").booleanValue();
        boolean soon = n.get("expiringSoon").booleanValue();
        assertThat(expired && soon).as("both flags").isFalse();
        return expired ? "expired" : soon ? "expiringSoon" : "neither";
    }
}
