package io.hanzo.kms.scim.ops;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.micrometer.PrometheusScrapingHandler;

/**
 * The management port: Prometheus metrics at {@code /metrics}, with no token, kept off the public port
 * so that only the cluster's scraper reaches it.
 */
public final class ManagementServer {
    private ManagementServer() {
    }

    public static Future<HttpServer> start(Vertx vertx, ServerMetrics metrics, String host, int port) {
        Router router = Router.router(vertx);
        router.get("/metrics").handler(PrometheusScrapingHandler.create(metrics.registry()));
        return vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port))
                .requestHandler(router)
                .listen();
    }
}
