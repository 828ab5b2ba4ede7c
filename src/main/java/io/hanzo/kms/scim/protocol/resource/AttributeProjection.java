package io.hanzo.kms.scim.protocol.resource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hanzo.kms.scim.protocol.CaseFold;
import io.hanzo.kms.scim.protocol.ScimException;
import io.hanzo.kms.scim.protocol.filter.AttributePath;
import io.hanzo.kms.scim.protocol.schema.AttributeDef;
import io.hanzo.kms.scim.protocol.schema.CommonAttributes;
import io.hanzo.kms.scim.protocol.schema.ResolvedAttribute;
import io.hanzo.kms.scim.protocol.schema.ResourceType;
import io.hanzo.kms.scim.protocol.schema.Returned;
import io.hanzo.kms.scim.protocol.schema.Schema;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code attributes} and {@code excludedAttributes} parameters (RFC 7644 §3.4.2.5) applied to a
 * full representation. {@code attributes} replaces the default set; {@code excludedAttributes}
 * removes from it; either way {@code schemas}, {@code id} and attributes returned "always" stay.
 * A schema's URN names all of its attributes, as a complex attribute's name names all its
 * sub-attributes: an extension's URN the whole extension object (RFC 7643 §3.3), the core schema's
 * every attribute outside the extensions. Names the schema does not know are ignored, as a client
 * asking for an attribute the server does not have simply does not get it; a list of nothing else
 * leaves only what is always returned.
 */
public final class AttributeProjection {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    /**
     * Most distinct names one list may give: more than every attribute and sub-attribute of a User.
     * Each resource of an answer is projected by every name, so a search body of 60,000 names held
     * an event loop for minutes.
     */
    static final int MAX_NAMES = 200;
    /** Where {@link #kept} holds the top-level attributes, beside the extensions' URNs. */
    private static final String TOP = "";

    /** Returns every default attribute unchanged. */
    public static final AttributeProjection ALL = new AttributeProjection(null, List.of(), List.of());

    private final ResourceType type;
    private final List<ResolvedAttribute> included;
    private final List<ResolvedAttribute> excluded;
    /**
     * What {@code attributes} keeps, worked out once for all the resources it applies to: by holder
     * ({@link #TOP} or an extension's URN), by attribute name.
     */
    private final Map<String, Map<String, Kept>> kept;

    private AttributeProjection(ResourceType type, List<ResolvedAttribute> included, List<ResolvedAttribute> excluded) {
        this.type = type;
        this.included = included;
        this.excluded = excluded;
        this.kept = included.isEmpty() ? Map.of() : kept(type, included);
    }

    /**
     * @param attributes         comma-separated names, or null
     * @param excludedAttributes comma-separated names, or null; ignored when {@code attributes} is given
     */
    public static AttributeProjection of(ResourceType type, String attributes, String excludedAttributes) {
        List<ResolvedAttribute> inc = resolve(type, attributes);
        if (inc.isEmpty() && attributes != null && !attributes.replace(",", "").isBlank()) {
            // Names all unknown to this type still replace the default set (RFC 7644 §3.4.2.5): what is
            // left is what is always returned. (A root search asks Groups for a user's userName.)
            inc = resolve(type, "id");
        }
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
        Map<String, Kept> top = kept.getOrDefault(TOP, Map.of());
        Iterator<Map.Entry<String, JsonNode>> fields = full.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            String key = f.getKey();
            if (key.equals("schemas") || key.equals("id")) {
                continue;
            }
            Map<String, Kept> extension = kept.get(key);
            Kept k = top.get(key);
            JsonNode v = extension != null ? keptOf(f.getValue(), extension) : k != null ? k.of(f.getValue()) : null;
            if (v != null) {
                out.set(key, v);
            }
        }
        return out;
    }

    /** The kept attributes of an extension object, or null when none of them is there. */
    private static JsonNode keptOf(JsonNode extension, Map<String, Kept> attributes) {
        ObjectNode out = JSON.objectNode();
        Iterator<Map.Entry<String, JsonNode>> fields = extension.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            Kept k = attributes.get(f.getKey());
            JsonNode v = k == null ? null : k.of(f.getValue());
            if (v != null) {
                out.set(f.getKey(), v);
            }
        }
        return out.isEmpty() ? null : out;
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
                // A value left with no sub-attribute is unassigned (RFC 7643 §2.5), not an empty object.
                if (v instanceof ArrayNode a) {
                    Iterator<JsonNode> values = a.elements();
                    while (values.hasNext()) {
                        if (values.next() instanceof ObjectNode o && o.remove(r.subAttribute().name()) != null
                                && o.isEmpty()) {
                            values.remove();
                        }
                    }
                    if (a.isEmpty()) {
                        holder.remove(r.attribute().name());
                    }
                } else if (v instanceof ObjectNode o && o.remove(r.subAttribute().name()) != null && o.isEmpty()) {
                    holder.remove(r.attribute().name());
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

    /** The named attributes, and those returned "always" (whole, unless named by some sub-attributes). */
    private static Map<String, Map<String, Kept>> kept(ResourceType type, List<ResolvedAttribute> included) {
        Map<String, Map<String, Kept>> out = new HashMap<>();
        for (ResolvedAttribute r : included) {
            out.computeIfAbsent(holder(type, r), h -> new HashMap<>())
                    .merge(r.attribute().name(), Kept.of(r.subAttribute()), Kept::and);
        }
        List<ResolvedAttribute> all = new ArrayList<>(attributesOf(type, type.coreSchema()));
        type.extensions().forEach(ext -> all.addAll(attributesOf(type, ext)));
        for (ResolvedAttribute r : all) {
            if (r.attribute().returned() == Returned.ALWAYS) {
                out.computeIfAbsent(holder(type, r), h -> new HashMap<>()).putIfAbsent(r.attribute().name(), Kept.WHOLE);
            }
        }
        return out;
    }

    private static String holder(ResourceType type, ResolvedAttribute r) {
        return r.inExtension(type) ? r.schema().id() : TOP;
    }

    /**
     * What a schema's URN stands for: an extension's attributes, which sit in its object, or the core
     * schema's with the common ones (id, externalId, meta) beside them at the top level.
     */
    private static List<ResolvedAttribute> attributesOf(ResourceType type, Schema schema) {
        List<ResolvedAttribute> out = new ArrayList<>();
        if (schema == type.coreSchema()) {
            CommonAttributes.all().forEach(a -> out.add(new ResolvedAttribute(null, a, null)));
        }
        schema.attributes().forEach(a -> out.add(new ResolvedAttribute(schema, a, null)));
        return out;
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
        Set<String> seen = new HashSet<>();
        for (String raw : list.split(",")) {
            String name = raw.trim();
            if (name.isEmpty() || !seen.add(CaseFold.lower(name))) {
                continue; // a name given again adds nothing, and must not cost anything either
            }
            if (seen.size() > MAX_NAMES) {
                throw ScimException.invalidValue("At most " + MAX_NAMES + " attribute names can be listed.");
            }
            Schema schema = type.schema(name);
            if (schema != null) {
                out.addAll(attributesOf(type, schema));
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

    /** What {@code attributes} keeps of one attribute: all of it, or only some of its sub-attributes. */
    private record Kept(boolean whole, List<AttributeDef> subs) {
        static final Kept WHOLE = new Kept(true, List.of());

        static Kept of(AttributeDef subAttribute) {
            return subAttribute == null ? WHOLE : new Kept(false, List.of(subAttribute));
        }

        Kept and(Kept other) {
            if (whole || other.whole) {
                return WHOLE;
            }
            List<AttributeDef> both = new ArrayList<>(subs);
            both.addAll(other.subs);
            return new Kept(false, both);
        }

        /** The kept part of the attribute's value, or null when nothing of it is. */
        JsonNode of(JsonNode value) {
            return whole || !value.isContainerNode() ? value : keepSubs(value, subs);
        }
    }
}
