package io.hanzo.kms.scim.store;

import io.hanzo.kms.scim.protocol.group.MemberOp;

import java.util.List;

/**
 * One request's membership change, to be written together with others queued on the same group.
 *
 * @param ops   only {@link MemberOp.Kind#ADD} and {@link MemberOp.Kind#REMOVE}, in request order
 * @param audit who asked, for the request's own event; null records none
 */
public record MemberPatch(List<MemberOp> ops, Audit audit) {

    public MemberPatch {
        ops = List.copyOf(ops);
        for (MemberOp op : ops) {
            if (!composable(op)) {
                throw new IllegalArgumentException("Only adds and removes of listed members are batched: " + op.kind());
            }
        }
    }

    /** Whether the operation can be composed with others into one set change. */
    public static boolean composable(MemberOp op) {
        return op.kind() == MemberOp.Kind.ADD || op.kind() == MemberOp.Kind.REMOVE;
    }
}
