package io.hanzo.kms.scim.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hanzo.kms.scim.protocol.group.MemberOp;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.UUID;

/** Membership PATCHes composed in arrival order into one net set change. */
class MemberPatchBatchTest {
    private static final UUID A = UUID.fromString("00000000-0000-7000-8000-00000000000a");
    private static final UUID B = UUID.fromString("00000000-0000-7000-8000-00000000000b");
    private static final UUID C = UUID.fromString("00000000-0000-7000-8000-00000000000c");

    @Test
    void anAddThenARemoveOfOneIdNetsToARemoveAndARemoveThenAnAddToAnAdd() {
        MemberPatchBatch batch = new MemberPatchBatch(List.of(
                patch(MemberOp.Kind.ADD, A), patch(MemberOp.Kind.REMOVE, B), patch(MemberOp.Kind.REMOVE, A),
                patch(MemberOp.Kind.ADD, B), patch(MemberOp.Kind.ADD, C)));

        assertThat(batch.netAdded()).containsExactlyInAnyOrder(B, C);
        assertThat(batch.netRemoved()).containsExactly(A);
        // Every added id is checked against the users, even one a later request removes.
        assertThat(batch.toCheck()).containsExactlyInAnyOrder(A, B, C);
    }

    @Test
    void operationsInsideOneRequestComposeInTheirOrderToo() {
        MemberPatch both = new MemberPatch(List.of(new MemberOp(MemberOp.Kind.REMOVE, List.of(A.toString())),
                new MemberOp(MemberOp.Kind.ADD, List.of(A.toString()))), null);
        MemberPatchBatch batch = new MemberPatchBatch(List.of(both));

        assertThat(batch.netAdded()).containsExactly(A);
        assertThat(batch.netRemoved()).isEmpty();
    }

    @Test
    void eachRequestSkipsOnlyTheIdsItAddedThatAreNotUsers() {
        MemberPatchBatch batch = new MemberPatchBatch(List.of(
                new MemberPatch(List.of(new MemberOp(MemberOp.Kind.ADD, List.of(A.toString(), "not-a-uuid"))), null),
                patch(MemberOp.Kind.ADD, B),
                new MemberPatch(List.of(new MemberOp(MemberOp.Kind.REMOVE, List.of("also-not-a-uuid", C.toString()))), null)));

        Set<UUID> users = Set.of(A);
        assertThat(batch.skipped(0, users)).containsExactly("not-a-uuid");
        assertThat(batch.skipped(1, users)).containsExactly(B.toString());
        // A remove of an id that is not a member is no error, and names nothing.
        assertThat(batch.skipped(2, users)).isEmpty();
        assertThat(batch.netRemoved()).containsExactly(C);
    }

    @Test
    void onlyAddsAndRemovesOfListedMembersAreBatched() {
        assertThatThrownBy(() -> new MemberPatch(List.of(MemberOp.removeAll()), null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new MemberPatch(List.of(new MemberOp(MemberOp.Kind.REPLACE_ALL, List.of())), null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static MemberPatch patch(MemberOp.Kind kind, UUID id) {
        return new MemberPatch(List.of(new MemberOp(kind, List.of(id.toString()))), null);
    }
}
