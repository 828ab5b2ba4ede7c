package io.hanzo.kms.scim.http;

import io.hanzo.kms.scim.index.IndexedUser;
import io.hanzo.kms.scim.index.UserQuery;
import io.hanzo.kms.scim.protocol.filter.Filter;
import io.hanzo.kms.scim.protocol.filter.FilterResolver;
import io.hanzo.kms.scim.protocol.patch.PatchRequest;
import io.hanzo.kms.scim.protocol.resource.AttributeProjection;
import io.hanzo.kms.scim.protocol.schema.UserSchemas;
import io.hanzo.kms.scim.service.UserService;
import io.vertx.ext.web.RoutingContext;

/** The SCIM /Users endpoint (RFC 7644 §3.3 to §3.6). */
final class UsersHandler {
    private final UserService users;
    private final int defaultCount;
    private final int maxResults;

    UsersHandler(UserService users, int defaultCount, int maxResults) {
        this.users = users;
        this.defaultCount = defaultCount;
        this.maxResults = maxResults;
    }

    void create(RoutingContext ctx) {
        users.create(RequestContext.orgId(ctx), RequestContext.jsonBody(ctx))
                .onSuccess(u -> sendUser(ctx, 201, u))
                .onFailure(ctx::fail);
    }

    void get(RoutingContext ctx) {
        sendUser(ctx, 200, users.get(RequestContext.orgId(ctx), ctx.pathParam("id")));
    }

    void list(RoutingContext ctx) {
        String filterText = ctx.queryParams().get("filter");
        Filter filter = filterText == null ? null : FilterResolver.parse(filterText, UserSchemas.USER);
        Integer start = RequestContext.intParam(ctx, "startIndex");
        Integer count = RequestContext.intParam(ctx, "count");
        // RFC 7644 §3.4.2.4: a startIndex below 1 means 1, a negative count means 0.
        int startIndex = start == null || start < 1 ? 1 : start;
        int pageSize = count == null ? defaultCount : Math.max(0, Math.min(count, maxResults));
        UserQuery.Page page = users.list(RequestContext.orgId(ctx), filter, startIndex, pageSize);
        ScimResponses.sendList(ctx, page.totalResults(), startIndex, users.documents(RequestContext.orgId(ctx), page, projection(ctx)));
    }

    void replace(RoutingContext ctx) {
        users.replace(RequestContext.orgId(ctx), ctx.pathParam("id"), RequestContext.jsonBody(ctx))
                .onSuccess(u -> sendUser(ctx, 200, u))
                .onFailure(ctx::fail);
    }

    void patch(RoutingContext ctx) {
        PatchRequest request = PatchRequest.parse(RequestContext.jsonBody(ctx));
        users.patch(RequestContext.orgId(ctx), ctx.pathParam("id"), request)
                .onSuccess(u -> sendUser(ctx, 200, u))
                .onFailure(ctx::fail);
    }

    void delete(RoutingContext ctx) {
        users.delete(RequestContext.orgId(ctx), ctx.pathParam("id"))
                .onSuccess(v -> ctx.response().setStatusCode(204).end())
                .onFailure(ctx::fail);
    }

    private static AttributeProjection projection(RoutingContext ctx) {
        return AttributeProjection.of(UserSchemas.USER, ctx.queryParams().get("attributes"),
                ctx.queryParams().get("excludedAttributes"));
    }

    private void sendUser(RoutingContext ctx, int status, IndexedUser u) {
        ScimResponses.sendResource(ctx, status, users.document(RequestContext.orgId(ctx), u, projection(ctx)),
                u.resource().path("meta").path("location").asText(), u.row().meta().etag());
    }
}
