package io.hanzo.kms.scim.protocol.resource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hanzo.kms.scim.protocol.filter.AttributePath;
import io.hanzo.kms.scim.protocol.schema.AttributeDef;
import io.hanzo.kms.scim.protocol.schema.ResolvedAttribute;
import io.hanzo.kms.scim.protocol.schema.ResourceType;
import io.hanzo.kms.scim.protocol.schema.Returned;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The {@code attributes} and {@code excludedAttributes} parameters (RFC 7644 §3.4.2.5) applied to a
 * full representation. {@code attributes} replaces the default set; {@code excludedAttributes}
 * removes from it; either way {@code schemas}, {@code id} and attributes returned "always" stay.
 * Names the schema does not know are ignored, as a client asking for an attribute the server does
 * not have simply does not get it.
 */
public final class AttributeProjection {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    /** Returns every default attribute unchanged. */
    public static final AttributeProjection ALL = new AttributeProjection(null, List.of(), List.of());

    private final ResourceType type;
    private final List<ResolvedAttribute> included;
    private final List<ResolvedAttribute> excluded;

    private AttributeProjection(ResourceType type, List<ResolvedAttribute> included, List<ResolvedAttribute> excluded) {
        this.type = type;
        this.included = included;
        this.excluded = excluded;
    }

    /**
     * @param attributes         comma-separated names, or null
     * @param excludedAttributes comma-separated names, or null; ignored when {@code attributes} is given
     */
    public static AttributeProjection of(ResourceType type, String attributes, String excludedAttributes) {
        List<ResolvedAttribute> inc = resolve(type, attributes);
        if (!inc.isEmpty()) {
            return new AttributeProjection(type, inc, List.of());
        }
        List<ResolvedAttribute> exc = resolve(type, excludedAttributes);
        return exc.isEmpty() ? ALL : new AttributeProjection(type, List.of(), exc);
    }

    public boolean isAll() {
        return included.isEmpty() && excluded.isEmpty();
    }

    /** Whether the top-level attribute (such as {@code members}) appears in the result at all. */
    public boolean includes(String attributeName) {
        if (isAll()) {
            return true;
        }
        if (!included.isEmpty()) {
            return included.stream().anyMatch(r -> r.attribute().name().equals(attributeName));
        }
        return excluded.stream().noneMatch(r -> r.attribute().name().equals(attributeName) && r.subAttribute() == null);
    }

    /**
     * Whether a sub-attribute of an included attribute is returned: for values the server writes
     * itself, such as the members it streams.
     */
    public boolean includesSub(String attributeName, String subName) {
        if (isAll()) {
            return true;
        }
        if (!included.isEmpty()) {
            return included.stream().anyMatch(r -> r.attribute().name().equals(attributeName)
                    && (r.subAttribute() == null || r.subAttribute().name().equals(subName)));
        }
        return excluded.stream().noneMatch(r -> r.attribute().name().equals(attributeName)
                && (r.subAttribute() == null || r.subAttribute().name().equals(subName)));
    }

    public ObjectNode apply(ObjectNode full) {
        if (isAll()) {
            return full;
        }
        return included.isEmpty() ? exclude(full) : include(full);
    }

    private ObjectNode include(ObjectNode full) {
        ObjectNode out = JSON.objectNode();
        copyIfPresent(full, out, "schemas");
        copyIfPresent(full, out, "id");
        Iterator<Map.Entry<String, JsonNode>> fields = full.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            String key = f.getKey();
            if (key.equals("schemas") || key.equals("id")) {
                continue;
            }
            if (type.schema(key) != null && type.schema(key) != type.coreSchema()) {
                ObjectNode ext = JSON.objectNode();
                Iterator<Map.Entry<String, JsonNode>> extFields = f.getValue().fields();
                while (extFields.hasNext()) {
                    Map.Entry<String, JsonNode> ef = extFields.next();
                    JsonNode v = pick(key, ef.getKey(), ef.getValue());
                    if (v != null) {
                        ext.set(ef.getKey(), v);
                    }
                }
                if (!ext.isEmpty()) {
                    out.set(key, ext);
                }
                continue;
            }
            JsonNode v = pick(null, key, f.getValue());
            if (v != null) {
                out.set(key, v);
            }
        }
        return out;
    }

    /** The part of one attribute's value that was asked for, or null. */
    private JsonNode pick(String extensionUrn, String name, JsonNode value) {
        AttributeDef def = null;
        List<AttributeDef> subs = new ArrayList<>();
        boolean whole = false;
        for (ResolvedAttribute r : included) {
            if (!sameAttribute(r, extensionUrn, name)) {
                continue;
            }
            def = r.attribute();
            if (r.subAttribute() == null) {
                whole = true;
            } else {
                subs.add(r.subAttribute());
            }
        }
        if (def == null) {
            return alwaysReturned(extensionUrn, name) ? value : null;
        }
        if (whole || !value.isContainerNode()) {
            return value;
        }
        return keepSubs(value, subs);
    }

    private ObjectNode exclude(ObjectNode full) {
        ObjectNode out = full.deepCopy();
        for (ResolvedAttribute r : excluded) {
            if (r.leaf().returned() == Returned.ALWAYS || (r.subAttribute() == null && r.attribute().returned() == Returned.ALWAYS)) {
                continue;
            }
            ObjectNode holder = out;
            if (r.inExtension(type)) {
                JsonNode ext = out.get(r.schema().id());
                if (!(ext instanceof ObjectNode e)) {
                    continue;
                }
                holder = e;
            }
            if (r.subAttribute() == null) {
                holder.remove(r.attribute().name());
            } else {
                JsonNode v = holder.get(r.attribute().name());
                if (v instanceof ArrayNode a) {
                    a.forEach(el -> {
                        if (el instanceof ObjectNode o) {
                            o.remove(r.subAttribute().name());
                        }
                    });
                } else if (v instanceof ObjectNode o) {
                    o.remove(r.subAttribute().name());
                }
            }
            if (holder != out && holder.isEmpty()) {
                out.remove(r.schema().id());
            }
        }
        return out;
    }

    private static JsonNode keepSubs(JsonNode value, List<AttributeDef> subs) {
        if (value.isArray()) {
            ArrayNode a = JSON.arrayNode();
            for (JsonNode el : value) {
                JsonNode kept = keepSubs(el, subs);
                if (kept != null) {
                    a.add(kept);
                }
            }
            return a.isEmpty() ? null : a;
        }
        ObjectNode o = JSON.objectNode();
        for (AttributeDef sub : subs) {
            JsonNode v = value.get(sub.name());
            if (v != null) {
                o.set(sub.name(), v);
            }
        }
        return o.isEmpty() ? null : o;
    }

    private boolean sameAttribute(ResolvedAttribute r, String extensionUrn, String name) {
        if (!r.attribute().name().equals(name)) {
            return false;
        }
        return extensionUrn == null ? !r.inExtension(type) : r.inExtension(type) && r.schema().id().equals(extensionUrn);
    }

    private boolean alwaysReturned(String extensionUrn, String name) {
        try {
            AttributePath p = extensionUrn == null ? AttributePath.of(name) : new AttributePath(extensionUrn, name, null);
            return type.resolve(p).attribute().returned() == Returned.ALWAYS;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static void copyIfPresent(ObjectNode from, ObjectNode to, String key) {
        JsonNode v = from.get(key);
        if (v != null) {
            to.set(key, v);
        }
    }

    private static List<ResolvedAttribute> resolve(ResourceType type, String list) {
        List<ResolvedAttribute> out = new ArrayList<>();
        if (list == null || list.isBlank()) {
            return out;
        }
        for (String raw : list.split(",")) {
            String name = raw.trim();
            if (name.isEmpty()) {
                continue;
            }
            try {
                out.add(type.resolve(AttributePath.parse(name)));
            } catch (IllegalArgumentException e) {
                // an attribute this server does not have is simply not returned
            }
        }
        return out;
    }
}
