package io.hanzo.kms.scim.protocol.bulk;

import io.hanzo.kms.scim.protocol.CaseFold;
import com.fasterxml.jackson.databind.JsonNode;
import io.hanzo.kms.scim.protocol.ScimException;
import io.hanzo.kms.scim.protocol.ShortText;
import io.hanzo.kms.scim.protocol.tolerance.IdpTolerance;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A parsed bulk request. A body that is not a bulk request at all is refused whole; an operation
 * that is malformed on its own is kept, marked invalid, and answered with its own error, as the
 * other operations still run.
 *
 * @param failOnErrors stop after this many errors; null to run every operation
 */
public record BulkRequest(Integer failOnErrors, List<BulkOperation> operations) {
    public static final String BULK_REQUEST = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
    public static final String BULK_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:BulkResponse";
    private static final Set<String> METHODS = Set.of("POST", "PUT", "PATCH", "DELETE");

    /**
     * @throws ScimException 400 for a body that is not a bulk request, 413 for more than
     *                       {@code maxOperations} operations
     */
    public static BulkRequest parse(JsonNode body, int maxOperations) {
        if (body == null || !body.isObject()) {
            throw ScimException.invalidSyntax("The bulk request must be a JSON object.");
        }
        JsonNode ops = member(body, "Operations");
        if (ops == null || !ops.isArray()) {
            throw ScimException.invalidSyntax("The bulk request needs an 'Operations' array.");
        }
        if (ops.size() > maxOperations) {
            throw new ScimException(413, null, "A bulk request may hold at most " + maxOperations
                    + " operations; this one holds " + ops.size() + ".");
        }
        JsonNode schemas = member(body, "schemas");
        if (schemas != null && schemas.isArray() && schemas.size() > 0) {
            boolean found = false;
            for (JsonNode s : schemas) {
                found |= BULK_REQUEST.equalsIgnoreCase(s.asText());
            }
            if (!found) {
                throw ScimException.invalidSyntax("'schemas' must list " + BULK_REQUEST + ".");
            }
        }
        Integer failOnErrors = null;
        JsonNode foe = member(body, "failOnErrors");
        if (foe != null && !foe.isNull()) {
            if (!foe.canConvertToInt() || !foe.isIntegralNumber() || foe.intValue() < 0) {
                throw ScimException.invalidValue("'failOnErrors' must be a whole number of at least 1.");
            }
            if (foe.intValue() == 0 && !IdpTolerance.BULK_FAIL_ON_ERRORS_ZERO.accepted()) {
                throw ScimException.invalidValue("'failOnErrors' must be a whole number of at least 1.");
            }
            // 0 is what a client writes for a limit it never set: no limit, as an absent value.
            failOnErrors = foe.intValue() == 0 ? null : foe.intValue();
        }
        List<BulkOperation> out = new ArrayList<>(ops.size());
        for (int i = 0; i < ops.size(); i++) {
            out.add(operation(i, ops.get(i)));
        }
        return new BulkRequest(failOnErrors, out);
    }

    private static BulkOperation operation(int index, JsonNode op) {
        if (!op.isObject()) {
            return invalid(index, null, null, null, "Each operation must be a JSON object.");
        }
        String method;
        String bulkId;
        String version;
        String path;
        JsonNode data;
        try {
            method = text(member(op, "method"));
            bulkId = text(member(op, "bulkId"));
            version = text(member(op, "version"));
            path = text(member(op, "path"));
            data = member(op, "data");
        } catch (ScimException e) {
            return invalid(index, null, null, null, e.detail());
        }
        String m = method == null ? null : CaseFold.upper(method);
        if (m == null || !METHODS.contains(m)) {
            // The result still names the method as sent (RFC 7644 §3.7.3 gives every result one), cut short.
            return invalid(index, ShortText.cut(method, 16), bulkId, path, "'method' must be POST, PUT, PATCH or DELETE.");
        }
        if (path == null || path.isBlank()) {
            return invalid(index, m, bulkId, path, "'path' is required.");
        }
        if (m.equals("POST") && (bulkId == null || bulkId.isBlank())) {
            return invalid(index, m, bulkId, path, "A POST operation needs a 'bulkId'.");
        }
        if (!m.equals("DELETE") && (data == null || !data.isObject())) {
            return invalid(index, m, bulkId, path, "A " + m + " operation needs a 'data' object.");
        }
        return new BulkOperation(index, m, bulkId, version, path.trim(), data, null);
    }

    private static BulkOperation invalid(int index, String method, String bulkId, String path, String detail) {
        return new BulkOperation(index, method, bulkId, null, path, null, ScimException.invalidSyntax(detail));
    }

    /**
     * The member of {@code o} named {@code name} in any letter case, or null. Named twice ("path" and
     * "PATH"), it is refused: which resource a DELETE deletes must not depend on the order of keys.
     */
    static JsonNode member(JsonNode o, String name) {
        JsonNode found = null;
        Iterator<Map.Entry<String, JsonNode>> fields = o.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            if (f.getKey().equalsIgnoreCase(name)) {
                if (found != null) {
                    throw ScimException.invalidSyntax("'" + name + "' is given twice.");
                }
                found = f.getValue();
            }
        }
        return found;
    }

    private static String text(JsonNode n) {
        return n == null || n.isNull() || !n.isValueNode() ? null : n.asText();
    }
}
