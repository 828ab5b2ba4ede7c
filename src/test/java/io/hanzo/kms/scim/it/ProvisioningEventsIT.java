package io.hanzo.kms.scim.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Provisioning events: what an admin reads to debug an IdP mapping. */
@ExtendWith(VertxExtension.class)
class ProvisioningEventsIT {
    private static ApiClient client;

    @BeforeAll
    static void start(Vertx vertx) {
        client = new ApiClient(vertx, TestServer.shared().port());
    }

    @AfterAll
    static void stop() {
        client.close();
    }

    private static JsonNode events(TestOrg org, String query) {
        ApiClient.Response r = client.get("/api/v1/organizations/" + org.id() + "/scim-events" + query, TestServer.ADMIN_TOKEN);
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        return r.json();
    }

    /** A group PATCH is answered 204 unless a body is asked for, alone or batched with others: its event says so. */
    @Test
    void aGroupPatchIsRecordedWithTheStatusItWasAnswered() {
        TestOrg org = TestOrg.create(client, "Events-204");
        List<String> users = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            users.add(client.post(TestOrg.SCIM + "/Users", org.token(), "{\"userName\":\"s" + i + "@example.com\"}")
                    .json().path("id").asText());
        }
        String groupId = client.post(TestOrg.SCIM + "/Groups", org.token(), "{\"displayName\":\"Statuses\"}")
                .json().path("id").asText();
        String path = TestOrg.SCIM + "/Groups/" + groupId;
        assertThat(client.patch(path, org.token(), "{\"Operations\":[{\"op\":\"replace\",\"path\":\"displayName\","
                + "\"value\":\"Statuses 2\"}]}").status()).isEqualTo(204);
        assertThat(client.patch(path + "?attributes=displayName", org.token(), "{\"Operations\":[{\"op\":\"add\","
                + "\"path\":\"members\",\"value\":[{\"value\":\"" + users.get(0) + "\"}]}]}").status()).isEqualTo(200);
        // Single-member PATCHes at once: those that queue behind a running write go as one batch.
        List<io.vertx.core.Future<ApiClient.Response>> sent = new ArrayList<>();
        for (String u : users.subList(1, 8)) {
            sent.add(client.send(io.vertx.core.http.HttpMethod.PATCH, path, org.token(), "{\"Operations\":[{\"op\":"
                    + "\"add\",\"path\":\"members\",\"value\":[{\"value\":\"" + u + "\"}]}]}"));
        }
        for (io.vertx.core.Future<ApiClient.Response> f : sent) {
            assertThat(ApiClient.await(f).status()).isEqualTo(204);
        }
        List<String> patches = new ArrayList<>();
        for (JsonNode e : events(org, "?limit=100").path("events")) {
            if (e.path("operation").asText().equals("PATCH /Groups")) {
                patches.add(e.path("status").asText());
            }
        }
        // Newest first: the seven batched or alone, the one with a body, the rename.
        assertThat(patches).containsExactly("204", "204", "204", "204", "204", "204", "204", "200", "204");
    }

    @Test
    void changesAndRefusalsAreRecordedNewestFirstWithTheirToken() throws Exception {
        TestOrg org = TestOrg.create(client, "Events Org");
        String tokenId = client.get("/api/v1/organizations/" + org.id() + "/scim-tokens", TestServer.ADMIN_TOKEN)
                .json().path("tokens").get(0).path("id").asText();
        String userId = client.post(TestOrg.SCIM + "/Users", org.token(), "{\"userName\":\"ev@example.com\"}")
                .json().path("id").asText();
        assertThat(client.post(TestOrg.SCIM + "/Users", org.token(), "{\"userName\":\"EV@example.com\"}").status())
                .isEqualTo(409);
        assertThat(client.patch(TestOrg.SCIM + "/Users/" + userId, org.token(),
                "{\"Operations\":[{\"op\":\"replace\",\"path\":\"active\",\"value\":false}]}").status()).isEqualTo(200);
        String groupId = client.post(TestOrg.SCIM + "/Groups", org.token(),
                "{\"displayName\":\"Ev\",\"members\":[{\"value\":\"" + userId + "\"},{\"value\":\"ghost\"}]}")
                .json().path("id").asText();
        assertThat(client.get(TestOrg.SCIM + "/Users/not-there", org.token()).status()).isEqualTo(404);
        assertThat(client.delete(TestOrg.SCIM + "/Users/" + userId, org.token()).status()).isEqualTo(204);

        // The refusals are written after their answers: a moment later, seconds on a loaded machine.
        Polling.until(Duration.ofSeconds(10), () -> assertThat(events(org, "").path("events")).hasSizeGreaterThanOrEqualTo(6));
        JsonNode all = events(org, "");
        List<String> seen = new ArrayList<>();
        for (JsonNode e : all.path("events")) {
            seen.add(e.path("operation").asText() + " " + e.path("status").asInt() + " " + e.path("outcome").asText());
            assertThat(e.path("tokenId").asText()).isEqualTo(tokenId);
            assertThat(e.path("at").asText()).isNotEmpty();
        }
        assertThat(seen).containsExactly(
                "DELETE /Users 204 success",
                "GET /Users 404 refused",
                "POST /Groups 201 success",
                "PATCH /Users 200 success",
                "POST /Users 409 refused",
                "POST /Users 201 success");
        JsonNode groupEvent = all.path("events").get(2);
        assertThat(groupEvent.path("resourceType").asText()).isEqualTo("Group");
        assertThat(groupEvent.path("resourceId").asText()).isEqualTo(groupId);
        assertThat(groupEvent.path("detail").asText()).contains("ghost");
        assertThat(all.path("events").get(4).path("detail").asText()).contains("already taken");

        JsonNode refused = events(org, "?outcome=refused");
        assertThat(refused.path("events").size()).isEqualTo(2);
        JsonNode groups = events(org, "?resourceType=Group");
        assertThat(groups.path("events").size()).isEqualTo(1);

        JsonNode first = events(org, "?limit=4");
        assertThat(first.path("events").size()).isEqualTo(4);
        String cursor = first.path("nextCursor").asText();
        JsonNode second = events(org, "?limit=4&cursor=" + cursor);
        assertThat(second.path("events").size()).isEqualTo(2);
        assertThat(second.path("nextCursor").isNull()).isTrue();
        assertThat(second.path("events").get(0).path("operation").asText()).isEqualTo("POST /Users");

        assertThat(client.get("/api/v1/organizations/" + org.id() + "/scim-events?outcome=maybe", TestServer.ADMIN_TOKEN)
                .status()).isEqualTo(400);
    }

    /** A HEAD is routed as GET and still recorded as the HEAD it was; /Me's 501 is a refusal like a 404. */
    @Test
    void aRefusedHeadAndMeAreRecordedAsSent() {
        TestOrg org = TestOrg.create(client, "Events HEAD and Me");
        assertThat(client.sendAndWait(io.vertx.core.http.HttpMethod.HEAD, TestOrg.SCIM + "/Users/not-there", org.token(), null)
                .status()).isEqualTo(404);
        assertThat(client.get(TestOrg.SCIM + "/Me", org.token()).status()).isEqualTo(501);
        Polling.until(Duration.ofSeconds(10), () -> {
            List<String> seen = new ArrayList<>();
            for (JsonNode e : events(org, "?outcome=refused").path("events")) {
                seen.add(e.path("operation").asText() + " " + e.path("status").asInt());
            }
            assertThat(seen).containsExactlyInAnyOrder("HEAD /Users 404", "GET /Me 501");
        });
    }

    /**
     * A body too large is recorded whether its size was announced (refused before it is read) or found
     * as it came in chunks.
     */
    @Test
    void anOversizeBodyIsRecordedHoweverItsSizeIsKnown() throws Exception {
        TestOrg org = TestOrg.create(client, "Events oversize");
        String head = "POST " + TestOrg.SCIM + "/Users HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + org.token()
                + "\r\nContent-Type: application/scim+json\r\n";
        assertThat(statusLine(head + "Content-Length: " + (64L * 1024 * 1024) + "\r\n\r\n")).startsWith("HTTP/1.1 413");
        String chunk = "x".repeat(1024 * 1024);
        String chunked = (Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n").repeat(3) + "0\r\n\r\n";
        assertThat(statusLine(head + "Transfer-Encoding: chunked\r\n\r\n" + chunked)).startsWith("HTTP/1.1 413");
        Polling.until(Duration.ofSeconds(10), () -> {
            List<String> seen = new ArrayList<>();
            for (JsonNode e : events(org, "?outcome=refused").path("events")) {
                seen.add(e.path("operation").asText() + " " + e.path("status").asInt());
            }
            assertThat(seen).containsExactly("POST /Users 413", "POST /Users 413");
        });
    }

    /** The status line the server answers a request with, sent whole over a connection of its own. */
    private static String statusLine(String request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", TestServer.shared().port())) {
            s.setSoTimeout(20_000);
            try {
                s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
            } catch (IOException e) {
                // Closed after the answer, before the whole body was sent: the answer is still there.
            }
            InputStream in = s.getInputStream();
            StringBuilder line = new StringBuilder();
            int b;
            while ((b = in.read()) != -1 && b != '\n') {
                line.append((char) b);
            }
            return line.toString().trim();
        }
    }

    @Test
    void aFailedChangeLeavesNoSuccessEvent() throws Exception {
        TestOrg org = TestOrg.create(client, "Atomic Events");
        String userId = client.post(TestOrg.SCIM + "/Users", org.token(), "{\"userName\":\"a@example.com\"}")
                .json().path("id").asText();
        client.post(TestOrg.SCIM + "/Users", org.token(), "{\"userName\":\"b@example.com\"}");
        // A rename onto a taken userName fails: no PATCH success may be recorded for it.
        assertThat(client.patch(TestOrg.SCIM + "/Users/" + userId, org.token(),
                "{\"Operations\":[{\"op\":\"replace\",\"path\":\"userName\",\"value\":\"b@example.com\"}]}").status())
                .isEqualTo(409);
        Thread.sleep(200);
        JsonNode successes = events(org, "?outcome=success");
        for (JsonNode e : successes.path("events")) {
            assertThat(e.path("operation").asText()).isEqualTo("POST /Users");
        }
        assertThat(successes.path("events").size()).isEqualTo(2);
    }

    @Test
    void aMemberIdWithANulCharacterIsSkippedAndRecordedWithoutAServerError() throws Exception {
        TestOrg org = TestOrg.create(client, "Nul Events");
        String userId = client.post(TestOrg.SCIM + "/Users", org.token(), "{\"userName\":\"n@example.com\"}")
                .json().path("id").asText();
        ApiClient.Response group = client.post(TestOrg.SCIM + "/Groups", org.token(),
                "{\"displayName\":\"Nul\",\"members\":[{\"value\":\"" + userId + "\"},{\"value\":\"a\\u0000b\"}]}");
        assertThat(group.status()).as(group.text()).isEqualTo(201);
        assertThat(group.json().path("members").size()).isEqualTo(1);
        assertThat(client.get(TestOrg.SCIM + "/Users/%00x", org.token()).status()).isEqualTo(404);
        JsonNode groupEvents = events(org, "?resourceType=Group");
        assertThat(groupEvents.path("events").get(0).path("detail").asText()).contains("a\uFFFDb");
    }
}
