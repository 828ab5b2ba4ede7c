package io.hanzo.kms.scim.loadtools;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The read ceiling: a Vert.x HTTP server, same version and same layout as kms-scim (one verticle per
 * event loop, two event loops per core, the same server options), that answers every request with one
 * fixed JSON document, a real lookup answer of kms-scim saved by the LookupStorm run. No routing, no authentication, no
 * lookup: what is left is the HTTP stack and the load generator.
 * <pre>
 * BareServer --port PORT --body FILE [--host 127.0.0.1] [--instances N]
 * </pre>
 */
public final class BareServer {
    private BareServer() {
    }

    public static void main(String[] args) throws Exception {
        Args a = new Args(args, 0);
        int port = Integer.parseInt(a.get("port"));
        String host = a.get("host", "127.0.0.1");
        Buffer body = Buffer.buffer(Files.readAllBytes(Path.of(a.get("body"))));
        VertxOptions options = new VertxOptions();
        int instances = a.intValue("instances", options.getEventLoopPoolSize());
        Vertx vertx = Vertx.vertx(options);
        vertx.deployVerticle(() -> new Answering(host, port, body), new DeploymentOptions().setInstances(instances))
                .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        System.out.printf("Bare server on %s:%d with %d verticles, answering %d bytes%n", host, port, instances, body.length());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                // exiting anyway
            }
        }));
    }

    private static final class Answering extends VerticleBase {
        private final String host;
        private final int port;
        private final Buffer body;

        Answering(String host, int port, Buffer body) {
            this.host = host;
            this.port = port;
            this.body = body;
        }

        @Override
        public Future<?> start() {
            HttpServerOptions options = new HttpServerOptions()
                    .setHost(host)
                    .setPort(port)
                    .setCompressionSupported(true)
                    .setTcpNoDelay(true);
            return vertx.createHttpServer(options)
                    .requestHandler(req -> req.response()
                            .putHeader("Content-Type", "application/scim+json")
                            .end(body))
                    .listen();
        }
    }
}
