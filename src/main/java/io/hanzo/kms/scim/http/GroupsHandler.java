package io.hanzo.kms.scim.http;

import io.hanzo.kms.scim.index.GroupQuery;
import io.hanzo.kms.scim.index.IndexedGroup;
import io.hanzo.kms.scim.protocol.filter.Filter;
import io.hanzo.kms.scim.protocol.filter.FilterResolver;
import io.hanzo.kms.scim.protocol.patch.PatchRequest;
import io.hanzo.kms.scim.protocol.resource.AttributeProjection;
import io.hanzo.kms.scim.protocol.schema.GroupSchemas;
import io.hanzo.kms.scim.service.GroupService;
import io.vertx.ext.web.RoutingContext;

import java.util.UUID;

/**
 * The SCIM /Groups endpoint. Members are streamed rather than built into one document, and left out
 * entirely when {@code excludedAttributes=members} asks so (Entra's lookups), in which case the
 * membership sets are not touched. A PATCH answers 204 unless {@code attributes} asks for a body.
 */
final class GroupsHandler {
    private final GroupService groups;
    private final GroupDocuments documents;
    private final int defaultCount;
    private final int maxResults;

    GroupsHandler(GroupService groups, GroupDocuments documents, int defaultCount, int maxResults) {
        this.groups = groups;
        this.documents = documents;
        this.defaultCount = defaultCount;
        this.maxResults = maxResults;
    }

    void create(RoutingContext ctx) {
        groups.create(RequestContext.orgId(ctx), RequestContext.jsonBody(ctx))
                .onSuccess(g -> send(ctx, 201, g, projection(ctx)))
                .onFailure(ctx::fail);
    }

    void get(RoutingContext ctx) {
        send(ctx, 200, groups.get(RequestContext.orgId(ctx), ctx.pathParam("id")), projection(ctx));
    }

    void list(RoutingContext ctx) {
        UUID orgId = RequestContext.orgId(ctx);
        String filterText = ctx.queryParams().get("filter");
        Filter filter = filterText == null ? null : FilterResolver.parse(filterText, GroupSchemas.GROUP);
        Integer start = RequestContext.intParam(ctx, "startIndex");
        Integer count = RequestContext.intParam(ctx, "count");
        int startIndex = start == null || start < 1 ? 1 : start;
        int pageSize = count == null ? defaultCount : Math.max(0, Math.min(count, maxResults));
        GroupQuery.Page page = groups.list(orgId, filter, startIndex, pageSize);
        ChunkPump.start(ctx.response(), 200, ScimResponses.SCIM_JSON, documents.list(orgId, page.totalResults(),
                startIndex, page.groups(), g -> groups.groups(orgId).members(g.row().id()), projection(ctx)));
    }

    void replace(RoutingContext ctx) {
        groups.replace(RequestContext.orgId(ctx), ctx.pathParam("id"), RequestContext.jsonBody(ctx))
                .onSuccess(g -> send(ctx, 200, g, projection(ctx)))
                .onFailure(ctx::fail);
    }

    void patch(RoutingContext ctx) {
        PatchRequest request = PatchRequest.parse(RequestContext.jsonBody(ctx));
        groups.patch(RequestContext.orgId(ctx), ctx.pathParam("id"), request)
                .onSuccess(g -> {
                    if (ctx.queryParams().contains("attributes")) {
                        send(ctx, 200, g, projection(ctx));
                    } else {
                        ctx.response().putHeader("ETag", g.row().meta().etag()).setStatusCode(204).end();
                    }
                })
                .onFailure(ctx::fail);
    }

    void delete(RoutingContext ctx) {
        groups.delete(RequestContext.orgId(ctx), ctx.pathParam("id"))
                .onSuccess(v -> ctx.response().setStatusCode(204).end())
                .onFailure(ctx::fail);
    }

    private void send(RoutingContext ctx, int status, IndexedGroup g, AttributeProjection projection) {
        UUID orgId = RequestContext.orgId(ctx);
        if (status == 201) {
            ctx.response().putHeader("Location", g.resource().path("meta").path("location").asText());
        }
        ctx.response().putHeader("ETag", g.row().meta().etag());
        ChunkPump.start(ctx.response(), status, ScimResponses.SCIM_JSON,
                documents.chunks(orgId, g, groups.groups(orgId).members(g.row().id()), projection));
    }

    private static AttributeProjection projection(RoutingContext ctx) {
        return AttributeProjection.of(GroupSchemas.GROUP, ctx.queryParams().get("attributes"),
                ctx.queryParams().get("excludedAttributes"));
    }
}
