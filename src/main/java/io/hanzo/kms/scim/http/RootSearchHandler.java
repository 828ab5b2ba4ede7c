package io.hanzo.kms.scim.http;

import io.hanzo.kms.scim.index.GroupQuery;
import io.hanzo.kms.scim.index.UserQuery;
import io.hanzo.kms.scim.protocol.ListRequest;
import io.hanzo.kms.scim.protocol.filter.AttributePath;
import io.hanzo.kms.scim.protocol.filter.Filter;
import io.hanzo.kms.scim.protocol.filter.FilterResolver;
import io.hanzo.kms.scim.protocol.resource.AttributeProjection;
import io.hanzo.kms.scim.protocol.schema.GroupSchemas;
import io.hanzo.kms.scim.protocol.schema.UserSchemas;
import io.hanzo.kms.scim.service.UserService;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * {@code POST /.search} at the service root (RFC 7644 §3.4.3): Users, then Groups, as one list. Each
 * type reads the filter with the attributes it lacks as unassigned (see {@link FilterResolver#parseEach}).
 */
final class RootSearchHandler {
    private final UsersHandler users;
    private final GroupsHandler groups;
    private final UserService userService;

    RootSearchHandler(UsersHandler users, GroupsHandler groups, UserService userService) {
        this.users = users;
        this.groups = groups;
        this.userService = userService;
    }

    void search(RoutingContext ctx) {
        ListRequest request = ListRequest.fromSearchBody(RequestContext.jsonBody(ctx));
        UUID orgId = RequestContext.orgId(ctx);
        List<FilterResolver.ForType> filters = FilterResolver.parseEach(request.filter(),
                List.of(UserSchemas.USER, GroupSchemas.GROUP));
        FilterResolver.ForType userFilter = filters.get(0);
        FilterResolver.ForType groupFilter = filters.get(1);
        Future<UserQuery.Page> userPage = userFilter.none() ? Future.succeededFuture(null)
                : users.page(ctx.vertx(), orgId, request, userFilter.filter());
        // As UsersHandler answers: in map, so that what the answer throws fails the request.
        userPage.map(page -> answer(ctx, orgId, request, page, groupFilter.filter(), !groupFilter.none()))
                .onFailure(ctx::fail);
    }

    /** The users' page (null when only Groups are searched), then the Groups after it, as one list. */
    private Void answer(RoutingContext ctx, UUID orgId, ListRequest request, UserQuery.Page userPage, Filter groupFilter,
                        boolean searchGroups) {
        if (ctx.response().ended()) {
            return null; // answered already: the request deadline passed while the users were scanned
        }
        int pageSize = users.pageSize(request);
        List<Supplier<Iterator<Buffer>>> items = new ArrayList<>();
        int usersTotal = 0;
        int groupsTotal = 0;
        if (userPage != null) {
            usersTotal = userPage.totalResults();
            AttributeProjection projection = AttributeProjection.of(UserSchemas.USER, request.attributes(),
                    request.excludedAttributes());
            userService.documents(orgId, userPage, projection).forEach(doc -> items.add(ListStream.whole(doc)));
        }
        if (searchGroups) {
            // Groups continue the numbering after the users.
            ListRequest groupRequest = new ListRequest(request.filter(), Math.max(1, request.startIndex() - usersTotal),
                    pageSize - items.size(), sortsGroups(request.sortBy()) ? request.sortBy() : null, request.sortOrder(),
                    request.attributes(), request.excludedAttributes());
            GroupQuery.Page page = groups.page(orgId, groupRequest, groupFilter);
            groupsTotal = page.totalResults();
            items.addAll(groups.items(orgId, page, groupRequest));
        }
        int total = usersTotal + groupsTotal;
        ChunkPump.start(ctx.response(), 200, ScimResponses.SCIM_JSON,
                new ListStream(total, items.size(), request.startIndex(), items));
        return null;
    }

    /** A sort attribute only Users have (such as userName) leaves Groups in creation order. */
    private static boolean sortsGroups(String sortBy) {
        if (sortBy == null) {
            return false;
        }
        try {
            GroupSchemas.GROUP.resolve(AttributePath.parse(sortBy.trim()));
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
