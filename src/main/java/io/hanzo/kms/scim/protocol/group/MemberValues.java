package io.hanzo.kms.scim.protocol.group;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hanzo.kms.scim.protocol.ScimException;
import io.hanzo.kms.scim.protocol.ScimUris;
import io.hanzo.kms.scim.protocol.tolerance.IdpTolerance;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** Reads {@code members} values: {@code [{"value": "id", "$ref": ..., "type": "User"}, ...]}. */
public final class MemberValues {
    private static final String QUALIFIED = ScimUris.CORE_GROUP + ":members";
    /** More members than this in one request is refused rather than slowly applied. */
    public static final int MAX_PER_REQUEST = 100_000;

    private MemberValues() {
    }

    /**
     * The member ids in a value. A single object counts as a list of one; null is an empty list. A bare
     * string is the id, as {@code {"value": "<id>"}}. Any other entry that is not an object with a string
     * {@code value} makes the whole request invalid.
     */
    public static List<String> ids(JsonNode value) {
        List<String> out = new ArrayList<>();
        if (value == null || value.isNull()) {
            return out;
        }
        if (value.isArray()) {
            if (value.size() > MAX_PER_REQUEST) {
                throw ScimException.invalidValue("At most " + MAX_PER_REQUEST + " members can be changed in one request.");
            }
            for (JsonNode entry : value) {
                out.add(id(entry));
            }
        } else {
            if (!IdpTolerance.SINGLE_VALUE_FOR_MULTI_VALUED.accepted()) {
                throw ScimException.invalidValue("'members' must be an array such as [{\"value\": \"<user id>\"}].");
            }
            out.add(id(value));
        }
        return out;
    }

    /**
     * Whether a key of a group body or of a path-less PATCH value names the members: {@code members},
     * or qualified by the Group schema's URN (RFC 7644 §3.10), in any letter case.
     */
    public static boolean isMembersKey(String key) {
        return key.equalsIgnoreCase("members") || key.equalsIgnoreCase(QUALIFIED);
    }

    /**
     * Takes the members out of {@code object} (a group body, or a path-less PATCH value), whether
     * under {@code members}, its URN-qualified name, or inside an object named by the Group schema's
     * URN; null when it names none. Members are rows of their own and must never stay among the
     * stored attributes.
     *
     * @throws ScimException invalidSyntax when the members are given twice
     */
    public static JsonNode takeFrom(ObjectNode object) {
        JsonNode found = null;
        Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            JsonNode here = null;
            if (isMembersKey(f.getKey())) {
                here = f.getValue();
                fields.remove();
            } else if (f.getKey().equalsIgnoreCase(ScimUris.CORE_GROUP) && f.getValue() instanceof ObjectNode core) {
                here = takeFrom(core);
            }
            if (here != null) {
                if (found != null) {
                    throw ScimException.invalidSyntax("The members are given twice; give them once.");
                }
                found = here;
            }
        }
        return found;
    }

    private static String id(JsonNode entry) {
        if (entry != null && entry.isTextual() && IdpTolerance.SCALAR_FOR_COMPLEX_VALUE.accepted()) {
            // "members": ["<id>"] has one meaning, as "emails": ["a@x"] has: the member's value.
            return value(entry);
        }
        if (entry == null || !entry.isObject()) {
            throw ScimException.invalidValue("Each member must be an object such as {\"value\": \"<user id>\"}"
                    + (IdpTolerance.SCALAR_FOR_COMPLEX_VALUE.accepted() ? " or the user's id as a string" : "")
                    + ", not " + kind(entry) + ".");
        }
        JsonNode v = null;
        var names = entry.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (name.equalsIgnoreCase("value")) {
                if (v != null) {
                    throw ScimException.invalidSyntax("A member gives its 'value' twice; give it once.");
                }
                v = entry.get(name);
            }
        }
        return value(v);
    }

    private static String value(JsonNode v) {
        if (v == null || !v.isTextual() || v.asText().isBlank()) {
            throw ScimException.invalidValue("Each member needs a 'value' holding the user's id as a string.");
        }
        return v.asText().trim();
    }

    /** What a member that is not an object is, for the message. */
    private static String kind(JsonNode entry) {
        if (entry == null || entry.isNull()) {
            return "null";
        }
        if (entry.isBoolean()) {
            return entry.asText();
        }
        return entry.isNumber() ? "a number" : entry.isTextual() ? "a string" : "an array";
    }
}
