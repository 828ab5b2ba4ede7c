package io.hanzo.kms.scim.loadtools;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The admin calls run.sh needs, with no curl or JSON tool on the machine:
 * <pre>
 * Admin wait --url http://127.0.0.1:PORT/health/ready --seconds 120 [--pid PID]
 * Admin org  --url http://127.0.0.1:PORT --admin-token T --name NAME    (prints the SCIM token)
 * Admin sample-lookup --url http://127.0.0.1:PORT --admin-token T --out FILE
 * </pre>
 * {@code sample-lookup} provisions one user shaped like the simulations' users in an organisation of
 * its own and saves the server's answer to a userName lookup that finds it: the document the bare
 * server then answers with.
 */
public final class Admin {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Admin() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            throw new IllegalArgumentException("Usage: Admin wait|org --option value ...");
        }
        Args a = new Args(args, 1);
        switch (args[0]) {
            case "wait" -> System.exit(waitReady(a.get("url"), a.intValue("seconds", 120), a.get("pid", null)) ? 0 : 1);
            case "org" -> System.out.println(organisationToken(a.get("url"), a.get("admin-token"), a.get("name")));
            case "sample-lookup" -> sampleLookup(a.get("url"), a.get("admin-token"), Path.of(a.get("out")));
            default -> throw new IllegalArgumentException("Unknown command " + args[0]);
        }
    }

    /** Polls until the URL answers 200; gives up when the time is spent or process {@code pid} has ended. */
    static boolean waitReady(String url, int seconds, String pid) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return true;
                }
            } catch (IOException e) {
                // not listening yet
            }
            if (pid != null && ProcessHandle.of(Long.parseLong(pid)).map(p -> !p.isAlive()).orElse(true)) {
                System.err.println("Process " + pid + " ended before " + url + " answered.");
                return false;
            }
            Thread.sleep(250);
        }
        System.err.println(url + " did not answer 200 within " + seconds + " s.");
        return false;
    }

    /** Creates an enterprise organisation, switches SCIM on, and answers a new SCIM token for it. */
    static String organisationToken(String base, String adminToken, String name) throws Exception {
        JsonObject org = call("POST", base + "/api/v1/organizations", adminToken,
                new JsonObject().put("name", name).put("plan", "enterprise"), 201);
        String id = org.getString("id");
        call("PATCH", base + "/api/v1/organizations/" + id, adminToken, new JsonObject().put("scimEnabled", true), 200);
        JsonObject token = call("POST", base + "/api/v1/organizations/" + id + "/scim-tokens", adminToken,
                new JsonObject().put("description", "bench " + name), 201);
        return token.getString("token");
    }

    static void sampleLookup(String base, String adminToken, Path out) throws Exception {
        String token = organisationToken(base, adminToken, "bench ceiling sample");
        String userName = "look.0010000@bench.example.com";
        String scim = base + "/api/v1/scim";
        HttpResponse<String> created = HTTP.send(HttpRequest.newBuilder(URI.create(scim + "/Users"))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/scim+json")
                .POST(HttpRequest.BodyPublishers.ofString(RawInsertLoader.attributes(10_000, userName)))
                .build(), HttpResponse.BodyHandlers.ofString());
        if (created.statusCode() != 201) {
            throw new IllegalStateException("POST /Users answered " + created.statusCode() + ": " + created.body());
        }
        String filter = URLEncoder.encode("userName eq \"" + userName + "\"", StandardCharsets.UTF_8);
        HttpResponse<String> found = HTTP.send(HttpRequest.newBuilder(URI.create(scim + "/Users?filter=" + filter))
                .header("Authorization", "Bearer " + token)
                .build(), HttpResponse.BodyHandlers.ofString());
        if (found.statusCode() != 200 || new JsonObject(found.body()).getInteger("totalResults", 0) != 1) {
            throw new IllegalStateException("The lookup answered " + found.statusCode() + ": " + found.body());
        }
        Files.writeString(out, found.body());
        System.out.printf("Saved a %d-byte lookup answer to %s%n", found.body().length(), out);
    }

    private static JsonObject call(String method, String url, String adminToken, JsonObject body, int expected)
            throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + adminToken)
                .header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body.encode()))
                .build();
        HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != expected) {
            throw new IllegalStateException(method + " " + url + " answered " + r.statusCode() + ": " + r.body());
        }
        return new JsonObject(r.body());
    }
}
