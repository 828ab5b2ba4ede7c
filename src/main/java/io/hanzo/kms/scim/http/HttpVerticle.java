package io.hanzo.kms.scim.http;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;

/**
 * One HTTP server per event loop, all listening on the same port (Vert.x spreads connections across
 * them). Deployed only once the shared services are loaded, so the port opens ready to serve.
 */
public final class HttpVerticle extends VerticleBase {
    private final Services services;
    private HttpServer server;

    public HttpVerticle(Services services) {
        this.services = services;
    }

    @Override
    public Future<?> start() {
        HttpServerOptions options = new HttpServerOptions()
                .setHost(services.config().httpHost())
                .setPort(services.config().httpPort())
                .setCompressionSupported(true)
                .setTcpNoDelay(true);
        server = vertx.createHttpServer(options).requestHandler(ApiRouter.create(vertx, services));
        server.invalidRequestHandler(InvalidRequests::answer);
        return server.listen();
    }

    @Override
    public Future<?> stop() {
        return server == null ? Future.succeededFuture() : server.close();
    }
}
