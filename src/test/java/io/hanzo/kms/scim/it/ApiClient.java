package io.hanzo.kms.scim.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A small HTTP client for the integration tests, over Vert.x's WebClient. Calls return futures for
 * tests that run requests concurrently, and {@code *AndWait} variants for sequential scenarios.
 */
public final class ApiClient {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final WebClient client;
    private final int port;

    public ApiClient(Vertx vertx, int port) {
        this.client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("localhost").setDefaultPort(port),
                new PoolOptions().setHttp1MaxSize(64));
        this.port = port;
    }

    /** A response, its body parsed as JSON when it has one. */
    public record Response(int status, MultiMap headers, String text) {
        public JsonNode json() {
            if (text == null || text.isEmpty()) {
                return MissingNode.getInstance();
            }
            try {
                return JSON.readTree(text);
            } catch (Exception e) {
                throw new AssertionError("Response is not JSON: " + text, e);
            }
        }

        public String header(String name) {
            return headers.get(name);
        }
    }

    public Future<Response> send(HttpMethod method, String path, String token, String body) {
        HttpRequest<Buffer> req = client.request(method, port, "localhost", path);
        if (token != null) {
            req.putHeader("Authorization", "Bearer " + token);
        }
        Future<io.vertx.ext.web.client.HttpResponse<Buffer>> f;
        if (body != null) {
            req.putHeader("Content-Type", "application/scim+json");
            f = req.sendBuffer(Buffer.buffer(body));
        } else {
            f = req.send();
        }
        return f.map(r -> new Response(r.statusCode(), r.headers(), r.bodyAsString()));
    }

    /**
     * A request with exactly the headers given, besides {@code Authorization} when a token is given:
     * no Content-Type is added, so a test can send what a particular client sends.
     */
    public Response sendWithHeaders(HttpMethod method, String path, String token, Map<String, String> headers, String body) {
        HttpRequest<Buffer> req = client.request(method, port, "localhost", path);
        if (token != null) {
            req.putHeader("Authorization", "Bearer " + token);
        }
        headers.forEach(req::putHeader);
        Future<io.vertx.ext.web.client.HttpResponse<Buffer>> f = body == null ? req.send() : req.sendBuffer(Buffer.buffer(body));
        return await(f.map(r -> new Response(r.statusCode(), r.headers(), r.bodyAsString())));
    }

    /** A bodiless request with one extra header. */
    public Future<Response> sendWithHeader(HttpMethod method, String path, String header, String value) {
        return client.request(method, port, "localhost", path).putHeader(header, value).send()
                .map(r -> new Response(r.statusCode(), r.headers(), r.bodyAsString()));
    }

    public Response sendAndWait(HttpMethod method, String path, String token, String body) {
        return await(send(method, path, token, body));
    }

    public Response get(String path, String token) {
        return sendAndWait(HttpMethod.GET, path, token, null);
    }

    public Response post(String path, String token, String body) {
        return sendAndWait(HttpMethod.POST, path, token, body);
    }

    public Response put(String path, String token, String body) {
        return sendAndWait(HttpMethod.PUT, path, token, body);
    }

    public Response patch(String path, String token, String body) {
        return sendAndWait(HttpMethod.PATCH, path, token, body);
    }

    /** A PATCH that changes the resource only if its version is still {@code ifMatch}. */
    public Response patchIfMatch(String path, String token, String ifMatch, String body) {
        return ifMatch(HttpMethod.PATCH, path, token, ifMatch, body);
    }

    /** A request with If-Match; {@code body} null sends none. */
    public Response ifMatch(HttpMethod method, String path, String token, String ifMatch, String body) {
        HttpRequest<Buffer> req = client.request(method, port, "localhost", path)
                .putHeader("Authorization", "Bearer " + token)
                .putHeader("If-Match", ifMatch);
        if (body == null) {
            return await(req.send().map(r -> new Response(r.statusCode(), r.headers(), r.bodyAsString())));
        }
        req.putHeader("Content-Type", "application/scim+json");
        return await(req.sendBuffer(Buffer.buffer(body)).map(r -> new Response(r.statusCode(), r.headers(), r.bodyAsString())));
    }

    public Response delete(String path, String token) {
        return sendAndWait(HttpMethod.DELETE, path, token, null);
    }

    public static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    public static <T> T await(Future<T> f) {
        try {
            return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("Request failed: " + e, e);
        }
    }

    public void close() {
        client.close();
    }
}
