package io.hanzo.kms.scim.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.hanzo.kms.scim.index.IndexedUser;
import io.hanzo.kms.scim.index.UserQuery;
import io.hanzo.kms.scim.protocol.ListRequest;
import io.hanzo.kms.scim.protocol.filter.Filter;
import io.hanzo.kms.scim.protocol.filter.FilterResolver;
import io.hanzo.kms.scim.protocol.patch.PatchRequest;
import io.hanzo.kms.scim.protocol.resource.AttributeProjection;
import io.hanzo.kms.scim.protocol.resource.ResourceSorter;
import io.hanzo.kms.scim.protocol.schema.UserSchemas;
import io.hanzo.kms.scim.service.UserService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.ext.web.RoutingContext;

import java.util.Comparator;
import java.util.UUID;

/** The SCIM /Users endpoint (RFC 7644 §3.3 to §3.6, §3.14). */
final class UsersHandler {
    private final UserService users;
    private final int defaultCount;
    private final int maxResults;
    /** Made on this verticle's event loop at the first large scan, and only used there. */
    private WorkerExecutor scans;

    UsersHandler(UserService users, int defaultCount, int maxResults) {
        this.users = users;
        this.defaultCount = defaultCount;
        this.maxResults = maxResults;
    }

    void create(RoutingContext ctx) {
        AttributeProjection projection = projection(ctx);
        users.create(RequestContext.orgId(ctx), RequestContext.jsonBody(ctx), RequestContext.audit(ctx, "Users"))
                .map(u -> sendUser(ctx, 201, u, projection))
                .onFailure(ctx::fail);
    }

    void get(RoutingContext ctx) {
        AttributeProjection projection = projection(ctx);
        users.lookup(RequestContext.orgId(ctx), ctx.pathParam("id"))
                .map(u -> ScimResponses.notModified(ctx, u.meta(), "user") ? null : sendUser(ctx, 200, u, projection))
                .onFailure(ctx::fail);
    }

    void list(RoutingContext ctx) {
        respond(ctx, ListRequest.fromQuery(QueryParameters.once(ctx)));
    }

    void search(RoutingContext ctx) {
        respond(ctx, ListRequest.fromSearchBody(RequestContext.jsonBody(ctx)));
    }

    private void respond(RoutingContext ctx, ListRequest request) {
        UUID orgId = RequestContext.orgId(ctx);
        Filter filter = FilterResolver.parse(request.filter(), UserSchemas.USER);
        AttributeProjection projection = AttributeProjection.of(UserSchemas.USER, request.attributes(),
                request.excludedAttributes());
        // Answered in map, not onSuccess: what rendering throws then fails the request, as it would have
        // thrown to the router, instead of leaving it to its deadline.
        page(ctx.vertx(), orgId, request, filter)
                .<Void>map(page -> {
                    ScimResponses.sendList(ctx, page.totalResults(), request.startIndex(),
                            users.documents(orgId, page, projection));
                    return null;
                })
                .onFailure(ctx::fail);
    }

    /**
     * One page of users for a request whose filter is already resolved (null for none). A filter the
     * index cannot narrow, on a large organisation, is scanned on a worker (unordered, so scans run
     * side by side up to the pool's size); the page completes back on the caller's event loop, where
     * it is rendered.
     */
    Future<UserQuery.Page> page(Vertx vertx, UUID orgId, ListRequest request, Filter filter) {
        Comparator<JsonNode> order = order(request);
        UserQuery.Plan plan = users.plan(orgId, filter, order);
        if (plan.scansMany()) {
            return scans(vertx).executeBlocking(() -> page(orgId, request, plan, filter, order), false);
        }
        return Future.succeededFuture(page(orgId, request, plan, filter, order));
    }

    /**
     * Large scans share a pool of half the cores (at least one thread), whichever verticle asks: many
     * scans at once queue there instead of taking every core from the event loops.
     */
    private WorkerExecutor scans(Vertx vertx) {
        if (scans == null) {
            scans = vertx.createSharedWorkerExecutor("kms-scim-scans",
                    Math.max(1, Runtime.getRuntime().availableProcessors() / 2));
        }
        return scans;
    }

    private static Comparator<JsonNode> order(ListRequest request) {
        return ResourceSorter.comparator(UserSchemas.USER, request.sortBy(), request.sortOrder());
    }

    int pageSize(ListRequest request) {
        return request.pageSize(defaultCount, maxResults);
    }

    private UserQuery.Page page(UUID orgId, ListRequest request, UserQuery.Plan plan, Filter filter,
                                Comparator<JsonNode> order) {
        return users.list(orgId, plan, filter, order, request.startIndex(), pageSize(request));
    }

    void replace(RoutingContext ctx) {
        AttributeProjection projection = projection(ctx);
        users.replace(RequestContext.orgId(ctx), ctx.pathParam("id"), RequestContext.jsonBody(ctx),
                        RequestContext.precondition(ctx), RequestContext.audit(ctx, "Users"))
                .map(u -> sendUser(ctx, 200, u, projection))
                .onFailure(ctx::fail);
    }

    void patch(RoutingContext ctx) {
        AttributeProjection projection = projection(ctx);
        PatchRequest request = PatchRequest.parse(RequestContext.jsonBody(ctx));
        users.patch(RequestContext.orgId(ctx), ctx.pathParam("id"), request, RequestContext.precondition(ctx),
                        RequestContext.audit(ctx, "Users"))
                .map(u -> sendUser(ctx, 200, u, projection))
                .onFailure(ctx::fail);
    }

    void delete(RoutingContext ctx) {
        users.delete(RequestContext.orgId(ctx), ctx.pathParam("id"), RequestContext.precondition(ctx),
                        RequestContext.audit(ctx, "Users"))
                .onSuccess(v -> ctx.response().setStatusCode(204).end())
                .onFailure(ctx::fail);
    }

    /**
     * The answer's projection, read before anything is written: a list it refuses (too many names) is a
     * 400 that changes nothing, not a failure after the commit.
     */
    private static AttributeProjection projection(RoutingContext ctx) {
        return AttributeProjection.of(UserSchemas.USER, ctx.queryParams().get("attributes"),
                ctx.queryParams().get("excludedAttributes"));
    }

    /** Answers with the user; inside a future's {@code map}, so that what it throws fails the request. */
    private Void sendUser(RoutingContext ctx, int status, IndexedUser u, AttributeProjection projection) {
        ScimResponses.sendResource(ctx, status, users.document(RequestContext.orgId(ctx), u, projection),
                u.location(), u.etag());
        return null;
    }
}
