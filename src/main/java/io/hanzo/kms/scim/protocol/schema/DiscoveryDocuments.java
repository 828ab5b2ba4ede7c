package io.hanzo.kms.scim.protocol.schema;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hanzo.kms.scim.protocol.ScimUris;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The discovery documents of RFC 7644 §4 (ServiceProviderConfig, ResourceTypes, Schemas), built from
 * the same schema model that drives parsing and validation, so that they describe exactly what the
 * server does.
 */
public final class DiscoveryDocuments {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    /** What the server supports; each flag must be true only when the feature really works. */
    public record Capabilities(int maxResults, boolean patch, boolean bulk, int bulkMaxOperations,
                               int bulkMaxPayloadSize, boolean sort, boolean etag) {
    }

    private final String baseUrl;
    private final List<ResourceType> types;
    private final Capabilities capabilities;

    /**
     * @param baseUrl the SCIM base URL, such as {@code https://kms.example.com/api/v1/scim}
     */
    public DiscoveryDocuments(String baseUrl, List<ResourceType> types, Capabilities capabilities) {
        this.baseUrl = baseUrl;
        this.types = List.copyOf(types);
        this.capabilities = capabilities;
    }

    public ObjectNode serviceProviderConfig() {
        ObjectNode o = JSON.objectNode();
        o.putArray("schemas").add(ScimUris.SERVICE_PROVIDER_CONFIG);
        // No documentationUri (optional, RFC 7643 §5): the server serves no help page, and a link that
        // answers 404 is worse than none.
        o.putObject("patch").put("supported", capabilities.patch());
        o.putObject("bulk").put("supported", capabilities.bulk())
                .put("maxOperations", capabilities.bulkMaxOperations())
                .put("maxPayloadSize", capabilities.bulkMaxPayloadSize());
        o.putObject("filter").put("supported", true).put("maxResults", capabilities.maxResults());
        o.putObject("changePassword").put("supported", false);
        o.putObject("sort").put("supported", capabilities.sort());
        o.putObject("etag").put("supported", capabilities.etag());
        o.putArray("authenticationSchemes").addObject()
                .put("type", "oauthbearertoken")
                .put("name", "OAuth Bearer Token")
                .put("description", "A SCIM token created by an organisation admin, sent as 'Authorization: Bearer <token>'.")
                .put("specUri", "https://www.rfc-editor.org/rfc/rfc6750")
                .put("primary", true);
        o.set("meta", meta("ServiceProviderConfig", baseUrl + "/ServiceProviderConfig"));
        return o;
    }

    /** Resource type documents by id. */
    public Map<String, ObjectNode> resourceTypes() {
        Map<String, ObjectNode> out = new LinkedHashMap<>();
        for (ResourceType t : types) {
            ObjectNode o = JSON.objectNode();
            o.putArray("schemas").add(ScimUris.RESOURCE_TYPE);
            o.put("id", t.name());
            o.put("name", t.name());
            o.put("endpoint", t.endpoint());
            o.put("description", t.description());
            o.put("schema", t.coreSchema().id());
            ArrayNode ext = o.putArray("schemaExtensions");
            for (Schema s : t.extensions()) {
                ext.addObject().put("schema", s.id()).put("required", false);
            }
            o.set("meta", meta("ResourceType", baseUrl + "/ResourceTypes/" + t.name()));
            out.put(t.name(), o);
        }
        return out;
    }

    /** Schema documents by URN. */
    public Map<String, ObjectNode> schemas() {
        Map<String, ObjectNode> out = new LinkedHashMap<>();
        for (ResourceType t : types) {
            List<Schema> all = new ArrayList<>();
            all.add(t.coreSchema());
            all.addAll(t.extensions());
            for (Schema s : all) {
                out.computeIfAbsent(s.id(), id -> schema(s));
            }
        }
        return out;
    }

    private ObjectNode schema(Schema s) {
        ObjectNode o = JSON.objectNode();
        o.putArray("schemas").add(ScimUris.SCHEMA);
        o.put("id", s.id());
        o.put("name", s.name());
        o.put("description", s.description());
        ArrayNode attrs = o.putArray("attributes");
        s.attributes().forEach(a -> attrs.add(attribute(a)));
        o.set("meta", meta("Schema", baseUrl + "/Schemas/" + s.id()));
        return o;
    }

    private static ObjectNode attribute(AttributeDef a) {
        ObjectNode o = JSON.objectNode();
        o.put("name", a.name());
        o.put("type", a.type().wireName());
        o.put("multiValued", a.multiValued());
        o.put("description", a.description());
        o.put("required", a.required());
        if (!a.isComplex()) {
            o.put("caseExact", a.caseExact());
        }
        if (!a.canonicalValues().isEmpty()) {
            ArrayNode cv = o.putArray("canonicalValues");
            a.canonicalValues().forEach(cv::add);
        }
        if (a.type() == AttributeType.REFERENCE) {
            ArrayNode rt = o.putArray("referenceTypes");
            a.referenceTypes().forEach(rt::add);
        }
        o.put("mutability", a.mutability().wireName());
        o.put("returned", a.returned().wireName());
        if (!a.isComplex()) {
            o.put("uniqueness", a.uniqueness().wireName());
        }
        if (a.isComplex()) {
            ArrayNode subs = o.putArray("subAttributes");
            a.subAttributes().forEach(sub -> subs.add(attribute(sub)));
        }
        return o;
    }

    private static ObjectNode meta(String resourceType, String location) {
        return JSON.objectNode().put("resourceType", resourceType).put("location", location);
    }
}
