package io.hanzo.kms.scim.protocol.group;

import com.fasterxml.jackson.databind.JsonNode;
import io.hanzo.kms.scim.protocol.ScimException;
import io.hanzo.kms.scim.protocol.tolerance.IdpTolerance;

import java.util.ArrayList;
import java.util.List;

/** Reads {@code members} values: {@code [{"value": "id", "$ref": ..., "type": "User"}, ...]}. */
public final class MemberValues {
    /** More members than this in one request is refused rather than slowly applied. */
    public static final int MAX_PER_REQUEST = 100_000;

    private MemberValues() {
    }

    /**
     * The member ids in a value. A single object counts as a list of one; null is an empty list. An
     * entry that is not an object with a string {@code value} makes the whole request invalid.
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

    private static String id(JsonNode entry) {
        if (entry == null || !entry.isObject()) {
            throw ScimException.invalidValue("Each member must be an object such as {\"value\": \"<user id>\"}.");
        }
        JsonNode v = null;
        var names = entry.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (name.equalsIgnoreCase("value")) {
                v = entry.get(name);
            }
        }
        if (v == null || !v.isTextual() || v.asText().isBlank()) {
            throw ScimException.invalidValue("Each member needs a 'value' holding the user's id as a string.");
        }
        return v.asText().trim();
    }
}
