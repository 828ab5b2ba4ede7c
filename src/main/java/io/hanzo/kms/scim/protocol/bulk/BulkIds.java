package io.hanzo.kms.scim.protocol.bulk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * {@code bulkId:<id>} references: found anywhere in an operation's path or data (member values,
 * manager values, paths such as {@code /Groups/bulkId:g1}), and replaced by the created resource's id.
 */
public final class BulkIds {
    public static final String PREFIX = "bulkId:";

    private BulkIds() {
    }

    /** The bulkIds an operation refers to. */
    public static Set<String> references(BulkOperation op) {
        Set<String> out = new LinkedHashSet<>();
        if (op.path() != null) {
            int at = op.path().indexOf(PREFIX);
            if (at >= 0) {
                out.add(op.path().substring(at + PREFIX.length()));
            }
        }
        collect(op.data(), out);
        return out;
    }

    private static void collect(JsonNode n, Set<String> out) {
        if (n == null) {
            return;
        }
        if (n.isTextual() && n.asText().startsWith(PREFIX)) {
            out.add(n.asText().substring(PREFIX.length()));
        } else if (n.isContainerNode()) {
            for (JsonNode child : n) {
                collect(child, out);
            }
        }
    }

    /** The operation with every reference replaced; {@code ids} gives the id for a bulkId. */
    public static BulkOperation resolve(BulkOperation op, Function<String, String> ids) {
        String path = op.path();
        int at = path == null ? -1 : path.indexOf(PREFIX);
        if (at >= 0) {
            path = path.substring(0, at) + ids.apply(path.substring(at + PREFIX.length()));
        }
        JsonNode data = op.data() == null ? null : copy(op.data(), ids);
        return op.with(path, data);
    }

    /**
     * A copy of the tree with each reference replaced, made in one pass: containers are new, value
     * nodes (immutable) are shared, as {@code deepCopy} would share them.
     */
    private static JsonNode copy(JsonNode n, Function<String, String> ids) {
        if (n.isTextual() && n.asText().startsWith(PREFIX)) {
            return TextNode.valueOf(ids.apply(n.asText().substring(PREFIX.length())));
        }
        if (n instanceof ObjectNode o) {
            ObjectNode out = o.objectNode();
            Iterator<Map.Entry<String, JsonNode>> fields = o.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> f = fields.next();
                out.set(f.getKey(), copy(f.getValue(), ids));
            }
            return out;
        }
        if (n instanceof ArrayNode a) {
            ArrayNode out = a.arrayNode(a.size());
            for (JsonNode element : a) {
                out.add(copy(element, ids));
            }
            return out;
        }
        return n;
    }
}
