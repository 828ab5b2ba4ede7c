package io.hanzo.kms.scim.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.hanzo.kms.scim.chaos.PlainHttp;
import io.hanzo.kms.scim.it.TestServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Types are checked, not coerced, and one bad user in a batched creation (group commit, /Bulk) fails
 * alone while the others are created.
 */
class BadValuesIT {
    private static final String USERS = "/api/v1/scim/Users";
    private static PlainHttp http;

    @BeforeAll
    static void start() {
        http = new PlainHttp(TestServer.shared().baseUrl());
    }

    @Test
    void wrongTypesAreRefusedAndCreateNothing() throws Exception {
        ScimFuzzIT.Fixture fx = fixture("bad types");
        String[] bodies = {
            "{\"userName\":1e400}",
            "{\"userName\":123456789012345678901234567890}",
            "{\"userName\":true}",
            "{\"userName\":\"types1@example.com\",\"emails\":42}",
            "{\"userName\":\"types2@example.com\",\"emails\":[{\"value\":1e400}]}",
            "{\"userName\":\"types3@example.com\",\"title\":42}",
            "{\"userName\":\"types4@example.com\",\"name\":\"Jane\"}",
            "{\"userName\":\"types5@example.com\",\"active\":\"maybe\"}",
            "{\"userName\":\"types6@example.com\",\"externalId\":{\"a\":1}}",
            "{\"userName\":\"bad\\ud800x\"}",
            "{\"userName\":\"bad\\udc00x\"}",
            "{\"userName\":\"nul\\u0000x\"}",
            "{\"userName\":\"types7@example.com\",\"name\":{\"givenName\":\"a\\ud800\"}}",
        };
        int before = count(fx);
        for (String body : bodies) {
            PlainHttp.Response r = http.send("POST", USERS, fx.token(), body);
            assertThat(r.status()).as(body + " -> " + r.text()).isEqualTo(400);
            assertThat(r.json().path("scimType").asText()).as(body).isEqualTo("invalidValue");
            assertThat(ScimFuzzIT.errorDocumentProblem(r)).as(body).isNull();
        }
        assertThat(count(fx)).isEqualTo(before);
        // The named IdP habits stay: Entra's "True"/"False" strings for booleans; a bare email.
        PlainHttp.Response entra = http.send("POST", USERS, fx.token(), "{\"userName\":\"entra@example.com\",\"active\":\"False\"}");
        assertThat(entra.status()).as(entra.text()).isEqualTo(201);
        assertThat(entra.json().path("active").booleanValue()).isFalse();
        PlainHttp.Response bare = http.send("POST", USERS, fx.token(), "{\"userName\":\"bare@example.com\",\"emails\":\"bare@example.com\"}");
        assertThat(bare.status()).as(bare.text()).isEqualTo(201);
        assertThat(bare.json().path("emails").get(0).path("value").asText()).isEqualTo("bare@example.com");
    }

    @Test
    void oneBadUserInABulkFailsAlone() throws Exception {
        ScimFuzzIT.Fixture fx = fixture("bad bulk");
        StringBuilder ops = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            String name = i == 7 ? "bad\\ud800x" : "bulk" + i + "@example.com";
            ops.append(i == 0 ? "" : ",").append("{\"method\":\"POST\",\"path\":\"/Users\",\"bulkId\":\"b").append(i)
                    .append("\",\"data\":{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],\"userName\":\"")
                    .append(name).append("\"}}");
        }
        PlainHttp.Response r = http.send("POST", "/api/v1/scim/Bulk", fx.token(),
                "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:BulkRequest\"],\"Operations\":[" + ops + "]}");
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        List<String> statuses = new ArrayList<>();
        for (JsonNode op : r.json().path("Operations")) {
            statuses.add(op.path("bulkId").asText() + "=" + op.path("status").asText());
        }
        assertThat(statuses).hasSize(20).contains("b7=400").filteredOn(s -> s.endsWith("=201")).hasSize(19);
        assertThat(count(fx)).isEqualTo(3 + 19);
    }

    @Test
    void oneBadUserAmongConcurrentCreationsFailsAlone() throws Exception {
        ScimFuzzIT.Fixture fx = fixture("bad concurrent");
        ExecutorService pool = Executors.newFixedThreadPool(20);
        try {
            List<CompletableFuture<PlainHttp.Response>> answers = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                String name = i == 11 ? "bad\\ud800x" : "together" + i + "@example.com";
                PlainHttp client = new PlainHttp(TestServer.shared().baseUrl());
                answers.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return client.send("POST", USERS, fx.token(), "{\"userName\":\"" + name + "\"}");
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, pool));
            }
            for (int i = 0; i < 20; i++) {
                PlainHttp.Response r = answers.get(i).join();
                assertThat(r.status()).as(i + ": " + r.text()).isEqualTo(i == 11 ? 400 : 201);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(count(fx)).isEqualTo(3 + 19);
    }

    @Test
    void requestsTheHttpDecoderRefusesGetAnErrorDocument() throws Exception {
        ScimFuzzIT.Fixture fx = fixture("too long");
        PlainHttp.Response r = http.send("GET", USERS + "?filter=" + PlainHttp.encode("userName eq \"" + "x".repeat(9000) + "\""),
                fx.token(), null);
        assertThat(r.status()).isEqualTo(414);
        assertThat(ScimFuzzIT.errorDocumentProblem(r)).as(r.text()).isNull();
        PlainHttp.Response big = http.sendRaw("GET", USERS, java.util.Map.of("Authorization", "Bearer " + fx.token(),
                "X-Padding", "p".repeat(20_000)), null);
        assertThat(big.status()).isEqualTo(431);
        assertThat(ScimFuzzIT.errorDocumentProblem(big)).as(big.text()).isNull();
    }

    private static ScimFuzzIT.Fixture fixture(String name) throws Exception {
        ScimFuzzIT.initialise();
        return ScimFuzzIT.fixture(name);
    }

    private static int count(ScimFuzzIT.Fixture fx) throws Exception {
        PlainHttp.Response r = http.send("GET", USERS + "?count=0", fx.token(), null);
        return r.json().path("totalResults").asInt();
    }
}
