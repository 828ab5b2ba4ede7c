package io.hanzo.kms.scim.store.pg;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What an event keeps of the text a client sent. */
class EventTextTest {
    @Test
    void eventsKeepAtMostAThousandCharactersOfAField() {
        String kept = PgEventStore.storable("POST /Bulk: " + "G".repeat(200_000));
        assertThat(kept).hasSize(PgEventStore.MAX_TEXT + 1).endsWith("\u2026").startsWith("POST /Bulk: GGG");
        // A pair of surrogates is not cut in two.
        String emoji = "x".repeat(PgEventStore.MAX_TEXT - 1) + "\ud83d\ude00" + "y";
        assertThat(PgEventStore.storable(emoji)).isEqualTo("x".repeat(PgEventStore.MAX_TEXT - 1) + "\u2026");
        assertThat(PgEventStore.storable("PATCH /Groups\u0000")).isEqualTo("PATCH /Groups\uFFFD");
        assertThat(PgEventStore.storable(null)).isNull();
    }
}
