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
 * {@code bulkId:<id>} references (RFC 7644 §3.7.2), replaced by the created resource's id where a
 * resource is named: in an operation's path ({@code /Groups/bulkId:g1}); in the data, as the
 * {@code value} of a member or of a manager, or as the manager itself (a bare id); in a PATCH
 * operation's value when its path names the members or the manager; and quoted inside a PATCH
 * operation's path ({@code members[value eq "bulkId:u1"]}). Other text that happens to start with
 * {@code bulkId:}, a title, a nickname, an email, is data and is stored as sent.
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
        if (op.data() != null) {
            copy(op.data(), null, false, bulkId -> {
                out.add(bulkId);
                return bulkId;
            });
        }
        return out;
    }

    /** The operation with every reference replaced; {@code ids} gives the id for a bulkId. */
    public static BulkOperation resolve(BulkOperation op, Function<String, String> ids) {
        String path = op.path();
        int at = path == null ? -1 : path.indexOf(PREFIX);
        if (at >= 0) {
            path = path.substring(0, at) + ids.apply(path.substring(at + PREFIX.length()));
        }
        JsonNode data = op.data() == null ? null : copy(op.data(), null, false, ids);
        return op.with(path, data);
    }

    /**
     * A copy of the tree with each reference replaced, made in one pass: containers are new, value
     * nodes (immutable) are shared, as {@code deepCopy} would share them.
     *
     * @param key      the member name {@code n} is the value of, or an element of; null at the top
     * @param resource whether {@code n} is (within) a member or a manager, whose {@code value} names a resource
     */
    private static JsonNode copy(JsonNode n, String key, boolean resource, Function<String, String> ids) {
        if (n.isTextual()) {
            String text = n.asText();
            if (key == null || !text.contains(PREFIX)) {
                return n;
            }
            if ((resource || isManager(key)) && text.startsWith(PREFIX)) {
                return TextNode.valueOf(ids.apply(text.substring(PREFIX.length())));
            }
            return key.equalsIgnoreCase("path") ? TextNode.valueOf(quotedResolved(text, ids)) : n;
        }
        if (n instanceof ObjectNode o) {
            // A PATCH operation (it has an "op"): its path says what its value is.
            String opPath = BulkRequest.member(o, "op") == null ? null : text(BulkRequest.member(o, "path"));
            ObjectNode out = o.objectNode();
            Iterator<Map.Entry<String, JsonNode>> fields = o.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> f = fields.next();
                String name = f.getKey();
                boolean names;
                if (opPath != null && name.equalsIgnoreCase("value")) {
                    names = namesResource(opPath);
                } else {
                    names = name.equalsIgnoreCase("value") ? resource : isMembers(name) || isManager(name);
                }
                out.set(name, copy(f.getValue(), name, names, ids));
            }
            return out;
        }
        if (n instanceof ArrayNode a) {
            ArrayNode out = a.arrayNode(a.size());
            for (JsonNode element : a) {
                out.add(copy(element, key, resource, ids));
            }
            return out;
        }
        return n;
    }

    private static String quotedResolved(String path, Function<String, String> ids) {
        Matcher m = QUOTED.matcher(path);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement("\"" + ids.apply(m.group(1)) + "\""));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** {@code members}, or qualified by the Group schema's URN ({@code urn:...:Group:members}). */
    private static boolean isMembers(String name) {
        return name.equalsIgnoreCase("members") || name.regionMatches(true, name.length() - 8, ":members", 0, 8);
    }

    /** {@code manager}, or an extension's {@code urn:...:manager}. */
    private static boolean isManager(String name) {
        return name.equalsIgnoreCase("manager") || name.regionMatches(true, name.length() - 8, ":manager", 0, 8);
    }

    /** Whether a PATCH path names the members or the manager, or its value (so its value names resources). */
    private static boolean namesResource(String path) {
        String p = path.trim();
        if (p.regionMatches(true, p.length() - 6, ".value", 0, 6)) {
            p = p.substring(0, p.length() - 6);
        }
        int filter = p.indexOf('[');
        String attribute = filter >= 0 ? p.substring(0, filter) : p;
        return isMembers(attribute) || isManager(attribute);
    }

    private static String text(JsonNode n) {
        return n != null && n.isTextual() ? n.asText() : "";
    }
}
