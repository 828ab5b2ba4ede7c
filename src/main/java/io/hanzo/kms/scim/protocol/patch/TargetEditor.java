package io.hanzo.kms.scim.protocol.patch;

import static io.hanzo.kms.scim.protocol.patch.Values.isNone;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hanzo.kms.scim.protocol.ScimException;
import io.hanzo.kms.scim.protocol.schema.AttributeDef;
import io.hanzo.kms.scim.protocol.tolerance.IdpTolerance;

/**
 * Applies one operation to one {@link PatchTarget} of a resource in stored form, which it edits in
 * place. A value that is JSON null clears the target.
 *
 * <p>Add and replace on a complex attribute both write the sub-attributes given and keep the others:
 * RFC 7644 §3.5.2.3 says so for replace, and Okta and Entra send a partial {@code name} expecting it.
 */
final class TargetEditor {
    private final ObjectNode resource;

    TargetEditor(ObjectNode resource) {
        this.resource = resource;
    }

    void apply(PatchOp op, PatchTarget target, JsonNode value) {
        if (op == PatchOp.ADD && isNone(value)) {
            return;
        }
        boolean clear = op == PatchOp.REMOVE || isNone(value);
        Slot slot = new Slot(resource, target);
        if (target.attribute().multiValued()) {
            MultiValuedEditor values = new MultiValuedEditor(slot);
            if (target.valueFilter() != null) {
                values.filtered(op, clear, value);
            } else if (target.subAttribute() != null) {
                values.subOfEvery(clear, value);
            } else if (op == PatchOp.REMOVE && !isNone(value)) {
                values.removeListed(value);
            } else if (clear) {
                slot.remove();
            } else if (op == PatchOp.ADD) {
                values.append(value);
            } else {
                // RFC 7644 §3.5.2.3: replace without a filter replaces all values.
                slot.set(Values.canonical(target.attribute(), value));
            }
        } else if (op == PatchOp.REMOVE && !isNone(value)) {
            removeIfHeld(slot, value);
        } else if (target.subAttribute() != null) {
            subAttribute(slot, clear, value);
        } else if (clear) {
            slot.remove();
        } else if (target.attribute().isComplex()) {
            Values.merge(slot.object(), target.attribute(), value);
            slot.removeIfEmpty();
        } else {
            slot.set(Values.canonical(target.attribute(), value));
        }
    }

    /**
     * Remove with a value on a single value removes it only when it is the value held, as the value
     * chooses among a multi-valued attribute's: "remove the old manager", arriving after a new one was
     * set, must not take the new one away.
     */
    private static void removeIfHeld(Slot slot, JsonNode value) {
        if (!IdpTolerance.PATCH_REMOVE_WITH_VALUE.accepted()) {
            throw ScimException.invalidValue("'remove' takes no value.");
        }
        AttributeDef sub = slot.target().subAttribute();
        ObjectNode object = slot.existingObject();
        if (value.isArray() && value.isEmpty()) {
            // No values listed, none removed: as a remove of [] from a multi-valued attribute.
            return;
        }
        if (Values.namesNothing(value)) {
            // "", {} or a null value has nothing to compare: the plain remove it always was.
            if (sub == null) {
                slot.remove();
            } else {
                subAttribute(slot, true, null);
            }
        } else if (sub == null) {
            if (Values.holds(slot.target().attribute(), slot.get(), value)) {
                slot.remove();
            }
        } else if (object != null && Values.holds(sub, object.get(sub.name()), value)) {
            subAttribute(slot, true, null);
        }
    }

    /** {@code name.givenName}, {@code manager.value}. */
    private static void subAttribute(Slot slot, boolean clear, JsonNode value) {
        AttributeDef sub = slot.target().subAttribute();
        JsonNode v = clear ? null : Values.canonical(sub, value);
        if (v != null) {
            slot.object().set(sub.name(), v);
            return;
        }
        ObjectNode object = slot.existingObject();
        if (object != null) {
            object.remove(sub.name());
            slot.removeIfEmpty();
        }
    }
}
