package io.hanzo.kms.scim.it;

import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.client.Client;
import jakarta.ws.rs.core.Configuration;
import jakarta.ws.rs.core.Response;
import org.glassfish.jersey.client.ClientRequest;
import org.glassfish.jersey.client.ClientResponse;
import org.glassfish.jersey.client.spi.AsyncConnectorCallback;
import org.glassfish.jersey.client.spi.Connector;
import org.glassfish.jersey.client.spi.ConnectorProvider;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;

/**
 * A Jersey connector over {@link java.net.http.HttpClient}. Jersey's default connector cannot send
 * PATCH on Java 17 without opening {@code java.net} to reflection; this one sends any method.
 */
public final class JdkHttpConnector implements Connector {
    private static final Set<String> RESTRICTED = Set.of("connection", "content-length", "expect", "host", "upgrade");

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();

    /** Plugs the connector into a {@code ClientConfig}. */
    public static final class Provider implements ConnectorProvider {
        @Override
        public Connector getConnector(Client client, Configuration runtimeConfig) {
            return new JdkHttpConnector();
        }
    }

    @Override
    public ClientResponse apply(ClientRequest request) {
        byte[] body = null;
        if (request.hasEntity()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            request.setStreamProvider(contentLength -> out);
            try {
                request.writeEntity();
            } catch (IOException e) {
                throw new ProcessingException(e);
            }
            body = out.toByteArray();
        }
        HttpRequest.Builder builder = HttpRequest.newBuilder(request.getUri())
                .timeout(Duration.ofSeconds(60))
                .method(request.getMethod(), body == null
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        for (Map.Entry<String, List<String>> header : request.getStringHeaders().entrySet()) {
            if (RESTRICTED.contains(header.getKey().toLowerCase(Locale.ROOT))) {
                continue;
            }
            for (String value : header.getValue()) {
                builder.header(header.getKey(), value);
            }
        }
        HttpResponse<byte[]> response;
        try {
            response = http.send(builder.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new ProcessingException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProcessingException(e);
        }
        ClientResponse out = new ClientResponse(status(response.statusCode()), request);
        response.headers().map().forEach((name, values) -> {
            if (!name.startsWith(":")) {
                values.forEach(v -> out.getHeaders().add(name, v));
            }
        });
        out.setEntityStream(new ByteArrayInputStream(response.body() == null ? new byte[0] : response.body()));
        return out;
    }

    @Override
    public Future<?> apply(ClientRequest request, AsyncConnectorCallback callback) {
        return CompletableFuture.runAsync(() -> {
            try {
                callback.response(apply(request));
            } catch (Throwable t) {
                callback.failure(t);
            }
        });
    }

    @Override
    public String getName() {
        return "java.net.http";
    }

    @Override
    public void close() {
        // HttpClient of Java 17 holds no resources that need closing
    }

    private static Response.StatusType status(int code) {
        Response.Status known = Response.Status.fromStatusCode(code);
        if (known != null) {
            return known;
        }
        return new Response.StatusType() {
            @Override
            public int getStatusCode() {
                return code;
            }

            @Override
            public Response.Status.Family getFamily() {
                return Response.Status.Family.familyOf(code);
            }

            @Override
            public String getReasonPhrase() {
                return "";
            }
        };
    }
}
