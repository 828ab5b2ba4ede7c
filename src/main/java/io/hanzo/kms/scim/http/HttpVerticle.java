package io.hanzo.kms.scim.http;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;

import java.util.concurrent.TimeUnit;

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
                .setTcpNoDelay(true)
                // HTTP/1.1 only (TLS and HTTP/2 end at the proxy in front). Cleartext HTTP/2 detection
                // would also hold back the connection handler, and with it the header deadline, until
                // a request's headers are complete.
                .setHttp2ClearTextEnabled(false)
                // No WebSocket is served: without compression extensions to offer, the server keeps no
                // WebSocket extension handler in every connection's pipeline, which each request crossed.
                .setPerFrameWebSocketCompressionSupported(false)
                .setPerMessageWebSocketCompressionSupported(false)
                .setIdleTimeout(services.config().httpIdleTimeoutSeconds())
                .setMaxHeaderSize(services.config().httpMaxHeaderBytes())
                .setMaxInitialLineLength(services.config().httpMaxInitialLineBytes());
        long headerMillis = services.config().httpHeaderTimeoutSeconds() * 1000L;
        server = vertx.createHttpServer(options)
                .connectionHandler(conn -> CheckedRequestDecoder.install(conn, options, headerMillis))
                .requestHandler(ApiRouter.create(vertx, services));
        if (services.ops().metrics() != null) {
            // On this verticle's event loop; undeploying cancels it.
            services.ops().metrics().probeEventLoop(vertx);
        }
        server.invalidRequestHandler(InvalidRequests::answer);
        return server.listen();
    }

    /**
     * Stops accepting connections at once; requests in flight get up to the drain time to be answered,
     * idle connections are closed, and whatever is still open after the drain time is closed.
     */
    @Override
    public Future<?> stop() {
        return server == null ? Future.succeededFuture()
                : server.shutdown(services.config().shutdownDrainSeconds(), TimeUnit.SECONDS);
    }
}
