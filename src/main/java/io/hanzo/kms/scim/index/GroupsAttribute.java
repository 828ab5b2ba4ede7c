package io.hanzo.kms.scim.index;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Set;
import java.util.UUID;

/**
 * A user's read-only {@code groups} attribute (RFC 7643 §4.1.2). It is derived from the group
 * index's memberships, never stored with the user, so every reader of it (the rendered user, a
 * filter or a sort that names it) builds it here, from the same memberships.
 */
public final class GroupsAttribute {
    public static final String NAME = "groups";

    private final String groupsEndpointUrl;

    /** @param groupsEndpointUrl absolute URL of /Groups, for each group's {@code $ref} */
    public GroupsAttribute(String groupsEndpointUrl) {
        this.groupsEndpointUrl = groupsEndpointUrl;
    }

    /** The groups, in the order given; a group the index no longer holds is left out. */
    public ArrayNode values(GroupIndex index, Set<UUID> groupIds) {
        ArrayNode list = JsonNodeFactory.instance.arrayNode(groupIds.size());
        for (UUID gid : groupIds) {
            IndexedGroup g = index.get(gid);
            if (g != null) {
                list.addObject()
                        .put("value", gid.toString())
                        .put("$ref", groupsEndpointUrl + "/" + gid)
                        .put("display", g.row().displayName())
                        .put("type", "direct");
            }
        }
        return list;
    }

    /**
     * Sets the user's groups on a tree of the user, as the rendered user has them: no member at all
     * for a user in no group.
     */
    public ObjectNode addTo(ObjectNode user, GroupIndex index, UUID userId) {
        Set<UUID> groupIds = index.groupsOf(userId);
        if (!groupIds.isEmpty()) {
            user.set(NAME, values(index, groupIds));
        }
        return user;
    }
}
