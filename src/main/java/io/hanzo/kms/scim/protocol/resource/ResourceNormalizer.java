package io.hanzo.kms.scim.protocol.resource;

import io.hanzo.kms.scim.protocol.CaseFold;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hanzo.kms.scim.protocol.ScimException;
import io.hanzo.kms.scim.protocol.ScimUris;
import io.hanzo.kms.scim.protocol.filter.AttributePath;
import io.hanzo.kms.scim.protocol.schema.AttributeDef;
import io.hanzo.kms.scim.protocol.schema.CommonAttributes;
import io.hanzo.kms.scim.protocol.schema.Mutability;
import io.hanzo.kms.scim.protocol.schema.ResolvedAttribute;
import io.hanzo.kms.scim.protocol.schema.ResourceType;
import io.hanzo.kms.scim.protocol.schema.Schema;
import io.hanzo.kms.scim.protocol.schema.Uniqueness;
import io.hanzo.kms.scim.protocol.tolerance.IdpTolerance;

import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a client's resource body into the canonical stored form: attribute names spelled as the schema
 * spells them, extension attributes under their schema URN, server-owned and unknown attributes
 * dropped, {@code password} discarded, {@code "True"}/{@code "False"} made booleans, and at most one
 * {@code primary} value per multi-valued attribute. The result holds {@code externalId} but never
 * {@code id}, {@code meta} or {@code schemas}: the server writes those when it renders the resource.
 */
public final class ResourceNormalizer {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    /**
     * Longest value of an attribute kept unique, in UTF-8 bytes: the unique index over its lower-case
     * form must fit in a PostgreSQL index entry (about 2,700 bytes).
     */
    public static final int MAX_UNIQUE_BYTES = 2000;

    /**
     * Most values one multi-valued attribute of a resource may hold (a group's members are kept apart
     * and not counted here). No person has a thousand emails; without a bound, a body of 50,000 costs
     * seconds of an event loop to check for repeats, and as much again at every start-up.
     */
    public static final int MAX_VALUES = 1000;

    private final ResourceType type;

    public ResourceNormalizer(ResourceType type) {
        this.type = type;
    }

    public ResourceType type() {
        return type;
    }

    /**
     * Normalises a whole resource (POST, PUT, or the result of a PATCH).
     *
     * @throws ScimException 400 when a value has the wrong type or a required attribute is missing
     */
    public ObjectNode normalize(JsonNode body) {
        return normalize(body, null);
    }

    /**
     * {@link #normalize}, for a body a client sent whole (POST, PUT): one that names an attribute
     * twice, in two letter cases or once in its extension's object and once by its URN-qualified
     * name, is refused rather than read as whichever comes last, for nothing says which the client
     * meant (attribute names are case-insensitive, RFC 7643 §2.1). A PATCH's result is not checked:
     * it is the server's own document with the operations applied.
     *
     * @throws ScimException 400 invalidSyntax for such a body, and as {@link #normalize} does
     */
    public ObjectNode normalizeSent(JsonNode body) {
        return normalize(body, new HashMap<>());
    }

    /** @param named each attribute met so far, by how the body spelt it; null to take repeats as they come */
    private ObjectNode normalize(JsonNode body, Map<String, String> named) {
        if (body == null || !body.isObject()) {
            throw ScimException.invalidSyntax("The request body must be a JSON object.");
        }
        ObjectNode out = JSON.objectNode();
        boolean coreSchemaListed = false;
        Iterator<Map.Entry<String, JsonNode>> fields = body.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (field.getKey().equalsIgnoreCase("schemas")) {
                if (named != null) {
                    nameOnce(named, "schemas", field.getKey());
                    coreSchemaListed = checkDeclaredSchemas(field.getValue());
                }
                continue;
            }
            putTopLevel(out, field.getKey(), field.getValue(), named);
        }
        if (named != null && !coreSchemaListed && !IdpTolerance.RESOURCE_WITHOUT_CORE_SCHEMA.accepted()) {
            throw ScimException.invalidSyntax("The body's schemas must list " + type.coreSchema().id() + ".");
        }
        checkRequired(out);
        return out;
    }

    /**
     * The server writes a resource's {@code schemas} itself, so what a sent body lists is not kept; but
     * a body that declares another resource type's schema, or a message's, was meant for another
     * endpoint (a user's body sent to /Groups would otherwise become a group named after the person),
     * and is refused. Unknown URNs, such as an IdP's own extension, are ignored as their attributes are.
     *
     * @return whether the list names the resource type's core schema
     */
    private boolean checkDeclaredSchemas(JsonNode value) {
        boolean coreListed = false;
        for (JsonNode entry : value.isArray() ? value : List.of(value)) {
            String urn = entry.isTextual() ? entry.textValue() : null;
            if (urn == null) {
                continue;
            }
            Schema schema = type.schema(urn);
            if (schema == null && ScimUris.definedByTheRfcs(urn)) {
                throw ScimException.invalidSyntax("The body's schemas list " + urn + ", which is not a schema of "
                        + type.name() + " (" + type.coreSchema().id() + "): it was meant for another endpoint.");
            }
            coreListed |= schema == type.coreSchema();
        }
        return coreListed;
    }

    private static void nameOnce(Map<String, String> named, String attribute, String spelling) {
        String before = named == null ? null : named.putIfAbsent(attribute, spelling);
        if (before != null) {
            throw ScimException.invalidSyntax("The body gives attribute '" + attribute + "' twice, as '" + before
                    + "' and as '" + spelling + "'.");
        }
    }

    private void putTopLevel(ObjectNode out, String key, JsonNode value, Map<String, String> named) {
        Schema schema = key.regionMatches(true, 0, "urn:", 0, 4) ? type.schema(key) : null;
        if (schema == type.coreSchema()) {
            putCore(out, key, value, named);
            return;
        }
        if (schema != null) {
            putExtension(out, schema, key, value, named);
            return;
        }
        if (key.regionMatches(true, 0, "urn:", 0, 4)) {
            // A URN-qualified attribute name, such as Entra's "urn:...:enterprise:2.0:User:department".
            ResolvedAttribute r;
            try {
                r = type.resolve(AttributePath.parse(key));
            } catch (IllegalArgumentException e) {
                return; // unknown attributes are ignored
            }
            if (r.subAttribute() != null) {
                return;
            }
            nameOnce(named, (r.inExtension(type) ? r.schema().id() + ":" : "") + r.attribute().name(), key);
            ObjectNode target = r.inExtension(type) ? extensionObject(out, r.schema()) : out;
            putAttribute(target, r.attribute(), value);
            if (target != out && target.isEmpty()) {
                out.remove(r.schema().id());
            }
            return;
        }
        putCoreAttribute(out, key, key, value, named);
    }

    /**
     * An object named by the core schema's URN, as an extension's attributes are written, holds core
     * attributes: they join those at the top level, and one given in both places is given twice.
     */
    private void putCore(ObjectNode out, String key, JsonNode value, Map<String, String> named) {
        if (!IdpTolerance.CORE_ATTRIBUTES_UNDER_THE_CORE_URN.accepted()) {
            throw ScimException.invalidSyntax("The core schema's attributes belong at the top level of the body,"
                    + " not inside '" + key + "'.");
        }
        if (value == null || value.isNull()) {
            return; // as for an extension: some serialisers write null for an empty nested object
        }
        if (!value.isObject()) {
            throw ScimException.invalidSyntax("'" + key + "' must be a JSON object of " + type.name() + " attributes.");
        }
        Iterator<Map.Entry<String, JsonNode>> fields = value.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            putCoreAttribute(out, f.getKey(), key + "." + f.getKey(), f.getValue(), named);
        }
    }

    /** @param spelling how the body named the attribute, for messages */
    private void putCoreAttribute(ObjectNode out, String name, String spelling, JsonNode value, Map<String, String> named) {
        AttributeDef common = CommonAttributes.attribute(name);
        if (common != null) {
            nameOnce(named, common.name(), spelling);
            if (common == CommonAttributes.EXTERNAL_ID) {
                putAttribute(out, common, value);
            }
            return; // id and meta belong to the server
        }
        AttributeDef def = type.coreSchema().attribute(name);
        if (def != null) {
            nameOnce(named, def.name(), spelling);
            putAttribute(out, def, value);
        }
    }

    private void putExtension(ObjectNode out, Schema extension, String key, JsonNode value, Map<String, String> named) {
        if (value == null || value.isNull()) {
            return;
        }
        if (!value.isObject()) {
            throw ScimException.invalidValue("'" + extension.id() + "' must be a JSON object.");
        }
        ObjectNode ext = extensionObject(out, extension);
        Iterator<Map.Entry<String, JsonNode>> fields = value.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            AttributeDef def = extension.attribute(f.getKey());
            if (def != null) {
                nameOnce(named, extension.id() + ":" + def.name(), key + "." + f.getKey());
                putAttribute(ext, def, f.getValue());
            }
        }
        if (ext.isEmpty()) {
            out.remove(extension.id());
        }
    }

    private static ObjectNode extensionObject(ObjectNode out, Schema extension) {
        JsonNode existing = out.get(extension.id());
        if (existing instanceof ObjectNode o) {
            return o;
        }
        return out.putObject(extension.id());
    }

    private static void putAttribute(ObjectNode target, AttributeDef def, JsonNode value) {
        if (def.mutability() == Mutability.READ_ONLY || def.mutability() == Mutability.WRITE_ONLY) {
            return; // read-only attributes sent by clients are ignored; write-only ones are never kept
        }
        JsonNode v = value(def, value);
        if (v == null) {
            target.remove(def.name());
        } else {
            target.set(def.name(), v);
        }
    }

    /** The canonical form of one attribute's value, or null when it amounts to no value. */
    public static JsonNode value(AttributeDef def, JsonNode value) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            return null;
        }
        if (!def.multiValued()) {
            if (value.isArray()) {
                if (value.size() == 1 && IdpTolerance.ARRAY_OF_ONE_FOR_SINGLE_VALUE.accepted()) {
                    return single(def, value.get(0));
                }
                throw ScimException.invalidValue("Attribute '" + def.name() + "' takes a single value, not an array.");
            }
            return single(def, value);
        }
        ArrayNode out = JSON.arrayNode();
        if (value.isArray()) {
            checkValueCount(def, value.size());
            for (JsonNode element : value) {
                JsonNode v = single(def, element);
                if (v != null) {
                    out.add(v);
                }
            }
        } else {
            if (!IdpTolerance.SINGLE_VALUE_FOR_MULTI_VALUED.accepted()) {
                throw ScimException.invalidValue("Attribute '" + def.name() + "' takes an array of values.");
            }
            // "emails": "a@x" is an array of one email: SCALAR_FOR_COMPLEX_VALUE reads the bare value
            // as its "value" (as in "emails": ["a@x"]), as PATCH's add reads it too.
            JsonNode v = single(def, value);
            if (v != null) {
                out.add(v);
            }
        }
        if (out.isEmpty()) {
            return null;
        }
        if (def.isComplex() && def.subAttribute("primary") != null) {
            keepOnePrimary(out);
        }
        return out;
    }

    /** @throws ScimException 400 invalidValue when a multi-valued attribute would hold more than {@link #MAX_VALUES} */
    public static void checkValueCount(AttributeDef def, int count) {
        if (count > MAX_VALUES) {
            throw ScimException.invalidValue("Attribute '" + def.name() + "' holds at most " + MAX_VALUES + " values.");
        }
    }

    /** Several values marked primary (PingOne does this) keep the first mark only. */
    public static void keepOnePrimary(ArrayNode values) {
        boolean seen = false;
        for (JsonNode element : values) {
            if (element instanceof ObjectNode o && o.path("primary").asBoolean(false)) {
                if (seen && !IdpTolerance.SEVERAL_PRIMARY_VALUES.accepted()) {
                    throw ScimException.invalidValue("At most one value may be primary.");
                }
                if (seen) {
                    o.put("primary", false);
                }
                seen = true;
            }
        }
    }

    private static JsonNode single(AttributeDef def, JsonNode v) {
        if (v == null || v.isNull() || v.isMissingNode()) {
            return null;
        }
        switch (def.type()) {
            case STRING:
            case REFERENCE:
                if (v.isTextual()) {
                    checkStorable(def, v.asText());
                    return v;
                }
                // Types are checked, not coerced: 1e400 is not the name "Infinity".
                throw wrongType(def, "a string");
            case BOOLEAN:
                if (v.isBoolean()) {
                    return v;
                }
                if (v.isTextual() && IdpTolerance.BOOLEAN_AS_STRING.accepted()) {
                    String s = CaseFold.lower(v.asText().trim());
                    if (s.equals("true") || s.equals("false")) {
                        return BooleanNode.valueOf(s.equals("true"));
                    }
                }
                throw wrongType(def, "true or false");
            case INTEGER:
                if (v.isIntegralNumber() && v.canConvertToLong()) {
                    return v;
                }
                throw wrongType(def, "an integer within 64 bits");
            case DECIMAL:
                if (v.isNumber() && (!v.isFloatingPointNumber() || Double.isFinite(v.doubleValue()))) {
                    return v;
                }
                throw wrongType(def, "a finite number");
            case DATE_TIME:
                if (v.isTextual()) {
                    try {
                        OffsetDateTime.parse(v.asText());
                        return v;
                    } catch (DateTimeParseException e) {
                        // fall through to the error
                    }
                }
                throw wrongType(def, "an RFC 3339 dateTime");
            case BINARY:
                if (v.isTextual()) {
                    checkStorable(def, v.asText());
                    try {
                        Base64.getMimeDecoder().decode(v.asText());
                        return v;
                    } catch (IllegalArgumentException e) {
                        // fall through to the error
                    }
                }
                throw wrongType(def, "base64 text");
            default:
                return complex(def, v);
        }
    }

    /**
     * Refuses text PostgreSQL cannot store: U+0000 (not allowed in text or jsonb) and a UTF-16
     * surrogate without its pair (valid JSON, "\\ud800", but no Unicode character, so not encodable
     * in UTF-8). No IdP means either; answering 400 here keeps them away from the database, where
     * they would fail a whole batched statement.
     */
    public static void checkStorable(AttributeDef def, String s) {
        String problem = unstorable(s);
        if (problem != null) {
            throw ScimException.invalidValue("Attribute '" + def.name() + "' must not contain " + problem + ".");
        }
    }

    /** What in {@code s} PostgreSQL cannot store, or null when it can store all of it. */
    public static String unstorable(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\u0000') {
                return "the NUL character";
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                    continue;
                }
                return "an unpaired UTF-16 surrogate";
            }
            if (Character.isLowSurrogate(c)) {
                return "an unpaired UTF-16 surrogate";
            }
        }
        return null;
    }

    private static JsonNode complex(AttributeDef def, JsonNode v) {
        if (!v.isObject()) {
            AttributeDef valueSub = def.subAttribute("value");
            if (valueSub != null && v.isValueNode() && IdpTolerance.SCALAR_FOR_COMPLEX_VALUE.accepted()) {
                // "emails": ["a@example.com"] has one meaning: the value of an email.
                ObjectNode o = JSON.objectNode();
                o.set(valueSub.name(), single(valueSub, v));
                return o;
            }
            throw wrongType(def, "a JSON object");
        }
        ObjectNode out = JSON.objectNode();
        Set<String> given = v.size() > 1 ? new HashSet<>() : null;
        Iterator<Map.Entry<String, JsonNode>> fields = v.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            AttributeDef sub = def.subAttribute(f.getKey());
            if (sub == null || sub.mutability() == Mutability.READ_ONLY || sub.mutability() == Mutability.WRITE_ONLY) {
                continue;
            }
            if (given != null && !given.add(sub.name())) {
                // {"givenName": "a", "GIVENNAME": "b"}, or null before "b": names are case-insensitive, and
                // nothing says which was meant.
                throw ScimException.invalidSyntax("A value of '" + def.name() + "' gives '" + sub.name() + "' twice.");
            }
            JsonNode sv = single(sub, f.getValue());
            if (sv != null) {
                out.set(sub.name(), sv);
            }
        }
        return out.isEmpty() ? null : out;
    }

    private void checkRequired(ObjectNode out) {
        for (AttributeDef def : type.coreSchema().attributes()) {
            JsonNode v = out.get(def.name());
            if (def.required() && (v == null || (v.isTextual() && v.asText().isBlank()))) {
                throw ScimException.invalidValue("Attribute '" + def.name() + "' is required.");
            }
            if (def.uniqueness() != Uniqueness.NONE && v != null && v.isTextual()
                    && v.asText().getBytes(StandardCharsets.UTF_8).length > MAX_UNIQUE_BYTES) {
                throw ScimException.invalidValue("Attribute '" + def.name() + "' must be at most " + MAX_UNIQUE_BYTES
                        + " bytes long.");
            }
        }
    }

    private static ScimException wrongType(AttributeDef def, String expected) {
        return ScimException.invalidValue("Attribute '" + def.name() + "' must be " + expected + ".");
    }
}
