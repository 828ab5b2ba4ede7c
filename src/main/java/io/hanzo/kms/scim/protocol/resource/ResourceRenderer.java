package io.hanzo.kms.scim.protocol.resource;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hanzo.kms.scim.protocol.Json;
import io.hanzo.kms.scim.protocol.schema.AttributeDef;
import io.hanzo.kms.scim.protocol.schema.ResourceType;
import io.hanzo.kms.scim.protocol.schema.Schema;

import java.io.IOException;
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

    /**
     * {@link #render} as JSON bytes, the very bytes {@code Json.bytes(render(attributes, meta))} gives,
     * written straight from the attributes: every created or changed user is rendered once for the
     * index, and building the tree only to serialise it doubled the work.
     */
    public byte[] renderJson(ObjectNode attributes, ResourceMeta meta) {
        ByteArrayBuilder out = new ByteArrayBuilder(1024);
        try (JsonGenerator g = Json.MAPPER.createGenerator(out, JsonEncoding.UTF8)) {
            SerializerProvider values = Json.MAPPER.getSerializerProviderInstance();
            g.writeStartObject();
            g.writeArrayFieldStart("schemas");
            g.writeString(type.coreSchema().id());
            for (Schema ext : type.extensions()) {
                if (attributes.has(ext.id())) {
                    g.writeString(ext.id());
                }
            }
            g.writeEndArray();
            g.writeStringField("id", meta.id());
            JsonNode externalId = attributes.get("externalId");
            if (externalId != null) {
                g.writeFieldName("externalId");
                externalId.serialize(g, values);
            }
            for (AttributeDef a : type.coreSchema().attributes()) {
                JsonNode v = attributes.get(a.name());
                if (v != null) {
                    g.writeFieldName(a.name());
                    writeOrdered(g, values, a, v);
                }
            }
            for (Schema ext : type.extensions()) {
                JsonNode v = attributes.get(ext.id());
                if (v != null) {
                    g.writeObjectFieldStart(ext.id());
                    for (AttributeDef a : ext.attributes()) {
                        JsonNode ev = v.get(a.name());
                        if (ev != null) {
                            g.writeFieldName(a.name());
                            writeOrdered(g, values, a, ev);
                        }
                    }
                    g.writeEndObject();
                }
            }
            g.writeObjectFieldStart("meta");
            g.writeStringField("resourceType", type.name());
            g.writeStringField("created", DateTimeFormatter.ISO_INSTANT.format(meta.created()));
            g.writeStringField("lastModified", DateTimeFormatter.ISO_INSTANT.format(meta.lastModified()));
            g.writeStringField("location", location(meta.id()));
            g.writeStringField("version", meta.etag());
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("A resource could not be written", e);
        }
        return out.toByteArray();
    }

    /** What {@link #ordered} returns, written instead of built. */
    private static void writeOrdered(JsonGenerator g, SerializerProvider values, AttributeDef def, JsonNode v)
            throws IOException {
        if (!def.isComplex() || !v.isContainerNode()) {
            v.serialize(g, values);
        } else if (v.isArray()) {
            g.writeStartArray();
            for (JsonNode element : v) {
                writeOrdered(g, values, def, element);
            }
            g.writeEndArray();
        } else {
            g.writeStartObject();
            for (AttributeDef sub : def.subAttributes()) {
                JsonNode sv = v.get(sub.name());
                if (sv != null) {
                    g.writeFieldName(sub.name());
                    sv.serialize(g, values);
                }
            }
            g.writeEndObject();
        }
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
