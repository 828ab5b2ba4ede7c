package io.hanzo.kms.scim.protocol.group;

import java.util.List;

/**
 * One change to a group's membership, as a set operation the database applies row by row.
 *
 * @param ids member ids as the client wrote them; ids that name no user of the organisation are
 *            skipped when the change is applied, not refused
 */
public record MemberOp(Kind kind, List<String> ids) {

    public enum Kind {
        /** Add these members; ones already present are left alone. */
        ADD,
        /** Remove these members; ones already absent are ignored. */
        REMOVE,
        /** Remove every member. */
        REMOVE_ALL,
        /** Make the membership exactly these members. */
        REPLACE_ALL
    }

    public MemberOp {
        ids = List.copyOf(ids);
    }

    public static MemberOp removeAll() {
        return new MemberOp(Kind.REMOVE_ALL, List.of());
    }
}
