package io.hanzo.kms.scim.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The two pages people open in a browser: the admin's Provisioning tab ({@code /console/}) and the
 * account set-up page the invitation link opens ({@code /account/setup}). Plain HTML, CSS and
 * JavaScript modules from {@code webroot/} on the class path; nothing is built.
 */
final class WebPages {
    static final String CONSOLE = "/console/";
    static final String ACCOUNT_SETUP = "/account/setup";
    static final String ASSETS = "/assets/";
    /** Scripts and styles only from files of this origin: no inline code, no other host, no framing. */
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    /** Assets are not fingerprinted, so they are cached for an hour and then revalidated. */
    static final long ASSET_MAX_AGE_SECONDS = 3600;

    /** Read once: the pages are small and never change while the server runs. */
    private static final Buffer CONSOLE_HTML = resource("webroot/console.html");
    private static final Buffer ACCOUNT_SETUP_HTML = resource("webroot/account-setup.html");

    private WebPages() {
    }

    static void mount(Router router) {
        router.route(ASSETS + "*").handler(WebPages::assetHeaders);
        router.route(ASSETS + "*").handler(StaticHandler.create("webroot/assets")
                .setCachingEnabled(true)
                .setMaxAgeSeconds(ASSET_MAX_AGE_SECONDS)
                .setDirectoryListing(false)
                .setIncludeHidden(false));
        router.get(CONSOLE).handler(ctx -> page(ctx, CONSOLE_HTML));
        // After the page's route, which Vert.x also matches for "/console/": this one sees only "/console".
        router.get("/console").handler(ctx -> ctx.response().setStatusCode(301).putHeader("Location", CONSOLE).end());
        router.get(ACCOUNT_SETUP).handler(ctx -> page(ctx, ACCOUNT_SETUP_HTML));
    }

    private static void page(RoutingContext ctx, Buffer html) {
        securityHeaders(ctx);
        ctx.response()
                .putHeader("Content-Type", "text/html; charset=utf-8")
                // Revalidated on every visit, so a new version of the page is seen at once.
                .putHeader("Cache-Control", "no-cache")
                .end(html);
    }

    private static void securityHeaders(RoutingContext ctx) {
        HttpServerResponse r = ctx.response();
        r.putHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        r.putHeader("X-Content-Type-Options", "nosniff");
        // The set-up token is in the fragment, which no Referer carries; no-referrer also drops the path.
        r.putHeader("Referrer-Policy", "no-referrer");
        r.putHeader("X-Frame-Options", "DENY");
        r.putHeader("Cross-Origin-Opener-Policy", "same-origin");
    }

    /**
     * The pages' headers, and the assets' caching, for every path the assets' route matches: that
     * includes "/assets" itself, which the static handler then answers 404.
     */
    private static void assetHeaders(RoutingContext ctx) {
        securityHeaders(ctx);
        HttpServerResponse r = ctx.response();
        // StaticHandler calls its files immutable; these keep their names across versions, so a
        // browser revalidates them (Last-Modified) once the hour is up.
        ctx.addHeadersEndHandler(v -> {
            if (r.headers().contains("Cache-Control")) {
                r.headers().set("Cache-Control", "public, max-age=" + ASSET_MAX_AGE_SECONDS);
            }
        });
        ctx.next();
    }

    private static Buffer resource(String path) {
        try (InputStream in = WebPages.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("Missing resource " + path);
            }
            return Buffer.buffer(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
