package io.hanzo.kms.scim.loadtools;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Propagation lag between instances, measured beside a simulation: a user is created through one
 * instance directly (not through HAProxy), then another instance is asked for it with a
 * {@code userName eq} filter, answered from its index, until it finds it. The lag is the time from the
 * creation's 201 (the commit happened before it) to the answer that first finds the user; polls are
 * {@code --poll-ms} apart, so a figure is at most one poll and one request later than the moment the
 * user became visible. Before the first lookup, the other instance is asked for the user by id, which
 * it must find at once (it reads the database before answering 404). Pairs rotate (1 to 2, 2 to 3,
 * ..., N to 1). Runs until SIGTERM.
 * <pre>
 * LagProbe --instances http://127.0.0.1:P1,http://127.0.0.1:P2,... --token T --out FILE
 *          [--interval-ms 100] [--poll-ms 5] [--give-up-ms 10000]
 * </pre>
 * Each probe appends a line {@code <epoch ms of the 201> <lag ms, or -1 if not found within give-up>
 * <status of the read by id>} to FILE as it ends, so the file is complete whenever the probe stops.
 */
public final class LagProbe {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static volatile boolean running = true;

    private LagProbe() {
    }

    public static void main(String[] args) throws Exception {
        Args a = new Args(args, 0);
        List<String> instances = Arrays.asList(a.get("instances").split(","));
        if (instances.size() < 2) {
            throw new IllegalArgumentException("--instances needs at least two instances");
        }
        String auth = "Bearer " + a.get("token");
        int interval = a.intValue("interval-ms", 100);
        int poll = a.intValue("poll-ms", 5);
        int giveUp = a.intValue("give-up-ms", 10_000);
        Thread main = Thread.currentThread();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            running = false;
            try {
                main.join(giveUp + 5_000L);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        for (String base : instances) {
            awaitToken(base, auth);
        }
        String run = Long.toString(ThreadLocalRandom.current().nextLong() & 0xffffffL, 36);
        try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(Path.of(a.get("out")), StandardCharsets.UTF_8))) {
            for (long k = 0; running; k++) {
                long started = System.nanoTime();
                String from = instances.get((int) (k % instances.size()));
                String to = instances.get((int) ((k + 1) % instances.size()));
                String userName = "probe." + run + "." + k + "@bench.example.com";
                long[] sample = probe(from, to, auth, userName, poll, giveUp);
                out.println(sample[0] + " " + sample[1] + " " + sample[2]);
                out.flush();
                long rest = interval - (System.nanoTime() - started) / 1_000_000;
                if (rest > 0 && running) {
                    Thread.sleep(rest);
                }
            }
        }
    }

    /** {epoch ms of the 201, lag ms or -1, status of GET /Users/{id} on the other instance}. */
    static long[] probe(String from, String to, String auth, String userName, int poll, int giveUp)
            throws IOException, InterruptedException {
        JsonObject user = new JsonObject()
                .put("schemas", new JsonArray().add("urn:ietf:params:scim:schemas:core:2.0:User"))
                .put("userName", userName)
                .put("emails", new JsonArray().add(new JsonObject().put("value", userName).put("primary", true)));
        HttpResponse<String> created = HTTP.send(HttpRequest.newBuilder(URI.create(from + "/api/v1/scim/Users"))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", auth)
                .header("Content-Type", "application/scim+json")
                .POST(HttpRequest.BodyPublishers.ofString(user.encode()))
                .build(), HttpResponse.BodyHandlers.ofString());
        long committed = System.nanoTime();
        long at = System.currentTimeMillis();
        if (created.statusCode() != 201) {
            throw new IllegalStateException("POST /Users on " + from + " answered " + created.statusCode() + ": " + created.body());
        }
        String id = new JsonObject(created.body()).getString("id");
        int byId = HTTP.send(HttpRequest.newBuilder(URI.create(to + "/api/v1/scim/Users/" + id))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", auth)
                .build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        URI lookup = URI.create(to + "/api/v1/scim/Users?attributes=id&filter="
                + URLEncoder.encode("userName eq \"" + userName + "\"", StandardCharsets.UTF_8).replace("+", "%20"));
        long deadline = committed + giveUp * 1_000_000L;
        while (System.nanoTime() < deadline) {
            HttpResponse<String> found = HTTP.send(HttpRequest.newBuilder(lookup)
                    .timeout(Duration.ofSeconds(30))
                    .header("Authorization", auth)
                    .build(), HttpResponse.BodyHandlers.ofString());
            long now = System.nanoTime();
            if (found.statusCode() != 200) {
                throw new IllegalStateException("The lookup on " + to + " answered " + found.statusCode() + ": " + found.body());
            }
            JsonObject list = new JsonObject(found.body());
            if (list.getInteger("totalResults", 0) == 1
                    && id.equals(list.getJsonArray("Resources").getJsonObject(0).getString("id"))) {
                return new long[] {at, (now - committed) / 1_000_000, byId};
            }
            Thread.sleep(poll);
        }
        return new long[] {at, -1, byId};
    }

    /** The organisation's token was made through one instance; the others learn it by notification. */
    private static void awaitToken(String base, String auth) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        int last = 0;
        while (System.nanoTime() < deadline) {
            last = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/scim/Users?count=0"))
                    .header("Authorization", auth).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
            if (last == 200) {
                return;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException(base + " did not accept the probe's token within 30 s (last status " + last + ")");
    }
}
