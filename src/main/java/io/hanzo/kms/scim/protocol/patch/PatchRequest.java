package io.hanzo.kms.scim.protocol.patch;

import com.fasterxml.jackson.databind.JsonNode;
import io.hanzo.kms.scim.protocol.ScimException;
import io.hanzo.kms.scim.protocol.ScimUris;
import io.hanzo.kms.scim.protocol.filter.FilterParser;
import io.hanzo.kms.scim.protocol.filter.PatchPath;
import io.hanzo.kms.scim.protocol.tolerance.IdpTolerance;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A validated PATCH request body (RFC 7644 §3.5.2). Everything that can be checked without the
 * resource is checked here, so that a malformed request fails before any operation is applied.
 */
public final class PatchRequest {
    /** Far more than any identity provider batches, and small enough to bound the work of one request. */
    public static final int MAX_OPERATIONS = 1000;

    private final List<PatchOperation> operations;

    private PatchRequest(List<PatchOperation> operations) {
        this.operations = List.copyOf(operations);
    }

    public List<PatchOperation> operations() {
        return operations;
    }

    /** A request of operations already validated, such as the attribute part of a group PATCH. */
    public static PatchRequest of(List<PatchOperation> operations) {
        return new PatchRequest(operations);
    }

    /**
     * Reads a request body. Key names ({@code Operations}, {@code op}, {@code path}, {@code value}) are
     * matched in any letter case because several identity providers capitalise them.
     *
     * @throws ScimException 400 describing the first problem found
     */
    /** Most characters the paths of one request's operations may hold together (a thousand short paths fit). */
    static final int MAX_PATH_CHARACTERS = 131_072;

    public static PatchRequest parse(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw ScimException.invalidSyntax("The PATCH request body must be a JSON object.");
        }
        checkSchemas(field(body, "schemas"));
        JsonNode ops = field(body, "Operations");
        if (ops == null || ops.isNull()) {
            throw ScimException.invalidSyntax("The PATCH request has no 'Operations'.");
        }
        if (!ops.isArray()) {
            throw ScimException.invalidSyntax("'Operations' must be an array.");
        }
        if (ops.isEmpty()) {
            throw ScimException.invalidSyntax("'Operations' is empty.");
        }
        if (ops.size() > MAX_OPERATIONS) {
            throw ScimException.invalidValue("A PATCH request may hold at most " + MAX_OPERATIONS
                    + " operations; this one holds " + ops.size() + ".");
        }
        List<PatchOperation> out = new ArrayList<>(ops.size());
        int[] pathCharacters = {0};
        for (int i = 0; i < ops.size(); i++) {
            out.add(operation(ops.get(i), i, pathCharacters));
        }
        return new PatchRequest(out);
    }

    /** A body without {@code schemas} is accepted: several clients omit it and the meaning is plain. */
    private static void checkSchemas(JsonNode schemas) {
        if ((schemas == null || schemas.isNull()) && IdpTolerance.PATCH_WITHOUT_SCHEMAS.accepted()) {
            return;
        }
        if (schemas != null && schemas.isTextual() && schemas.asText().equalsIgnoreCase(ScimUris.PATCH_OP)) {
            return;
        }
        if (schemas != null && schemas.isArray()) {
            for (JsonNode s : schemas) {
                if (s.isTextual() && s.asText().equalsIgnoreCase(ScimUris.PATCH_OP)) {
                    return;
                }
            }
        }
        throw ScimException.invalidSyntax("'schemas' of a PATCH request must contain '" + ScimUris.PATCH_OP + "'.");
    }

    /** @param pathCharacters the characters of the paths read so far, this operation's added */
    private static PatchOperation operation(JsonNode node, int index, int[] pathCharacters) {
        String where = "Operation " + (index + 1);
        if (node == null || !node.isObject()) {
            throw ScimException.invalidSyntax(where + " must be a JSON object.");
        }
        JsonNode opNode = field(node, "op");
        if (opNode == null || !opNode.isTextual()) {
            throw ScimException.invalidSyntax(where + " needs 'op' set to \"add\", \"replace\" or \"remove\".");
        }
        PatchOp op = PatchOp.fromName(opNode.asText());
        if (op == null) {
            throw ScimException.invalidSyntax(where + " has unknown op '" + opNode.asText()
                    + "'; expected \"add\", \"replace\" or \"remove\".");
        }
        JsonNode pathText = field(node, "path");
        PatchPath path = path(pathText, where);
        if (path != null && (pathCharacters[0] += pathText.textValue().length()) > MAX_PATH_CHARACTERS) {
            // Each path's filter is tested against every value it may select: long filters in many
            // operations multiply into seconds of an event loop.
            throw ScimException.invalidValue("The operations' paths hold more than " + MAX_PATH_CHARACTERS
                    + " characters in all; send fewer or shorter ones.");
        }
        JsonNode value = field(node, "value");
        if (op == PatchOp.REMOVE && path == null) {
            throw ScimException.noTarget(where + ": 'remove' needs a 'path'.");
        }
        if (op == PatchOp.ADD && (value == null || value.isNull())) {
            throw ScimException.invalidValue(where + ": 'add' needs a 'value'.");
        }
        if (op == PatchOp.REPLACE && value == null) {
            throw ScimException.invalidValue(where + ": 'replace' needs a 'value'.");
        }
        return new PatchOperation(op, path, value);
    }

    /** An absent, null or blank path all mean "the resource itself". */
    private static PatchPath path(JsonNode node, String where) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw ScimException.invalidSyntax(where + ": 'path' must be a string.");
        }
        if (node.asText().isBlank() && IdpTolerance.PATCH_BLANK_PATH.accepted()) {
            return null;
        }
        return FilterParser.parsePath(node.asText());
    }

    /**
     * The member named {@code name} in any letter case. Named twice ("op" and "OP"), the request is
     * refused: nothing says which the client meant.
     */
    private static JsonNode field(JsonNode object, String name) {
        JsonNode found = null;
        String spelt = null;
        Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            if (f.getKey().equalsIgnoreCase(name)) {
                if (found != null) {
                    throw ScimException.invalidSyntax("'" + name + "' is given twice, as '" + spelt + "' and as '"
                            + f.getKey() + "'.");
                }
                found = f.getValue();
                spelt = f.getKey();
            }
        }
        return found;
    }
}
