package io.hanzo.kms.scim.protocol.patch;

import static io.hanzo.kms.scim.protocol.patch.Values.isNone;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hanzo.kms.scim.protocol.ScimException;
import io.hanzo.kms.scim.protocol.filter.FilterEvaluator;
import io.hanzo.kms.scim.protocol.resource.ResourceNormalizer;
import io.hanzo.kms.scim.protocol.schema.AttributeDef;
import io.hanzo.kms.scim.protocol.tolerance.IdpTolerance;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The edits of a multi-valued attribute: appending, removing and changing chosen values. */
final class MultiValuedEditor {
    private final Slot slot;
    private final PatchTarget target;
    private final AttributeDef def;

    MultiValuedEditor(Slot slot) {
        this.slot = slot;
        this.target = slot.target();
        this.def = target.attribute();
    }

    /** Add: new values are appended; a value already present is updated instead of repeated. */
    void append(JsonNode value) {
        // Bounded before the values are compared with each other, which costs the product of the counts.
        ResourceNormalizer.checkValueCount(def, value.isArray() ? value.size() : 1);
        ArrayNode values = slot.array();
        ValueIndex index = values.size() + (value.isArray() ? value.size() : 1) > ValueIndex.WORTH_IT
                ? new ValueIndex(def, values) : null;
        if (!def.isComplex()) {
            JsonNode incoming = Values.canonical(def, value);
            for (JsonNode v : incoming == null ? List.<JsonNode>of() : incoming) {
                if (indexOfSame(index, values, v) < 0) {
                    added(index, values, v);
                }
            }
        } else {
            if (!value.isArray() && !IdpTolerance.SINGLE_VALUE_FOR_MULTI_VALUED.accepted()) {
                throw ScimException.invalidValue("The value of '" + def.name() + "' must be an array.");
            }
            ArrayNode incoming = values.arrayNode();
            for (JsonNode raw : value.isArray() ? value : List.of(value)) {
                if (!isNone(raw)) {
                    incoming.add(Values.complex(def, raw));
                }
            }
            // Several marked primary keep the first mark, as in a POST or PUT body: each would
            // otherwise take the mark from the one before it, and the last would keep it.
            ResourceNormalizer.keepOnePrimary(incoming);
            for (JsonNode one : incoming) {
                appendOne(index, values, (ObjectNode) one);
            }
        }
        ResourceNormalizer.checkValueCount(def, values.size());
        slot.removeIfEmpty();
    }

    private void appendOne(ValueIndex index, ArrayNode values, ObjectNode incoming) {
        if (incoming.isEmpty()) {
            return;
        }
        int at = indexOfSame(index, values, incoming);
        if (at >= 0 && values.get(at) instanceof ObjectNode existing) {
            // The same value re-sent: keep its spelling, take the other sub-attributes given.
            incoming.fields().forEachRemaining(f -> {
                boolean identity = f.getKey().equals(Values.VALUE) || f.getKey().equals(Values.TYPE);
                if (!identity || !existing.has(f.getKey())) {
                    existing.set(f.getKey(), f.getValue());
                }
            });
            Values.keepPrimary(values, existing);
        } else {
            added(index, values, incoming);
            Values.keepPrimary(values, incoming);
        }
    }

    private static void added(ValueIndex index, ArrayNode values, JsonNode value) {
        values.add(value);
        if (index != null) {
            index.add(value, values.size() - 1);
        }
    }

    /** Remove with a value removes just those values; Entra removes group members this way. */
    void removeListed(JsonNode value) {
        if (!IdpTolerance.PATCH_REMOVE_WITH_VALUE.accepted()) {
            throw ScimException.invalidValue("'remove' takes no value; choose the values with a filter in the path.");
        }
        ArrayNode values = slot.existingArray();
        if (values == null) {
            return;
        }
        ResourceNormalizer.checkValueCount(def, value.isArray() ? value.size() : 1);
        // The values to remove, indexed, and one pass over the values held: not each with each.
        ArrayNode listed = values.arrayNode();
        for (JsonNode raw : value.isArray() ? value : List.of(value)) {
            JsonNode incoming = isNone(raw) ? null : def.isComplex() ? Values.complex(def, raw) : Values.canonical(def, raw);
            if (incoming != null) {
                listed.add(incoming);
            }
        }
        ValueIndex index = new ValueIndex(def, listed);
        for (int i = values.size() - 1; i >= 0; i--) {
            if (index.indexOfSame(listed, values.get(i)) >= 0) {
                values.remove(i);
            }
        }
        slot.removeIfEmpty();
    }

    /**
     * {@code emails.value} without a filter names that sub-attribute of every value; when there is no
     * value yet, writing it creates one.
     */
    void subOfEvery(boolean clear, JsonNode value) {
        JsonNode v = clear ? null : Values.canonical(target.subAttribute(), value);
        if (v == null) {
            ArrayNode values = slot.existingArray();
            if (values != null) {
                removeSub(values, elements(values));
            }
            return;
        }
        ArrayNode values = slot.array();
        if (values.isEmpty()) {
            values.addObject();
        }
        setSub(values, elements(values), v);
    }

    /** {@code emails[type eq "work"]} and {@code emails[type eq "work"].value}. */
    void filtered(PatchOp op, boolean clear, JsonNode value) {
        ArrayNode existing = slot.existingArray();
        List<ObjectNode> matches = new ArrayList<>();
        for (ObjectNode element : existing == null ? List.<ObjectNode>of() : elements(existing)) {
            if (FilterEvaluator.matchesValue(target.valueFilter(), element, def)) {
                matches.add(element);
            }
        }
        if (clear) {
            // Removing what is not there succeeds: identity providers retry removals.
            if (matches.isEmpty() && !IdpTolerance.PATCH_REMOVE_OF_NOTHING_SUCCEEDS.accepted()) {
                throw ScimException.noTarget("No value matches '" + target.describe() + "'.");
            }
            if (!matches.isEmpty() && target.subAttribute() == null) {
                removeElements(existing, matches);
                slot.removeIfEmpty();
            } else if (!matches.isEmpty()) {
                removeSub(existing, matches);
            }
            return;
        }
        ArrayNode values = existing != null ? existing : slot.array();
        if (matches.isEmpty()) {
            matches.add(createMatching(op, values));
        }
        if (target.subAttribute() != null) {
            setSub(values, matches, Values.canonical(target.subAttribute(), value));
            return;
        }
        ObjectNode firstPrimary = null;
        for (ObjectNode element : matches) {
            Values.merge(element, def, value);
            if (firstPrimary == null && element.path(Values.PRIMARY).asBoolean(false)) {
                firstPrimary = element;
            }
        }
        Values.keepPrimary(values, firstPrimary);
    }

    /**
     * Appends the value that the filter describes, when it describes one exactly. Entra relies on this:
     * it sets a user's first work email with {@code add emails[type eq "work"].value}.
     */
    private ObjectNode createMatching(PatchOp op, ArrayNode values) {
        Map<String, JsonNode> pinned = Values.equalities(target.valueFilter());
        if (pinned == null || !createsAValue() || !IdpTolerance.PATCH_FILTER_CREATES_MISSING_VALUE.accepted()) {
            throw ScimException.noTarget("No value matches '" + target.describe() + "', and the filter does not"
                    + " describe a value that " + op.name().toLowerCase(Locale.ROOT) + " could create.");
        }
        ObjectNode created = values.addObject();
        pinned.forEach(created::set);
        return created;
    }

    /**
     * Whether writing the path's sub-attribute gives the value the filter describes something to be:
     * its {@code value} (emails[type eq "work"].value), or any part of a value that has none
     * (addresses[type eq "work"].locality). Only a primary mark or a display, on an email that does not
     * exist, would make an entry without an address, and take the mark from the real one.
     */
    private boolean createsAValue() {
        AttributeDef sub = target.subAttribute();
        if (sub == null) {
            return true;
        }
        if (sub.name().equals(Values.PRIMARY)) {
            return false;
        }
        return def.subAttribute(Values.VALUE) == null || sub.name().equals(Values.VALUE);
    }

    private void setSub(ArrayNode values, List<ObjectNode> elements, JsonNode v) {
        String name = target.subAttribute().name();
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
    private void removeSub(ArrayNode values, List<ObjectNode> elements) {
        String name = target.subAttribute().name();
        boolean hasValueSub = def.subAttribute(Values.VALUE) != null
                && IdpTolerance.PATCH_REMOVING_VALUE_DROPS_THE_ENTRY.accepted();
        List<ObjectNode> hollow = new ArrayList<>();
        for (ObjectNode element : elements) {
            element.remove(name);
            if (element.isEmpty() || (hasValueSub && !element.has(Values.VALUE))) {
                hollow.add(element);
            }
        }
        removeElements(values, hollow);
        slot.removeIfEmpty();
    }

    private int indexOfSame(ValueIndex index, ArrayNode values, JsonNode incoming) {
        if (index != null) {
            return index.indexOfSame(values, incoming);
        }
        for (int i = 0; i < values.size(); i++) {
            if (Values.sameValue(def, values.get(i), incoming)) {
                return i;
            }
        }
        return -1;
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
}
