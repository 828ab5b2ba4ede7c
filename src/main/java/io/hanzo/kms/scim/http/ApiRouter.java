package io.hanzo.kms.scim.http;

import io.hanzo.kms.scim.service.BulkService;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

import java.time.Duration;
import java.util.Map;

/** The HTTP surface: health, the admin API and SCIM, each route bound to a handler method. */
public final class ApiRouter {
    public static final String SCIM_BASE = "/api/v1/scim";
    static final String ORGS = "/api/v1/organizations";
    static final String ACCOUNT_SETUP = "/api/v1/account/setup";
    static final String ACCOUNT_INVITATION = "/api/v1/account/invitation";
    private static final int ADMIN_BODY_LIMIT = 64 * 1024;
    private static final int INVITATION_BODY_LIMIT = 4 * 1024;

    private ApiRouter() {
    }

    public static Router create(Vertx vertx, Services s) {
        Router router = Router.router(vertx);
        RefusalRecorder refusals = s.refusals();
        // What every request passes through, as one route with several handlers: Vert.x matches a
        // route once and then runs its handlers in order, where separate routes are matched one by one.
        router.route().handler(new RequestLogHandler(s.config().logRequests())::handle)
                .handler(ApiRouter::collapseSlashes)
                .handler(JsonBodies::handle)
                .handler(new RequestDeadlines(vertx, s.config().httpRequestTimeoutSeconds() * 1000L));

        HealthHandler health = new HealthHandler(s.pool(), s.ops());
        router.get("/health/live").handler(health::live);
        router.get("/health/ready").handler(health::ready);

        // SCIM first: nearly all traffic is SCIM, and Vert.x tries routes in the order they were added,
        // so a SCIM request never tries the admin API's and web pages' routes.
        DiscoveryHandler discovery = new DiscoveryHandler(s.discovery());
        UsersHandler users = new UsersHandler(s.users(), s.config().defaultCount(), s.config().maxResults());
        // One body limit for all SCIM routes, large enough for /Bulk; the smaller one for single
        // resources is checked when their body is read.
        int bodyLimit = Math.max(s.config().maxBodyBytes(), s.config().bulkMaxPayloadBytes());
        // Two routes, not one: Vert.x runs a body handler only before a route's other handlers.
        router.route(SCIM_BASE + "*").handler(new ScimAuthHandler(s.tokens(), s.orgs()))
                .handler(s.rateLimits())
                .handler(new BodyLimit(refusals, path -> path.endsWith("/Bulk")
                        ? s.config().bulkMaxPayloadBytes() : s.config().maxBodyBytes()));
        router.route(SCIM_BASE + "*").handler(BodyHandler.create(false).setBodyLimit(bodyLimit))
                .handler(ctx -> {
                    ctx.put(RequestContext.BODY_LIMIT, s.config().maxBodyBytes());
                    ctx.next();
                });
        // The resources before discovery, and one route per path: vertx-web tries every route's path
        // (a regular expression for a path with :id) before its method, so a route per method made
        // each lookup and each group PATCH match the paths of the routes before it one by one.
        router.post(SCIM_BASE + "/Users/.search").handler(users::search);
        byMethod(router, SCIM_BASE + "/Users", Map.of(HttpMethod.GET, users::list, HttpMethod.POST, users::create));
        byMethod(router, SCIM_BASE + "/Users/:id", Map.of(HttpMethod.GET, users::get, HttpMethod.PUT, users::replace,
                HttpMethod.PATCH, users::patch, HttpMethod.DELETE, users::delete));
        GroupsHandler groups = new GroupsHandler(s.groups(), new GroupDocuments(s.users(),
                s.config().publicUrl() + SCIM_BASE + "/Users"), s.config().defaultCount(), s.config().maxResults());
        router.post(SCIM_BASE + "/Groups/.search").handler(groups::search);
        byMethod(router, SCIM_BASE + "/Groups", Map.of(HttpMethod.GET, groups::list, HttpMethod.POST, groups::create));
        byMethod(router, SCIM_BASE + "/Groups/:id", Map.of(HttpMethod.GET, groups::get, HttpMethod.PUT, groups::replace,
                HttpMethod.PATCH, groups::patch, HttpMethod.DELETE, groups::delete));
        router.get(SCIM_BASE + "/ServiceProviderConfig").handler(discovery::serviceProviderConfig);
        router.get(SCIM_BASE + "/ResourceTypes").handler(discovery::resourceTypes);
        router.get(SCIM_BASE + "/ResourceTypes/:id").handler(discovery::resourceType);
        router.get(SCIM_BASE + "/Schemas").handler(discovery::schemas);
        router.get(SCIM_BASE + "/Schemas/:id").handler(discovery::schema);
        BulkHandler bulk = new BulkHandler(new BulkService(s.users(), s.groups(), refusals), s.config().bulkMaxOperations(),
                s.config().bulkMaxPayloadBytes());
        router.post(SCIM_BASE + "/Bulk").handler(bulk::handle);
        RootSearchHandler rootSearch = new RootSearchHandler(users, groups, s.users());
        router.post(SCIM_BASE + "/.search").handler(rootSearch::search);
        router.route(SCIM_BASE + "/Me").handler(ctx -> {
            String detail = "/Me is not available: a SCIM token acts for an organisation, not for a user.";
            refusals.refused(ctx, 501, detail);
            ScimResponses.sendError(ctx, 501, null, detail);
        });

        OrganizationsHandler orgs = new OrganizationsHandler(s.orgs(), s.config().publicUrl() + SCIM_BASE);
        ScimTokensHandler tokens = new ScimTokensHandler(s.tokens(), orgs, s.config().publicUrl() + SCIM_BASE,
                Duration.ofDays(s.config().tokensExpiryWarningDays()));
        // The token first: a request without a valid one is refused before any of its body is read.
        router.route(ORGS + "*").handler(new AdminAuthHandler(s.adminAuth()));
        router.route(ORGS + "*").handler(new BodyLimit(refusals, path -> ADMIN_BODY_LIMIT));
        router.route(ORGS + "*").handler(BodyHandler.create(false).setBodyLimit(ADMIN_BODY_LIMIT));
        router.post(ORGS).handler(orgs::create);
        router.get(ORGS).handler(orgs::list);
        router.get(ORGS + "/:orgId").handler(orgs::get);
        router.patch(ORGS + "/:orgId").handler(orgs::update);
        router.delete(ORGS + "/:orgId").handler(orgs::delete);
        router.post(ORGS + "/:orgId/scim-tokens").handler(tokens::create);
        router.get(ORGS + "/:orgId/scim-tokens").handler(tokens::list);
        router.delete(ORGS + "/:orgId/scim-tokens/:tokenId").handler(tokens::delete);
        MembersHandler members = new MembersHandler(s.members(), orgs);
        router.get(ORGS + "/:orgId/members").handler(members::list);
        EventsHandler events = new EventsHandler(s.events(), orgs);
        router.get(ORGS + "/:orgId/scim-events").handler(events::list);
        router.post(ORGS + "/:orgId/members/:memberId/invitation").handler(members::reissueInvitation);
        router.get(ORGS + "/:orgId/group-role-mappings").handler(members::getRoleMappings);
        router.put(ORGS + "/:orgId/group-role-mappings").handler(members::putRoleMappings);
        // The set-up token in the body is the credential: no admin or SCIM token here.
        router.post(ACCOUNT_SETUP).handler(new BodyLimit(refusals, path -> ADMIN_BODY_LIMIT));
        router.post(ACCOUNT_SETUP).handler(BodyHandler.create(false).setBodyLimit(ADMIN_BODY_LIMIT));
        router.post(ACCOUNT_SETUP).handler(members::setup);
        // The set-up page asks whom its invitation is for; the token again only in the body.
        router.post(ACCOUNT_INVITATION).handler(new BodyLimit(refusals, path -> INVITATION_BODY_LIMIT));
        router.post(ACCOUNT_INVITATION).handler(BodyHandler.create(false).setBodyLimit(INVITATION_BODY_LIMIT));
        router.post(ACCOUNT_INVITATION).handler(members::describeInvitation);
        WebPages.mount(router);

        FailureHandler failures = new FailureHandler(refusals);
        router.route().failureHandler(failures);
        // vertx-web cannot match a path it cannot decode (/Users/%ZZ): no resource is named, so it is
        // a 400 (a 404 would tell an IdP that the resource it holds is gone), with a SCIM body.
        router.errorHandler(400, ctx -> {
            String detail = "The path's percent-encoding is malformed (RFC 3986 §2.1).";
            refusals.refused(ctx, 400, detail);
            ScimResponses.sendError(ctx, 400, "invalidValue", detail);
        });
        router.errorHandler(404, ctx -> {
            refusals.refused(ctx, 404, FailureHandler.describe(404));
            ScimResponses.sendError(ctx, 404, null, FailureHandler.describe(404));
        });
        AllowedMethods allowed = new AllowedMethods(router);
        router.errorHandler(405, ctx -> {
            refusals.refused(ctx, 405, FailureHandler.describe(405));
            String allow = allowed.allow(ctx.request().path());
            if (allow != null) {
                ctx.response().putHeader("Allow", allow);
            }
            ScimResponses.sendError(ctx, 405, null, FailureHandler.describe(405));
        });
        router.errorHandler(500, failures);
        return router;
    }

    /**
     * The SCIM route that takes requests with a body at this canonical path, as named in the metrics;
     * null for a path none of them takes. For a request counted before it reached its route (its body
     * is read first): its route is known from its path alone.
     */
    static String scimRoute(String path) {
        if (!path.startsWith(SCIM_BASE + "/")) {
            return null;
        }
        String rest = path.substring(SCIM_BASE.length() + 1);
        if (rest.equals("Bulk") || rest.equals(".search")) {
            return path;
        }
        int slash = rest.indexOf('/');
        String type = slash < 0 ? rest : rest.substring(0, slash);
        if (!type.equals("Users") && !type.equals("Groups")) {
            return null;
        }
        String id = slash < 0 ? null : rest.substring(slash + 1);
        if (id == null || id.equals(".search")) {
            return path;
        }
        return id.isEmpty() || id.indexOf('/') >= 0 ? null : SCIM_BASE + "/" + type + "/:id";
    }

    /**
     * One route for a path that takes several methods, each method to its handler. The route accepts
     * only those methods, so another method on the path is still answered 405 by vertx-web.
     */
    private static void byMethod(Router router, String path, Map<HttpMethod, Handler<RoutingContext>> handlers) {
        Route route = router.route(path);
        handlers.keySet().forEach(route::method);
        route.handler(ctx -> handlers.get(ctx.request().method()).handle(ctx));
    }

    /**
     * IdPs often store a base URL with a trailing slash and so send {@code /scim//Users}, and some
     * clients write {@code /users}; the meaning is plain, so the request is routed by its canonical
     * path ({@link CanonicalPath}). A HEAD request is routed as the GET it stands for.
     */
    private static void collapseSlashes(RoutingContext ctx) {
        String path = ctx.request().path();
        String collapsed = CanonicalPath.of(path);
        HttpMethod method = ctx.request().method() == null ? HttpMethod.GET : ctx.request().method();
        // HEAD is GET without the body (RFC 9110 §9.3.2): routed as GET, and the server sends no body
        // on a HEAD request's response whatever the handler writes.
        boolean head = method == HttpMethod.HEAD;
        if (!collapsed.equals(path) || head) {
            String query = ctx.request().query();
            ctx.reroute(head ? HttpMethod.GET : method, query == null ? collapsed : collapsed + "?" + query);
            return;
        }
        ctx.next();
    }
}
