package io.hanzo.kms.scim.protocol.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hanzo.kms.scim.protocol.CaseFold;
import io.hanzo.kms.scim.protocol.ScimException;
import io.hanzo.kms.scim.protocol.ScimUris;
import io.hanzo.kms.scim.protocol.filter.AttributePath;
import io.hanzo.kms.scim.protocol.filter.FilterParser;
import io.hanzo.kms.scim.protocol.filter.PatchPath;
import io.hanzo.kms.scim.protocol.resource.ResourceNormalizer;
import io.hanzo.kms.scim.protocol.schema.ResourceType;
import io.hanzo.kms.scim.protocol.schema.Schema;
import io.hanzo.kms.scim.protocol.tolerance.IdpTolerance;

import java.util.HashSet;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Applies a PATCH request (RFC 7644 §3.5.2) to a resource in the stored form that
 * {@link ResourceNormalizer} produces. All operations apply or none do: the engine works on a copy and
 * returns it only when every operation succeeded and the result is a valid resource.
 */
public final class PatchEngine {
    private static final String SCHEMAS = "schemas";

    private final ResourceType type;
    private final ResourceNormalizer normalizer;

    public PatchEngine(ResourceType type) {
        this.type = type;
        this.normalizer = new ResourceNormalizer(type);
    }

    /**
     * @param attributes the stored form of the resource; left unchanged
     * @return the stored form after the request
     * @throws ScimException 400 for the first operation that cannot apply, or when the result is not a
     *                       valid resource (a required attribute removed)
     */
    public ObjectNode apply(ObjectNode attributes, PatchRequest request) {
        ObjectNode work = attributes.deepCopy();
        TargetEditor editor = new TargetEditor(work);
        for (PatchOperation operation : request.operations()) {
            apply(editor, work, operation);
        }
        return normalizer.normalize(work);
    }

    private void apply(TargetEditor editor, ObjectNode work, PatchOperation operation) {
        PatchOp op = operation.op();
        PatchPath path = operation.path();
        Schema wholeSchema = path == null ? type.coreSchema() : schemaNamedBy(path);
        if (wholeSchema == type.coreSchema()) {
            if (op == PatchOp.REMOVE) {
                throw ScimException.noTarget("'remove' needs a path to an attribute, not the resource.");
            }
            applyToResource(editor, work, op, operation.value(), new WrittenPlaces(), null);
        } else if (wholeSchema != null) {
            applyToExtension(editor, work, op, wholeSchema, operation.value(), new WrittenPlaces(), "'" + path + "'");
        } else {
            if (path.attribute().schemaUrn() == null && path.attribute().attribute().equalsIgnoreCase(SCHEMAS)) {
                // A common attribute (RFC 7643 §3) that the server writes from the resource it holds.
                throw ScimException.mutability("Attribute 'schemas' is written by the server.");
            }
            if (namesWhatABodyWouldDrop(path)) {
                return;
            }
            PatchTarget target = PatchTarget.resolve(type, path);
            if (target.readOnly()) {
                throw ScimException.mutability("Attribute '" + target.describe() + "' is read-only.");
            }
            editor.apply(op, target, operation.value());
        }
    }

    /**
     * Without a path the value is a set of attributes to add or replace. Keys may be attribute names,
     * extension URNs holding extension attributes, or whole paths such as {@code name.givenName} and
     * {@code urn:...:enterprise:2.0:User:department}, as Entra sends them. Read-only and unknown keys are
     * skipped rather than refused: Okta echoes {@code id} and others echo {@code meta}. Keys that write
     * one place twice, in whatever spelling, are refused ({@link WrittenPlaces}).
     *
     * @param container the key whose value this is, when it is the core schema's URN inside a value; else null
     */
    private void applyToResource(TargetEditor editor, ObjectNode work, PatchOp op, JsonNode value,
                                 WrittenPlaces written, String container) {
        if (value == null || !value.isObject()) {
            throw ScimException.invalidValue("Without a 'path', '" + op.name().toLowerCase(Locale.ROOT)
                    + "' needs a JSON object of attributes as its 'value'.");
        }
        Set<String> keys = new HashSet<>();
        Iterator<Map.Entry<String, JsonNode>> fields = value.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            String key = f.getKey();
            once(keys, key);
            if (key.equalsIgnoreCase(SCHEMAS)) {
                continue;
            }
            Schema schema = type.schema(key);
            if (schema == type.coreSchema()) {
                if (f.getValue().isObject()) {
                    applyToResource(editor, work, op, f.getValue(), written, key);
                }
            } else if (schema != null) {
                applyToExtension(editor, work, op, schema, f.getValue(), written, spelling(container, key));
            } else {
                if (isPath(key) && !IdpTolerance.PATCH_PATHLESS_VALUE_WITH_PATH_KEYS.accepted()) {
                    throw ScimException.invalidValue("Without a 'path', the keys of the value must be attribute names,"
                            + " not the path '" + key + "'.");
                }
                applyLenient(editor, op, key, spelling(container, key), f.getValue(), written);
            }
        }
    }

    /** {"title": "a", "TITLE": "b"}: names are case-insensitive, and nothing says which was meant. */
    private static void once(Set<String> keys, String key) {
        if (!keys.add(CaseFold.lower(key))) {
            throw ScimException.invalidSyntax("The value gives '" + key + "' twice, in two letter cases.");
        }
    }

    /** A key such as {@code name.givenName} or {@code urn:...:User:department} rather than a plain name. */
    private static boolean isPath(String key) {
        return key.indexOf('.') >= 0 || key.indexOf(':') >= 0;
    }

    /** How a message names a key: by itself, or with the key whose value holds it. */
    private static String spelling(String container, String key) {
        return container == null ? "'" + key + "'" : "'" + key + "' inside '" + container + "'";
    }

    /**
     * A path equal to an extension URN: the value holds that extension's attributes.
     *
     * @param spelling how the request named the extension, for messages
     */
    private void applyToExtension(TargetEditor editor, ObjectNode work, PatchOp op, Schema extension, JsonNode value,
                                  WrittenPlaces written, String spelling) {
        if (Values.isNone(value)) {
            written.writeAll(spelling, extension);
        }
        if (op == PatchOp.REMOVE || (op == PatchOp.REPLACE && Values.isNone(value))) {
            work.remove(extension.id());
            return;
        }
        if (op == PatchOp.ADD && Values.isNone(value)) {
            return;
        }
        if (value == null || !value.isObject()) {
            throw ScimException.invalidValue("The value of '" + extension.id() + "' must be a JSON object.");
        }
        Set<String> keys = new HashSet<>();
        Iterator<Map.Entry<String, JsonNode>> fields = value.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            once(keys, f.getKey());
            applyLenient(editor, op, extension.id() + ":" + f.getKey(), "'" + f.getKey() + "' inside " + spelling,
                    f.getValue(), written);
        }
    }

    /**
     * One key of a path-less value: applied when it names a writable attribute, skipped otherwise.
     *
     * @param spelling how the request wrote the key, for messages
     */
    private void applyLenient(TargetEditor editor, PatchOp op, String pathText, String spelling, JsonNode value,
                              WrittenPlaces written) {
        boolean skip = IdpTolerance.PATCH_PATHLESS_SKIPS_READ_ONLY_AND_UNKNOWN.accepted();
        PatchTarget target;
        try {
            target = PatchTarget.resolve(type, FilterParser.parsePath(pathText));
        } catch (ScimException e) {
            if (skip) {
                return;
            }
            throw e;
        }
        if (!target.readOnly()) {
            written.write(spelling, target, value);
            editor.apply(op, target, value);
        } else if (!skip) {
            throw ScimException.mutability("Attribute '" + target.describe() + "' is read-only.");
        }
    }

    /**
     * Whether the path names an attribute of an extension schema this server does not serve, which a
     * POST or PUT body would have had dropped. Entra sends the custom extension attributes an
     * administrator mapped in the same PATCH as everything else, a deactivation included, so refusing
     * the request for them would lose the rest. An unknown attribute of a schema the server serves is
     * still refused: there it is more likely a misspelt path ("activ") whose change would otherwise be
     * lost without a word; so is a path into another resource type's schema or a message's.
     */
    private boolean namesWhatABodyWouldDrop(PatchPath path) {
        if (!IdpTolerance.PATCH_PATH_INTO_UNKNOWN_EXTENSION_SKIPPED.accepted()) {
            return false;
        }
        AttributePath attribute = path.attribute();
        String urn = attribute.schemaUrn();
        // A path that is a schema's URN reads as that URN's last part taken for an attribute name.
        return urn != null && type.schema(urn) == null
                && !ScimUris.definedByTheRfcs(urn) && !ScimUris.definedByTheRfcs(urn + ":" + attribute.attribute());
    }

    /** The core schema or extension when the path is exactly its URN, else null. */
    private Schema schemaNamedBy(PatchPath path) {
        if (path.valueFilter() != null || path.subAttribute() != null
                || path.attribute().schemaUrn() == null || path.attribute().subAttribute() != null) {
            return null;
        }
        return type.schema(path.attribute().schemaUrn() + ":" + path.attribute().attribute());
    }
}
