package io.hanzo.kms.scim.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import io.hanzo.kms.scim.protocol.tolerance.IdpTolerance;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * A list or search request: the query parameters of {@code GET /Users} or the SearchRequest body of
 * {@code POST /.search} (RFC 7644 §3.4.2 and §3.4.3), which mean the same thing.
 *
 * @param startIndex 1-based, already raised to 1 when lower
 * @param count      null when the client gave none
 */
public record ListRequest(String filter, int startIndex, Integer count, String sortBy, String sortOrder,
                          String attributes, String excludedAttributes) {

    /** The page size: the client's count clamped to {@code [0, max]}, or the default. */
    public int pageSize(int defaultCount, int max) {
        return count == null ? Math.min(defaultCount, max) : Math.max(0, Math.min(count, max));
    }

    /** From query parameters, read by name. */
    public static ListRequest fromQuery(Function<String, String> param) {
        return new ListRequest(
                param.apply("filter"),
                startIndex(integer("startIndex", param.apply("startIndex"))),
                integer("count", param.apply("count")),
                param.apply("sortBy"),
                param.apply("sortOrder"),
                param.apply("attributes"),
                param.apply("excludedAttributes"));
    }

    /** From a SearchRequest body; member names match in any letter case. */
    public static ListRequest fromSearchBody(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw ScimException.invalidSyntax("The search request must be a JSON object.");
        }
        String filter = null;
        String sortBy = null;
        String sortOrder = null;
        String attributes = null;
        String excluded = null;
        Integer startIndex = null;
        Integer count = null;
        Set<String> seen = new HashSet<>();
        Iterator<Map.Entry<String, JsonNode>> fields = body.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            JsonNode v = f.getValue();
            String key = CaseFold.lower(f.getKey());
            if (!seen.add(key)) {
                // "filter" and "FILTER": nothing says which the client meant.
                throw ScimException.invalidSyntax("The search request gives '" + f.getKey() + "' twice.");
            }
            switch (key) {
                case "filter": filter = text(f.getKey(), v); break;
                case "sortby": sortBy = text(f.getKey(), v); break;
                case "sortorder": sortOrder = text(f.getKey(), v); break;
                case "attributes": attributes = names(f.getKey(), v); break;
                case "excludedattributes": excluded = names(f.getKey(), v); break;
                case "startindex": startIndex = number(f.getKey(), v); break;
                case "count": count = number(f.getKey(), v); break;
                default: break; // schemas, and members of later versions of the message
            }
        }
        return new ListRequest(filter, startIndex(startIndex), count, sortBy, sortOrder, attributes, excluded);
    }

    private static int startIndex(Integer given) {
        // RFC 7644 §3.4.2.4: a value below 1 is taken as 1.
        return given == null || given < 1 ? 1 : given;
    }

    private static Integer integer(String name, String s) {
        if (s == null || s.isBlank()) {
            return null;
        }
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            try {
                // Beyond the int range the intent is still plain: as far as possible.
                return new BigInteger(s.trim()).signum() > 0 ? Integer.MAX_VALUE : Integer.MIN_VALUE;
            } catch (NumberFormatException notANumber) {
                throw ScimException.invalidValue("'" + name + "' must be a whole number, not '" + s + "'.");
            }
        }
    }

    private static Integer number(String name, JsonNode v) {
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isIntegralNumber()) {
            return v.canConvertToInt() ? v.intValue() : (v.bigIntegerValue().signum() > 0 ? Integer.MAX_VALUE : Integer.MIN_VALUE);
        }
        if (v.isTextual() && IdpTolerance.SEARCH_NAMES_AS_ONE_STRING.accepted()) {
            return integer(name, v.asText());
        }
        throw ScimException.invalidValue("'" + name + "' must be a whole number.");
    }

    private static String text(String name, JsonNode v) {
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw ScimException.invalidValue("'" + name + "' must be a string.");
        }
        return v.asText();
    }

    /** Attribute names as an array of strings, or (leniently) one comma-separated string. */
    private static String names(String name, JsonNode v) {
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isTextual() && IdpTolerance.SEARCH_NAMES_AS_ONE_STRING.accepted()) {
            return v.asText();
        }
        if (!v.isArray()) {
            throw ScimException.invalidValue("'" + name + "' must be an array of attribute names.");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode n : v) {
            if (!n.isTextual()) {
                throw ScimException.invalidValue("'" + name + "' must be an array of attribute names.");
            }
            out.add(n.asText());
        }
        return String.join(",", out);
    }
}
