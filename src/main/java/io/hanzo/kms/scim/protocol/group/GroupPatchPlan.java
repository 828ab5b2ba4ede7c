package io.hanzo.kms.scim.protocol.group;

import io.hanzo.kms.scim.protocol.patch.PatchOperation;

import java.util.List;

/**
 * A group PATCH split in two: operations on the group's own attributes (displayName, externalId),
 * applied to the group row, and membership changes, applied as row operations in request order.
 */
public record GroupPatchPlan(List<PatchOperation> attributeOps, List<MemberOp> memberOps) {

    public GroupPatchPlan {
        attributeOps = List.copyOf(attributeOps);
        memberOps = List.copyOf(memberOps);
    }

    public boolean changesAttributes() {
        return !attributeOps.isEmpty();
    }
}
