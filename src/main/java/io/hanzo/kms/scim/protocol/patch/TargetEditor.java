package io.hanzo.kms.scim.protocol.patch;

import static io.hanzo.kms.scim.protocol.patch.Values.isNone;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hanzo.kms.scim.protocol.ScimException;
import io.hanzo.kms.scim.protocol.filter.FilterEvaluator;
import io.hanzo.kms.scim.protocol.schema.AttributeDef;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Applies one operation to one {@link PatchTarget} of a resource in stored form, which it edits in
 * place. A value that is JSON null clears the target.
 *
 * <p>Add and replace on a complex attribute both write the sub-attributes given and keep the others:
 * RFC 7644 §3.5.2.3 says so for replace, and Okta and Entra send a partial {@code name} expecting it.
 * Replace on a multi-valued attribute without a filter swaps the whole array, as the RFC says.
 */
final class TargetEditor {
    private final ObjectNode resource;

    TargetEditor(ObjectNode resource) {
        this.resource = resource;
    }

    void apply(PatchOp op, PatchTarget target, JsonNode value) {
        boolean clear = op == PatchOp.REMOVE || (op == PatchOp.REPLACE && isNone(value));
        if (op == PatchOp.ADD && isNone(value)) {
            return;
        }
        if (target.valueFilter() != null) {
            filtered(op, clear, target, value);
        } else if (target.subAttribute() != null) {
            if (target.attribute().multiValued()) {
                subOfEveryValue(clear, target, value);
            } else {
                subOfComplex(clear, target, value);
            }
        } else {
            whole(op, clear, target, value);
        }
        dropEmptyExtension(target);
    }

    private void whole(PatchOp op, boolean clear, PatchTarget t, JsonNode value) {
        AttributeDef def = t.attribute();
        if (op == PatchOp.REMOVE && def.multiValued() && !isNone(value)) {
            removeListedValues(t, value);
            return;
        }
        if (clear) {
            remove(t);
            return;
        }
        ObjectNode container = container(t, true);
        if (def.multiValued()) {
            if (op == PatchOp.ADD) {
                appendValues(t, value);
            } else {
                setOrRemove(container, def, Values.canonical(def, value));
            }
        } else if (def.isComplex()) {
            ObjectNode object = object(container, def);
            Values.merge(object, def, value);
            if (object.isEmpty()) {
                container.remove(def.name());
            }
        } else {
            setOrRemove(container, def, Values.canonical(def, value));
        }
    }

    /** Add on a multi-valued attribute: new values are appended, values already present are updated. */
    private void appendValues(PatchTarget t, JsonNode value) {
        AttributeDef def = t.attribute();
        ArrayNode values = array(container(t, true), def);
        if (!def.isComplex()) {
            JsonNode incoming = Values.canonical(def, value);
            for (JsonNode v : incoming == null ? List.<JsonNode>of() : incoming) {
                if (indexOfSame(values, def, v) < 0) {
                    values.add(v);
                }
            }
        } else {
            for (JsonNode raw : value.isArray() ? value : List.of(value)) {
                if (isNone(raw)) {
                    continue;
                }
                ObjectNode incoming = Values.complex(def, raw);
                if (incoming.isEmpty()) {
                    continue;
                }
                int at = indexOfSame(values, def, incoming);
                ObjectNode written = incoming;
                if (at >= 0 && values.get(at) instanceof ObjectNode existing) {
                    // The same value re-sent: keep its spelling, take the other sub-attributes given.
                    incoming.fields().forEachRemaining(f -> {
                        boolean identity = f.getKey().equals(Values.VALUE) || f.getKey().equals(Values.TYPE);
                        if (!identity || !existing.has(f.getKey())) {
                            existing.set(f.getKey(), f.getValue());
                        }
                    });
                    written = existing;
                } else {
                    values.add(incoming);
                }
                Values.keepPrimary(values, written);
            }
        }
        removeIfEmpty(t, values);
    }

    /**
     * Remove with a value on a multi-valued attribute removes just those values; Entra removes group
     * members this way.
     */
    private void removeListedValues(PatchTarget t, JsonNode value) {
        AttributeDef def = t.attribute();
        ArrayNode values = existingArray(t);
        if (values == null) {
            return;
        }
        for (JsonNode raw : value.isArray() ? value : List.of(value)) {
            if (isNone(raw)) {
                continue;
            }
            JsonNode incoming = def.isComplex() ? Values.complex(def, raw) : Values.canonical(def, raw);
            if (incoming == null) {
                continue;
            }
            for (int i = values.size() - 1; i >= 0; i--) {
                if (Values.sameValue(def, values.get(i), incoming)) {
                    values.remove(i);
                }
            }
        }
        removeIfEmpty(t, values);
    }

    /** {@code name.givenName}, {@code manager.value}. */
    private void subOfComplex(boolean clear, PatchTarget t, JsonNode value) {
        AttributeDef def = t.attribute();
        AttributeDef sub = t.subAttribute();
        ObjectNode container = container(t, !clear);
        if (container == null) {
            return;
        }
        JsonNode v = clear ? null : Values.canonical(sub, value);
        if (v == null) {
            if (container.get(def.name()) instanceof ObjectNode object) {
                object.remove(sub.name());
                if (object.isEmpty()) {
                    container.remove(def.name());
                }
            }
            return;
        }
        object(container, def).set(sub.name(), v);
    }

    /**
     * {@code emails.value} without a filter names that sub-attribute of every value; with no value yet,
     * writing it creates one.
     */
    private void subOfEveryValue(boolean clear, PatchTarget t, JsonNode value) {
        JsonNode v = clear ? null : Values.canonical(t.subAttribute(), value);
        if (v == null) {
            ArrayNode values = existingArray(t);
            if (values != null) {
                removeSub(t, values, elements(values));
            }
            return;
        }
        ArrayNode values = array(container(t, true), t.attribute());
        if (values.isEmpty()) {
            values.addObject();
        }
        setSub(t, values, elements(values), v);
    }

    /** {@code emails[type eq "work"]} and {@code emails[type eq "work"].value}. */
    private void filtered(PatchOp op, boolean clear, PatchTarget t, JsonNode value) {
        AttributeDef def = t.attribute();
        AttributeDef sub = t.subAttribute();
        ArrayNode existing = existingArray(t);
        List<ObjectNode> matches = new ArrayList<>();
        if (existing != null) {
            for (ObjectNode element : elements(existing)) {
                if (FilterEvaluator.matchesValue(t.valueFilter(), element, def)) {
                    matches.add(element);
                }
            }
        }
        JsonNode subValue = sub == null || clear ? null : Values.canonical(sub, value);
        if (clear || (sub != null && subValue == null)) {
            // Removing what is not there succeeds: identity providers retry removals.
            if (existing != null && !matches.isEmpty()) {
                if (sub == null) {
                    removeElements(existing, matches);
                    removeIfEmpty(t, existing);
                } else {
                    removeSub(t, existing, matches);
                }
            }
            return;
        }
        ArrayNode values = existing != null ? existing : array(container(t, true), def);
        if (matches.isEmpty()) {
            matches.add(createMatching(op, t, values));
        }
        if (sub != null) {
            setSub(t, values, matches, subValue);
            return;
        }
        ObjectNode first = null;
        for (ObjectNode element : matches) {
            Values.merge(element, def, value);
            first = first == null && element.path(Values.PRIMARY).asBoolean(false) ? element : first;
        }
        Values.keepPrimary(values, first);
        removeIfEmpty(t, values);
    }

    /**
     * A value that the filter describes exactly, appended to the attribute. Entra relies on this: it
     * sets a user's first work email with {@code add emails[type eq "work"].value}.
     */
    private ObjectNode createMatching(PatchOp op, PatchTarget t, ArrayNode values) {
        Map<String, JsonNode> pinned = Values.equalities(t.valueFilter());
        if (pinned == null) {
            throw ScimException.noTarget("No value of '" + t.attribute().name() + "' matches '" + t.describe()
                    + "', and the filter does not describe one that " + op.name().toLowerCase(Locale.ROOT) + " could create.");
        }
        ObjectNode created = values.addObject();
        pinned.forEach(created::set);
        return created;
    }

    private void setSub(PatchTarget t, ArrayNode values, List<ObjectNode> elements, JsonNode v) {
        String name = t.subAttribute().name();
        for (ObjectNode element : elements) {
            element.set(name, v);
        }
        if (name.equals(Values.PRIMARY) && !elements.isEmpty()) {
            Values.keepPrimary(values, elements.get(0));
        }
    }

    /**
     * Removes a sub-attribute from some values. A value left without its {@code value}, or with nothing
     * at all, means nothing and goes too: Entra clears a work email by removing
     * {@code emails[type eq "work"].value}.
     */
    private void removeSub(PatchTarget t, ArrayNode values, List<ObjectNode> elements) {
        String name = t.subAttribute().name();
        boolean hasValueSub = t.attribute().subAttribute(Values.VALUE) != null;
        List<ObjectNode> hollow = new ArrayList<>();
        for (ObjectNode element : elements) {
            element.remove(name);
            if (element.isEmpty() || (hasValueSub && !element.has(Values.VALUE))) {
                hollow.add(element);
            }
        }
        removeElements(values, hollow);
        removeIfEmpty(t, values);
    }

    private void remove(PatchTarget t) {
        ObjectNode container = container(t, false);
        if (container != null) {
            container.remove(t.attribute().name());
        }
    }

    private void removeIfEmpty(PatchTarget t, ArrayNode values) {
        if (values.isEmpty()) {
            remove(t);
        }
    }

    private void dropEmptyExtension(PatchTarget t) {
        if (t.extension() != null && resource.get(t.extension().id()) instanceof ObjectNode o && o.isEmpty()) {
            resource.remove(t.extension().id());
        }
    }

    /** The object holding the target attribute: the resource itself, or its extension object. */
    private ObjectNode container(PatchTarget t, boolean create) {
        if (t.extension() == null) {
            return resource;
        }
        JsonNode ext = resource.get(t.extension().id());
        if (ext instanceof ObjectNode o) {
            return o;
        }
        return create ? resource.putObject(t.extension().id()) : null;
    }

    private ArrayNode existingArray(PatchTarget t) {
        ObjectNode container = container(t, false);
        return container != null && container.get(t.attribute().name()) instanceof ArrayNode a ? a : null;
    }

    private static ArrayNode array(ObjectNode container, AttributeDef def) {
        return container.get(def.name()) instanceof ArrayNode a ? a : container.putArray(def.name());
    }

    private static ObjectNode object(ObjectNode container, AttributeDef def) {
        return container.get(def.name()) instanceof ObjectNode o ? o : container.putObject(def.name());
    }

    private static List<ObjectNode> elements(ArrayNode values) {
        List<ObjectNode> out = new ArrayList<>(values.size());
        for (JsonNode element : values) {
            if (element instanceof ObjectNode o) {
                out.add(o);
            }
        }
        return out;
    }

    /** Removes the given elements, found by identity: two equal values are still two values. */
    private static void removeElements(ArrayNode values, List<ObjectNode> elements) {
        for (int i = values.size() - 1; i >= 0; i--) {
            JsonNode element = values.get(i);
            if (elements.stream().anyMatch(e -> e == element)) {
                values.remove(i);
            }
        }
    }

    private static int indexOfSame(ArrayNode values, AttributeDef def, JsonNode incoming) {
        for (int i = 0; i < values.size(); i++) {
            if (Values.sameValue(def, values.get(i), incoming)) {
                return i;
            }
        }
        return -1;
    }

    private static void setOrRemove(ObjectNode container, AttributeDef def, JsonNode v) {
        if (v == null) {
            container.remove(def.name());
        } else {
            container.set(def.name(), v);
        }
    }
}
