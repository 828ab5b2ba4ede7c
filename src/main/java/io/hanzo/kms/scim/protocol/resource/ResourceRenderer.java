package io.hanzo.kms.scim.protocol.resource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hanzo.kms.scim.protocol.schema.AttributeDef;
import io.hanzo.kms.scim.protocol.schema.ResourceType;
import io.hanzo.kms.scim.protocol.schema.Schema;

import java.time.format.DateTimeFormatter;

/** Builds the representation clients receive from stored attributes and server metadata. */
public final class ResourceRenderer {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final ResourceType type;
    private final String endpointUrl;

    /**
     * @param endpointUrl absolute URL of the resource type's endpoint, such as
     *                    {@code https://kms.example.com/api/v1/scim/Users}
     */
    public ResourceRenderer(ResourceType type, String endpointUrl) {
        this.type = type;
        this.endpointUrl = endpointUrl;
    }

    public String location(String id) {
        return endpointUrl + "/" + id;
    }

    /** The full resource: schemas, id, externalId, the attributes, meta. */
    public ObjectNode render(ObjectNode attributes, ResourceMeta meta) {
        ObjectNode out = JSON.objectNode();
        ArrayNode schemas = out.putArray("schemas").add(type.coreSchema().id());
        for (Schema ext : type.extensions()) {
            if (attributes.has(ext.id())) {
                schemas.add(ext.id());
            }
        }
        out.put("id", meta.id());
        JsonNode externalId = attributes.get("externalId");
        if (externalId != null) {
            out.set("externalId", externalId);
        }
        // Schema order, whatever order the database kept the keys in.
        for (AttributeDef a : type.coreSchema().attributes()) {
            JsonNode v = attributes.get(a.name());
            if (v != null) {
                out.set(a.name(), ordered(a, v));
            }
        }
        for (Schema ext : type.extensions()) {
            JsonNode v = attributes.get(ext.id());
            if (v != null) {
                ObjectNode e = out.putObject(ext.id());
                for (AttributeDef a : ext.attributes()) {
                    JsonNode ev = v.get(a.name());
                    if (ev != null) {
                        e.set(a.name(), ordered(a, ev));
                    }
                }
            }
        }
        ObjectNode m = out.putObject("meta");
        m.put("resourceType", type.name());
        m.put("created", DateTimeFormatter.ISO_INSTANT.format(meta.created()));
        m.put("lastModified", DateTimeFormatter.ISO_INSTANT.format(meta.lastModified()));
        m.put("location", location(meta.id()));
        m.put("version", meta.etag());
        return out;
    }

    /** A complex value with its sub-attributes in schema order. */
    private static JsonNode ordered(AttributeDef def, JsonNode v) {
        if (!def.isComplex()) {
            return v;
        }
        if (v.isArray()) {
            ArrayNode a = JSON.arrayNode(v.size());
            v.forEach(element -> a.add(ordered(def, element)));
            return a;
        }
        if (!v.isObject()) {
            return v;
        }
        ObjectNode o = JSON.objectNode();
        for (AttributeDef sub : def.subAttributes()) {
            JsonNode sv = v.get(sub.name());
            if (sv != null) {
                o.set(sub.name(), sv);
            }
        }
        return o;
    }
}
