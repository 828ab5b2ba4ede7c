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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code bulkId:<id>} references (RFC 7644 §3.7.2), replaced by the created resource's id: in an
 * operation's path ({@code /Groups/bulkId:g1}), in the data as the {@code value} of a member or a
 * manager (or of a PATCH operation that sets one), and quoted inside a PATCH operation's path
 * ({@code members[value eq "bulkId:u1"]}). Other text that happens to start with {@code bulkId:}, a
 * title or a nickname, is data and is stored as sent.
 */
public final class BulkIds {
    public static final String PREFIX = "bulkId:";
    /** A reference quoted in a PATCH path's filter. */
    private static final Pattern QUOTED = Pattern.compile("\"" + PREFIX + "([^\"]*)\"");

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
        copy(op.data(), null, bulkId -> {
            out.add(bulkId);
            return bulkId;
        });
        return out;
    }

    /** The operation with every reference replaced; {@code ids} gives the id for a bulkId. */
    public static BulkOperation resolve(BulkOperation op, Function<String, String> ids) {
        String path = op.path();
        int at = path == null ? -1 : path.indexOf(PREFIX);
        if (at >= 0) {
            path = path.substring(0, at) + ids.apply(path.substring(at + PREFIX.length()));
        }
        JsonNode data = op.data() == null ? null : copy(op.data(), null, ids);
        return op.with(path, data);
    }

    /**
     * A copy of the tree with each reference replaced, made in one pass: containers are new, value
     * nodes (immutable) are shared, as {@code deepCopy} would share them.
     *
     * @param key the member name {@code n} is the value of, or an element of; null at the top
     */
    private static JsonNode copy(JsonNode n, String key, Function<String, String> ids) {
        if (n == null) {
            return null;
        }
        if (n.isTextual() && key != null) {
            String text = n.asText();
            if (key.equalsIgnoreCase("value") && text.startsWith(PREFIX)) {
                return TextNode.valueOf(ids.apply(text.substring(PREFIX.length())));
            }
            if (key.equalsIgnoreCase("path") && text.contains(PREFIX)) {
                Matcher m = QUOTED.matcher(text);
                StringBuilder out = new StringBuilder();
                while (m.find()) {
                    m.appendReplacement(out, Matcher.quoteReplacement("\"" + ids.apply(m.group(1)) + "\""));
                }
                m.appendTail(out);
                return TextNode.valueOf(out.toString());
            }
            return n;
        }
        if (n instanceof ObjectNode o) {
            ObjectNode out = o.objectNode();
            Iterator<Map.Entry<String, JsonNode>> fields = o.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> f = fields.next();
                out.set(f.getKey(), copy(f.getValue(), f.getKey(), ids));
            }
            return out;
        }
        if (n instanceof ArrayNode a) {
            ArrayNode out = a.arrayNode(a.size());
            for (JsonNode element : a) {
                out.add(copy(element, key, ids));
            }
            return out;
        }
        return n;
    }
}
