package io.hanzo.kms.scim.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Puts a simulation's starting data in place before the measured part (in {@code before()}), with
 * plain HTTP calls to the same SCIM API. Every answer is checked; anything unexpected stops the
 * simulation before it starts.
 */
public final class Provisioner {
    public static final ObjectMapper JSON = new ObjectMapper();
    private static final int BULK_OPS = 500;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final String base;
    private final String auth;

    public Provisioner(String scimBase, String token) {
        this.base = scimBase;
        this.auth = "Bearer " + token;
    }

    /** Creates users [from, to) through /Bulk, two requests at a time; answers their ids by position. */
    public String[] createUsers(String prefix, int from, int to) {
        String[] ids = new String[to];
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> pending = new ArrayList<>();
            for (int a = from; a < to; a += BULK_OPS) {
                int start = a;
                int end = Math.min(a + BULK_OPS, to);
                pending.add(pool.submit(() -> {
                    List<String> ops = new ArrayList<>(end - start);
                    for (int i = start; i < end; i++) {
                        ops.add(Payloads.bulkOp("POST", "u" + i, "/Users", Payloads.user(prefix, i, 0)));
                    }
                    JsonNode answer = send("POST", "/Bulk", Payloads.bulk(ops), 200);
                    for (JsonNode op : answer.path("Operations")) {
                        if (!"201".equals(op.path("status").asText())) {
                            throw new IllegalStateException("Bulk user creation answered " + op);
                        }
                        int i = Integer.parseInt(op.path("bulkId").asText().substring(1));
                        ids[i] = lastSegment(op.path("location").asText());
                    }
                    return null;
                }));
            }
            for (Future<?> f : pending) {
                f.get();
            }
        } catch (Exception e) {
            throw new IllegalStateException("Loading users failed: " + e.getMessage(), e);
        } finally {
            pool.shutdownNow();
        }
        for (int i = from; i < to; i++) {
            if (ids[i] == null) {
                throw new IllegalStateException("User " + i + " was not created by the bulk load.");
            }
        }
        return ids;
    }

    public String createGroup(String prefix, int g) {
        return send("POST", "/Groups", Payloads.group(prefix, g), 201).path("id").asText();
    }

    /** Adds users [from, to) to a group in PATCHes of 256 members. */
    public void addMembers(String groupId, int from, int to, String[] ids) {
        for (int a = from; a < to; a += Scale.PATCH_MEMBERS) {
            send("PATCH", "/Groups/" + groupId, Payloads.addMembers(a, Math.min(a + Scale.PATCH_MEMBERS, to), i -> ids[i]), 204);
        }
    }

    public JsonNode send(String method, String path, String body, int expected) {
        String text = exchange(method, path, body, expected);
        try {
            return text.isEmpty() ? JSON.createObjectNode() : JSON.readTree(text);
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + path + " answered something that is not JSON: " + text, e);
        }
    }

    private String exchange(String method, String path, String body, int expected) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(120))
                .header("Authorization", auth)
                .header("Accept", "application/scim+json");
        if (body != null) {
            b.header("Content-Type", "application/scim+json");
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r;
        try {
            r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + path + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(method + " " + path + " was interrupted", e);
        }
        if (r.statusCode() != expected) {
            String shown = r.body().length() > 500 ? r.body().substring(0, 500) + "..." : r.body();
            throw new IllegalStateException(method + " " + path + " answered " + r.statusCode() + " instead of "
                    + expected + ": " + shown);
        }
        return r.body();
    }

    public static String lastSegment(String location) {
        return location.substring(location.lastIndexOf('/') + 1);
    }
}
