package io.hanzo.kms.scim.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.hanzo.kms.scim.index.GroupIndex;
import io.hanzo.kms.scim.index.GroupQuery;
import io.hanzo.kms.scim.index.IndexedGroup;
import io.hanzo.kms.scim.protocol.ListRequest;
import io.hanzo.kms.scim.protocol.ScimException;
import io.hanzo.kms.scim.protocol.filter.Filter;
import io.hanzo.kms.scim.protocol.filter.FilterResolver;
import io.hanzo.kms.scim.protocol.patch.PatchRequest;
import io.hanzo.kms.scim.protocol.resource.AttributeProjection;
import io.hanzo.kms.scim.protocol.resource.ResourceSorter;
import io.hanzo.kms.scim.protocol.schema.GroupSchemas;
import io.hanzo.kms.scim.service.GroupService;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;

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
        AttributeProjection projection = projection(ctx);
        groups.create(RequestContext.orgId(ctx), RequestContext.jsonBody(ctx), RequestContext.audit(ctx, "Groups"))
                .map(g -> send(ctx, 201, shown(RequestContext.orgId(ctx), g), projection))
                .onFailure(ctx::fail);
    }

    void get(RoutingContext ctx) {
        AttributeProjection projection = projection(ctx);
        UUID orgId = RequestContext.orgId(ctx);
        groups.lookup(orgId, ctx.pathParam("id"))
                .map(found -> {
                    GroupIndex.View g = shown(orgId, found);
                    return ScimResponses.notModified(ctx, g.group().row().meta(), "group") ? null : send(ctx, 200, g, projection);
                })
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
        GroupQuery.Page page = page(orgId, request, FilterResolver.parse(request.filter(), GroupSchemas.GROUP));
        ChunkPump.start(ctx.response(), 200, ScimResponses.SCIM_JSON, new ListStream(page.totalResults(),
                page.groups().size(), request.startIndex(), items(orgId, page, request)));
    }

    /** One page of groups for a request whose filter is already resolved (null for none). */
    GroupQuery.Page page(UUID orgId, ListRequest request, Filter filter) {
        return groups.list(orgId, filter, order(request), request.startIndex(), request.pageSize(defaultCount, maxResults));
    }

    /**
     * The sort order asked for. A group's members are held apart from its stored attributes, which the
     * sort reads: sorting by them would give creation order as if it were the order asked for.
     */
    private static Comparator<JsonNode> order(ListRequest request) {
        Comparator<JsonNode> order = ResourceSorter.comparator(GroupSchemas.GROUP, request.sortBy(), request.sortOrder());
        if (order instanceof ResourceSorter.Order o && o.member().equals("members")) {
            throw ScimException.invalidValue("Cannot sort groups by '" + request.sortBy().trim() + "': a group's members "
                    + "are not among what groups are sorted by.");
        }
        return order;
    }

    /** The page's groups as list items, each streamed when its turn comes. */
    List<Supplier<Iterator<Buffer>>> items(UUID orgId, GroupQuery.Page page, ListRequest request) {
        AttributeProjection projection = AttributeProjection.of(GroupSchemas.GROUP, request.attributes(),
                request.excludedAttributes());
        List<Supplier<Iterator<Buffer>>> out = new ArrayList<>(page.groups().size());
        for (IndexedGroup g : page.groups()) {
            out.add(() -> {
                GroupIndex.View shown = shown(orgId, g);
                return documents.chunks(orgId, shown.group(), shown.members(), projection);
            });
        }
        return out;
    }

    void replace(RoutingContext ctx) {
        AttributeProjection projection = projection(ctx);
        groups.replace(RequestContext.orgId(ctx), ctx.pathParam("id"), RequestContext.jsonBody(ctx),
                        RequestContext.precondition(ctx), RequestContext.audit(ctx, "Groups"))
                .map(g -> send(ctx, 200, shown(RequestContext.orgId(ctx), g), projection))
                .onFailure(ctx::fail);
    }

    void patch(RoutingContext ctx) {
        AttributeProjection projection = projection(ctx);
        PatchRequest request = PatchRequest.parse(RequestContext.jsonBody(ctx));
        boolean withBody = ctx.queryParams().contains("attributes");
        groups.patch(RequestContext.orgId(ctx), ctx.pathParam("id"), request, RequestContext.precondition(ctx),
                        RequestContext.audit(ctx, "Groups").answering(withBody ? 200 : 204))
                .map(g -> {
                    GroupIndex.View shown = shown(RequestContext.orgId(ctx), g);
                    if (withBody) {
                        return send(ctx, 200, shown, projection);
                    }
                    ctx.response().putHeader("ETag", shown.group().row().meta().etag()).setStatusCode(204).end();
                    return null;
                })
                .onFailure(ctx::fail);
    }

    void delete(RoutingContext ctx) {
        groups.delete(RequestContext.orgId(ctx), ctx.pathParam("id"), RequestContext.precondition(ctx),
                        RequestContext.audit(ctx, "Groups"))
                .onSuccess(v -> ctx.response().setStatusCode(204).end())
                .onFailure(ctx::fail);
    }

    /**
     * The answer's projection, read before anything is written: a list it refuses (too many names) is a
     * 400 that changes nothing, not a failure after the commit.
     */
    private static AttributeProjection projection(RoutingContext ctx) {
        return AttributeProjection.of(GroupSchemas.GROUP, ctx.queryParams().get("attributes"),
                ctx.queryParams().get("excludedAttributes"));
    }

    /**
     * What to show for a group read or written as {@code g}: the index's view of it, row and members
     * of one version, when the index holds that version or a later one (a later write's answer shows
     * the group as it then is); else {@code g} with the members the index holds.
     */
    private GroupIndex.View shown(UUID orgId, IndexedGroup g) {
        GroupIndex.View view = groups.groups(orgId).view(g.row().id());
        return view.group() != null && view.group().row().version() >= g.row().version() ? view
                : new GroupIndex.View(g, view.members());
    }

    /** Answers with the group; inside a future's {@code map}, so that what it throws fails the request. */
    private Void send(RoutingContext ctx, int status, GroupIndex.View shown, AttributeProjection projection) {
        IndexedGroup g = shown.group();
        // Location on every single-group answer, as for users (see ScimResponses.sendResource).
        ctx.response().putHeader("Location", g.resource().path("meta").path("location").asText());
        ctx.response().putHeader("ETag", g.row().meta().etag());
        ChunkPump.start(ctx.response(), status, ScimResponses.SCIM_JSON,
                documents.chunks(RequestContext.orgId(ctx), g, shown.members(), projection));
        return null;
    }
}
