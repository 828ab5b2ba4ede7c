package io.hanzo.kms.scim.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hanzo.kms.scim.protocol.Json;
import io.hanzo.kms.scim.protocol.ScimUris;
import io.hanzo.kms.scim.protocol.bulk.BulkRequest;
import io.hanzo.kms.scim.service.BulkResult;
import io.hanzo.kms.scim.service.BulkService;
import io.vertx.ext.web.RoutingContext;

/** The SCIM /Bulk endpoint (RFC 7644 §3.7), with the limits ServiceProviderConfig advertises. */
final class BulkHandler {
    private final BulkService bulk;
    private final int maxOperations;
    private final int maxPayloadBytes;

    BulkHandler(BulkService bulk, int maxOperations, int maxPayloadBytes) {
        this.bulk = bulk;
        this.maxOperations = maxOperations;
        this.maxPayloadBytes = maxPayloadBytes;
    }

    void handle(RoutingContext ctx) {
        BulkRequest request = BulkRequest.parse(RequestContext.jsonBody(ctx, maxPayloadBytes), maxOperations);
        bulk.run(RequestContext.orgId(ctx), request, RequestContext.tokenId(ctx))
                .onSuccess(results -> ScimResponses.send(ctx, 200, response(results)))
                .onFailure(ctx::fail);
    }

    private static ObjectNode response(Iterable<BulkResult> results) {
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.putArray("schemas").add(BulkRequest.BULK_RESPONSE);
        ArrayNode ops = out.putArray("Operations");
        for (BulkResult r : results) {
            ObjectNode o = ops.addObject();
            if (r.operation().method() != null) {
                o.put("method", r.operation().method());
            }
            if (r.operation().bulkId() != null) {
                o.put("bulkId", r.operation().bulkId());
            }
            if (r.version() != null) {
                o.put("version", r.version());
            }
            if (r.location() != null) {
                o.put("location", r.location());
            }
            o.put("status", Integer.toString(r.status()));
            if (r.failed()) {
                ObjectNode error = o.putObject("response");
                error.putArray("schemas").add(ScimUris.ERROR);
                if (r.error().scimType() != null) {
                    error.put("scimType", r.error().scimType());
                }
                error.put("detail", r.error().detail());
                error.put("status", Integer.toString(r.status()));
            }
        }
        return out;
    }
}
