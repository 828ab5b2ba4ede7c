package io.hanzo.kms.scim.protocol.group;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hanzo.kms.scim.protocol.ScimException;

import java.util.List;

/**
 * A Group body (POST or PUT) split into the group's own attributes and its member ids, which are
 * stored as rows of their own.
 *
 * @param memberIds the ids under {@code members}; empty when the body has none
 */
public record GroupBody(ObjectNode attributes, List<String> memberIds) {

    public static GroupBody split(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw ScimException.invalidSyntax("The request body must be a JSON object.");
        }
        ObjectNode attributes = ((ObjectNode) body).deepCopy();
        JsonNode members = MemberValues.takeFrom(attributes);
        return new GroupBody(attributes, members == null ? List.of() : MemberValues.ids(members));
    }
}
