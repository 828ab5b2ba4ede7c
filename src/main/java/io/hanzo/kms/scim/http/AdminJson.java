package io.hanzo.kms.scim.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hanzo.kms.scim.admin.Organization;
import io.hanzo.kms.scim.admin.ScimToken;
import io.hanzo.kms.scim.protocol.Json;
import io.hanzo.kms.scim.protocol.ScimException;
import io.hanzo.kms.scim.protocol.resource.ResourceNormalizer;

import java.time.Instant;
import java.util.Iterator;
import java.util.Set;
import java.util.TreeSet;

/** JSON shapes of the admin API, and checks on its request bodies. */
final class AdminJson {
    private AdminJson() {
    }

    static ObjectNode organization(Organization o) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("id", o.id().toString());
        n.put("name", o.name());
        n.put("plan", o.plan().wireName());
        n.put("scimEnabled", o.scimEnabled());
        n.put("createdAt", o.createdAt().toString());
        return n;
    }

    /**
     * @param now       tokens whose expiry is not after this instant are flagged {@code expired}
     * @param warnAfter other tokens expiring before this instant are flagged {@code expiringSoon}
     */
    static ObjectNode token(ScimToken t, Instant now, Instant warnAfter) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("id", t.id().toString());
        n.put("description", t.description());
        n.put("createdAt", t.createdAt().toString());
        putInstant(n, "expiresAt", t.expiresAt());
        putInstant(n, "lastUsedAt", t.lastUsedAt());
        boolean expired = t.expiresAt() != null && !t.expiresAt().isAfter(now);
        n.put("expired", expired);
        n.put("expiringSoon", !expired && t.expiresAt() != null && t.expiresAt().isBefore(warnAfter));
        return n;
    }

    private static void putInstant(ObjectNode n, String name, Instant i) {
        if (i == null) {
            n.putNull(name);
        } else {
            n.put(name, i.toString());
        }
    }

    static ObjectNode object(JsonNode body, Set<String> allowed) {
        if (!(body instanceof ObjectNode o)) {
            throw ScimException.invalidSyntax("The request body must be a JSON object.");
        }
        Iterator<String> names = o.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!allowed.contains(name)) {
                throw ScimException.invalidValue("Unknown field '" + name + "'; allowed: " + String.join(", ", new TreeSet<>(allowed)) + ".");
            }
        }
        return o;
    }

    /** Nothing but spaces, every Unicode space among them ({@code trim()} keeps no-break and em spaces). */
    private static boolean blank(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(Character.isWhitespace(c) || Character.isSpaceChar(c))) {
                return false;
            }
        }
        return true;
    }

    static String string(ObjectNode o, String name, String fallback, int maxLength) {
        JsonNode v = o.get(name);
        if (v == null || v.isNull()) {
            if (fallback == null) {
                throw ScimException.invalidValue("Field '" + name + "' is required.");
            }
            return fallback;
        }
        if (!v.isTextual()) {
            throw ScimException.invalidValue("Field '" + name + "' must be a string.");
        }
        // trim() as before around a name (a mapping must match a group's displayName exactly, no-break
        // spaces and all), but a value of nothing but Unicode spaces is as empty as one of ASCII spaces.
        String s = v.asText().trim();
        if (blank(s)) {
            s = "";
        }
        String unstorable = ResourceNormalizer.unstorable(s);
        if (unstorable != null) {
            // As SCIM refuses it: PostgreSQL would store an unpaired surrogate as "?".
            throw ScimException.invalidValue("Field '" + name + "' must not contain " + unstorable + ".");
        }
        if (s.length() > maxLength) {
            throw ScimException.invalidValue("Field '" + name + "' must be at most " + maxLength + " characters.");
        }
        return s;
    }
}
