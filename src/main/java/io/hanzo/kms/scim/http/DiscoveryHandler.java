package io.hanzo.kms.scim.http;

import io.hanzo.kms.scim.protocol.CaseFold;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hanzo.kms.scim.protocol.Json;
import io.hanzo.kms.scim.protocol.ScimException;
import io.hanzo.kms.scim.protocol.schema.DiscoveryDocuments;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Serves the discovery documents, serialised once at start-up. */
final class DiscoveryHandler {
    private final byte[] serviceProviderConfig;
    private final Map<String, byte[]> resourceTypes = new LinkedHashMap<>();
    private final Map<String, byte[]> schemas = new LinkedHashMap<>();

    DiscoveryHandler(DiscoveryDocuments docs) {
        this.serviceProviderConfig = Json.bytes(docs.serviceProviderConfig());
        for (Map.Entry<String, ObjectNode> e : docs.resourceTypes().entrySet()) {
            resourceTypes.put(e.getKey().toLowerCase(Locale.ROOT), Json.bytes(e.getValue()));
        }
        for (Map.Entry<String, ObjectNode> e : docs.schemas().entrySet()) {
            schemas.put(e.getKey().toLowerCase(Locale.ROOT), Json.bytes(e.getValue()));
        }
    }

    void serviceProviderConfig(RoutingContext ctx) {
        ScimResponses.send(ctx, 200, serviceProviderConfig);
    }

    void resourceTypes(RoutingContext ctx) {
        list(ctx, resourceTypes);
    }

    void resourceType(RoutingContext ctx) {
        one(ctx, resourceTypes, "resource type");
    }

    void schemas(RoutingContext ctx) {
        list(ctx, schemas);
    }

    void schema(RoutingContext ctx) {
        one(ctx, schemas, "schema");
    }

    private static void list(RoutingContext ctx, Map<String, byte[]> docs) {
        if (ctx.queryParams().contains("filter")) {
            // RFC 7644 §4: discovery endpoints do not filter.
            throw new ScimException(403, null, "Filtering is not supported on this endpoint.");
        }
        List<byte[]> all = new ArrayList<>(docs.values());
        ScimResponses.sendList(ctx, all.size(), 1, all);
    }

    private static void one(RoutingContext ctx, Map<String, byte[]> docs, String what) {
        String id = ctx.pathParam("id");
        byte[] doc = docs.get(CaseFold.lower(id));
        if (doc == null) {
            throw ScimException.notFound("No " + what + " '" + id + "'.");
        }
        ScimResponses.send(ctx, 200, doc);
    }
}
