package io.hanzo.kms.scim.protocol.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hanzo.kms.scim.protocol.ScimException;
import io.hanzo.kms.scim.protocol.filter.CompareOp;
import io.hanzo.kms.scim.protocol.filter.Filter;
import io.hanzo.kms.scim.protocol.resource.ResourceNormalizer;
import io.hanzo.kms.scim.protocol.schema.AttributeDef;
import io.hanzo.kms.scim.protocol.tolerance.IdpTolerance;

import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** Canonical values and the comparisons PATCH needs between them. */
final class Values {
    static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    static final String VALUE = "value";
    static final String TYPE = "type";
    static final String PRIMARY = "primary";

    private Values() {
    }

    static boolean isNone(JsonNode v) {
        return v == null || v.isNull() || v.isMissingNode();
    }

    /** Canonical form of an attribute's value as the normaliser stores it, or null when it amounts to none. */
    static JsonNode canonical(AttributeDef def, JsonNode raw) {
        return ResourceNormalizer.value(def, raw);
    }

    /**
     * One value of a complex attribute in canonical form. A bare scalar stands for the {@code value}
     * sub-attribute, which is how Entra sends the manager ({@code "value": "<id>"}).
     */
    static ObjectNode complex(AttributeDef def, JsonNode raw) {
        ObjectNode out = JSON.objectNode();
        merge(out, def, raw);
        return out;
    }

    /**
     * Writes the sub-attributes given in {@code raw} over {@code target}, leaving the others as they
     * are. A sub-attribute given as null is removed, so a client can clear one without a remove.
     */
    static void merge(ObjectNode target, AttributeDef def, JsonNode raw) {
        JsonNode object = asObject(def, raw);
        Set<String> given = object.size() > 1 ? new HashSet<>() : null;
        Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            AttributeDef sub = def.subAttribute(f.getKey());
            if (sub == null || sub.isReadOnly()) {
                continue; // unknown and server-owned sub-attributes are ignored, as on POST
            }
            if (given != null && !given.add(sub.name())) {
                throw ScimException.invalidSyntax("A value of '" + def.name() + "' gives '" + sub.name() + "' twice.");
            }
            JsonNode v = canonical(sub, f.getValue());
            if (v == null) {
                target.remove(sub.name());
            } else {
                target.set(sub.name(), v);
            }
        }
    }

    private static JsonNode asObject(AttributeDef def, JsonNode raw) {
        JsonNode object = objectOf(def, raw);
        if (object == null) {
            throw ScimException.invalidValue("A value of '" + def.name() + "' must be a JSON object.");
        }
        return object;
    }

    /**
     * The object of sub-attributes one value of a complex attribute stands for: itself, the element of
     * an array of one, or a bare value as the {@code value} sub-attribute; null when it stands for none.
     */
    static JsonNode objectOf(AttributeDef def, JsonNode raw) {
        JsonNode v = raw;
        if (v.isArray() && v.size() == 1 && IdpTolerance.ARRAY_OF_ONE_FOR_SINGLE_VALUE.accepted()) {
            v = v.get(0);
        }
        if (v.isObject()) {
            return v;
        }
        AttributeDef valueSub = def.subAttribute(VALUE);
        if (valueSub != null && v.isValueNode() && IdpTolerance.SCALAR_FOR_COMPLEX_VALUE.accepted()) {
            ObjectNode o = JSON.objectNode();
            o.set(valueSub.name(), v);
            return o;
        }
        return null;
    }

    /**
     * True when two values of a multi-valued attribute are the same value: equal {@code value} and, when
     * both name one, equal {@code type}. Comparing only these lets a client re-add an email with a
     * changed {@code primary} or {@code display} without creating a duplicate.
     */
    static boolean sameValue(AttributeDef def, JsonNode existing, JsonNode incoming) {
        AttributeDef valueDef = def.isComplex() ? def.subAttribute(VALUE) : null;
        if (valueDef == null) {
            return existing.equals(incoming);
        }
        if (!sameScalar(valueDef, existing.get(VALUE), incoming.get(VALUE))) {
            return false;
        }
        AttributeDef typeDef = def.subAttribute(TYPE);
        JsonNode a = existing.get(TYPE);
        JsonNode b = incoming.get(TYPE);
        return typeDef == null || a == null || b == null || sameScalar(typeDef, a, b);
    }

    /** Whether a value carries nothing to compare: null, a blank string, or only such values in an array or object. */
    static boolean namesNothing(JsonNode given) {
        if (isNone(given)) {
            return true;
        }
        if (given.isTextual()) {
            return given.asText().isBlank();
        }
        if (given.isContainerNode()) {
            for (JsonNode part : given) {
                if (!namesNothing(part)) {
                    return false;
                }
            }
            return true;
        }
        return false;
    }

    /**
     * Whether {@code given}, as a client wrote it, is the single value {@code held} in stored form: a
     * string compared as the attribute's caseExact says, a complex value by its {@code value}
     * sub-attribute (a manager by its id) or, when it has none, whole.
     */
    static boolean holds(AttributeDef def, JsonNode held, JsonNode given) {
        if (held == null) {
            return false;
        }
        if (!def.isComplex()) {
            return sameScalar(def, held, canonical(def, given));
        }
        ObjectNode incoming = complex(def, given);
        AttributeDef valueDef = def.subAttribute(VALUE);
        if (valueDef != null) {
            return incoming.has(VALUE) && sameScalar(valueDef, held.get(VALUE), incoming.get(VALUE));
        }
        if (held.size() != incoming.size()) {
            return false;
        }
        Iterator<Map.Entry<String, JsonNode>> fields = incoming.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            if (!sameScalar(def.subAttribute(f.getKey()), held.get(f.getKey()), f.getValue())) {
                return false;
            }
        }
        return true;
    }

    private static boolean sameScalar(AttributeDef def, JsonNode a, JsonNode b) {
        if (a == null || b == null) {
            return a == b;
        }
        if (a.isTextual() && b.isTextual() && !def.caseExact()) {
            return a.asText().equalsIgnoreCase(b.asText());
        }
        return a.equals(b);
    }

    /**
     * RFC 7644 §3.5.2: setting one value's {@code primary} to true sets it to false on every other value
     * of the attribute.
     */
    static void keepPrimary(ArrayNode values, JsonNode chosen) {
        if (chosen == null || !chosen.path(PRIMARY).asBoolean(false)) {
            return;
        }
        for (JsonNode element : values) {
            if (element != chosen && element instanceof ObjectNode o && o.path(PRIMARY).asBoolean(false)) {
                o.put(PRIMARY, false);
            }
        }
    }

    /**
     * The sub-attribute values a filter pins down when it is nothing but {@code eq} comparisons joined by
     * {@code and}, such as {@code type eq "work"}; null for any other filter. Such a filter describes a
     * value well enough to create it when none matches.
     */
    static Map<String, JsonNode> equalities(Filter filter) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        return collectEqualities(filter, out) ? out : null;
    }

    private static boolean collectEqualities(Filter f, Map<String, JsonNode> out) {
        if (f instanceof Filter.And and) {
            return collectEqualities(and.left(), out) && collectEqualities(and.right(), out);
        }
        if (f instanceof Filter.Compare c && c.op() == CompareOp.EQ && !c.value().isNull()
                && c.path().schemaUrn() == null && c.path().subAttribute() == null) {
            JsonNode previous = out.putIfAbsent(c.path().attribute(), c.value());
            return previous == null || previous.equals(c.value());
        }
        return false;
    }
}
