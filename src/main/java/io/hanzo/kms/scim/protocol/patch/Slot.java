package io.hanzo.kms.scim.protocol.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Where a target's attribute lives in a resource's stored form: at the top level, or inside its
 * extension object, which is created on the first write and dropped when it empties.
 */
final class Slot {
    private final ObjectNode resource;
    private final PatchTarget target;

    Slot(ObjectNode resource, PatchTarget target) {
        this.resource = resource;
        this.target = target;
    }

    PatchTarget target() {
        return target;
    }

    private String name() {
        return target.attribute().name();
    }

    /** The object holding the attribute, or null when it does not exist and {@code create} is false. */
    ObjectNode container(boolean create) {
        if (target.extension() == null) {
            return resource;
        }
        String urn = target.extension().id();
        if (resource.get(urn) instanceof ObjectNode o) {
            return o;
        }
        return create ? resource.putObject(urn) : null;
    }

    JsonNode get() {
        ObjectNode container = container(false);
        return container == null ? null : container.get(name());
    }

    void set(JsonNode value) {
        if (value == null) {
            remove();
        } else {
            container(true).set(name(), value);
        }
    }

    /** The values of a multi-valued attribute, or null when it has none. */
    ArrayNode existingArray() {
        return get() instanceof ArrayNode a ? a : null;
    }

    ArrayNode array() {
        ObjectNode container = container(true);
        return container.get(name()) instanceof ArrayNode a ? a : container.putArray(name());
    }

    /** The object of a complex single-valued attribute, or null when it has none. */
    ObjectNode existingObject() {
        return get() instanceof ObjectNode o ? o : null;
    }

    ObjectNode object() {
        ObjectNode container = container(true);
        return container.get(name()) instanceof ObjectNode o ? o : container.putObject(name());
    }

    void remove() {
        ObjectNode container = container(false);
        if (container != null) {
            container.remove(name());
            if (target.extension() != null && container.isEmpty()) {
                resource.remove(target.extension().id());
            }
        }
    }

    /** An attribute whose last value or sub-attribute went is removed altogether. */
    void removeIfEmpty() {
        JsonNode v = get();
        if (v != null && v.isContainerNode() && v.isEmpty()) {
            remove();
        }
    }
}
