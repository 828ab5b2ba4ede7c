package io.hanzo.kms.scim.index;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import java.util.UUID;

/**
 * An erased organisation's indexes go, and none is made for it again for a while: not by a request
 * that passed its token's check a moment before, nor by a reload read before the erasure.
 */
class DirectoryIndexErasureTest {
    @Test
    void anErasedOrganisationKeepsNoIndexUntilItsIdIsForgotten() {
        DirectoryIndex index = new DirectoryIndex();
        UUID erased = UUID.randomUUID();
        UUID kept = UUID.randomUUID();
        index.groups(erased);
        index.users(kept);
        long now = 0;

        index.forget(erased, now);
        assertThat(index.holds(erased)).isFalse();
        assertThat(index.holds(kept)).isTrue();

        assertThat(index.users(erased).size()).isZero();
        assertThat(index.groups(erased).size()).isZero();
        UserIndex reloaded = new UserIndex();
        index.replace(erased, reloaded, new GroupIndex(reloaded));
        assertThat(index.holds(erased)).as("made again").isFalse();

        index.expireTombstones(now + DirectoryIndex.ERASED_KEPT.toNanos() - 1);
        index.users(erased);
        assertThat(index.holds(erased)).as("still erased").isFalse();
        index.expireTombstones(now + DirectoryIndex.ERASED_KEPT.toNanos());
        index.users(erased);
        assertThat(index.holds(erased)).as("forgotten").isTrue();
    }
}
