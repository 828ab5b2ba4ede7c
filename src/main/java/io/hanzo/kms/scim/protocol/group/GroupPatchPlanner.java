package io.hanzo.kms.scim.protocol.group;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hanzo.kms.scim.protocol.ScimException;
import io.hanzo.kms.scim.protocol.ScimUris;
import io.hanzo.kms.scim.protocol.filter.CompareOp;
import io.hanzo.kms.scim.protocol.filter.Filter;
import io.hanzo.kms.scim.protocol.filter.PatchPath;
import io.hanzo.kms.scim.protocol.patch.PatchOp;
import io.hanzo.kms.scim.protocol.patch.PatchOperation;
import io.hanzo.kms.scim.protocol.patch.PatchRequest;
import io.hanzo.kms.scim.protocol.tolerance.IdpTolerance;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a group PATCH into attribute operations and membership operations, accepting every form the
 * big identity providers send:
 * <ul>
 *   <li>{@code {"op":"add","path":"members","value":[{"value":"id"}]}}</li>
 *   <li>{@code {"op":"remove","path":"members[value eq \"id\"]"}}, also with {@code or} of several ids</li>
 *   <li>{@code {"op":"Remove","path":"members","value":[{"value":"id"}]}} (Entra)</li>
 *   <li>{@code {"op":"remove","path":"members"}}: every member</li>
 *   <li>{@code {"op":"replace","path":"members","value":[...]}}: exactly these members</li>
 *   <li>{@code {"op":"replace","value":{"id":"...","displayName":"..."}}} (Okta; {@code id} ignored),
 *       and a path-less add or replace whose value holds {@code members}</li>
 * </ul>
 */
public final class GroupPatchPlanner {

    private GroupPatchPlanner() {
    }

    public static GroupPatchPlan plan(PatchRequest request) {
        List<PatchOperation> attributeOps = new ArrayList<>();
        List<MemberOp> memberOps = new ArrayList<>();
        for (PatchOperation op : request.operations()) {
            if (op.path() == null) {
                splitPathless(op, attributeOps, memberOps);
            } else if (isMembers(op.path())) {
                memberOps.add(memberOp(op));
            } else {
                attributeOps.add(op);
            }
        }
        return new GroupPatchPlan(attributeOps, memberOps);
    }

    private static void splitPathless(PatchOperation op, List<PatchOperation> attributeOps, List<MemberOp> memberOps) {
        if (op.value() == null || !op.value().isObject()) {
            // The PATCH engine reports the precise error for a path-less value that is not an object.
            attributeOps.add(op);
            return;
        }
        ObjectNode rest = ((ObjectNode) op.value()).deepCopy();
        JsonNode members = MemberValues.takeFrom(rest);
        if (members != null) {
            List<String> ids = MemberValues.ids(members);
            memberOps.add(op.op() == PatchOp.REPLACE
                    ? new MemberOp(MemberOp.Kind.REPLACE_ALL, ids)
                    : new MemberOp(MemberOp.Kind.ADD, ids));
        }
        if (!rest.isEmpty()) {
            attributeOps.add(new PatchOperation(op.op(), null, rest));
        }
    }

    private static boolean isMembers(PatchPath path) {
        String urn = path.attribute().schemaUrn();
        return path.attribute().attribute().equalsIgnoreCase("members")
                && (urn == null || urn.equalsIgnoreCase(ScimUris.CORE_GROUP));
    }

    private static MemberOp memberOp(PatchOperation op) {
        PatchPath path = op.path();
        if (path.attribute().subAttribute() != null || path.subAttribute() != null) {
            throw ScimException.invalidPath("Change members as whole entries: use the path 'members' or "
                    + "'members[value eq \"<id>\"]', not '" + path + "'.");
        }
        if (path.valueFilter() != null) {
            if (op.op() != PatchOp.REMOVE) {
                throw ScimException.invalidPath("A filtered members path can only be removed; add members with "
                        + "the path 'members' and a list of values.");
            }
            List<String> ids = new ArrayList<>();
            collectValueIds(path.valueFilter(), ids);
            return new MemberOp(MemberOp.Kind.REMOVE, ids);
        }
        switch (op.op()) {
            case ADD:
                return new MemberOp(MemberOp.Kind.ADD, MemberValues.ids(op.value()));
            case REPLACE:
                return new MemberOp(MemberOp.Kind.REPLACE_ALL, MemberValues.ids(op.value()));
            default:
                if (op.value() == null || op.value().isNull()) {
                    return MemberOp.removeAll();
                }
                // A value names the members to remove, so an empty list removes none: an IdP that sends
                // its list of leavers without checking it for emptiness must not empty the group.
                List<String> ids = MemberValues.ids(op.value());
                if (!IdpTolerance.PATCH_REMOVE_WITH_VALUE.accepted()) {
                    throw ScimException.invalidValue("'remove' takes no value; choose members with "
                            + "'members[value eq \"<id>\"]'.");
                }
                return new MemberOp(MemberOp.Kind.REMOVE, ids);
        }
    }

    /** Accepts {@code value eq "a"} and any {@code or} of such comparisons. */
    private static void collectValueIds(Filter f, List<String> ids) {
        if (f instanceof Filter.Or or) {
            collectValueIds(or.left(), ids);
            collectValueIds(or.right(), ids);
            return;
        }
        if (f instanceof Filter.Compare c && c.op() == CompareOp.EQ && c.path().schemaUrn() == null
                && c.path().subAttribute() == null && c.path().attribute().equalsIgnoreCase("value")
                && c.value().isValueNode() && !c.value().isNull()) {
            ids.add(c.value().asText());
            return;
        }
        throw ScimException.invalidFilter("Members can be selected for removal by 'value eq \"<id>\"' (joined with "
                + "'or'), not by '" + f + "'.");
    }
}
