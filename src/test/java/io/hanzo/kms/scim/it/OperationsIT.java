package io.hanzo.kms.scim.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.ServerSocket;
import java.util.Map;

/** Metrics on the management port, request ids, and readiness while draining. */
@ExtendWith(VertxExtension.class)
class OperationsIT {
    private static TestServer server;
    private static ApiClient client;
    private static ApiClient management;

    @BeforeAll
    static void start(Vertx vertx) throws Exception {
        int managementPort;
        try (ServerSocket s = new ServerSocket(0)) {
            managementPort = s.getLocalPort();
        }
        server = TestServer.start(Map.of("SCIM_MANAGEMENT_PORT", Integer.toString(managementPort)));
        client = new ApiClient(vertx, server.port());
        management = new ApiClient(vertx, managementPort);
    }

    @AfterAll
    static void stop() {
        client.close();
        management.close();
        server.stop();
    }

    @Test
    void metricsNameRoutesByTemplateAndCoverPoolIndexBatchesAndJvm() {
        TestOrg org = TestOrg.create(client, "Metrics Org");
        ApiClient.Response created = client.post(TestOrg.SCIM + "/Users", org.token(),
                "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],\"userName\":\"metrics@acme.test\"}");
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        String id = created.json().path("id").asText();
        assertThat(client.get(TestOrg.SCIM + "/Users/" + id, org.token()).status()).isEqualTo(200);
        assertThat(client.get(TestOrg.SCIM + "/Users/" + id, org.token()).status()).isEqualTo(200);

        ApiClient.Response scrape = management.get("/metrics", null);
        assertThat(scrape.status()).isEqualTo(200);
        String m = scrape.text();
        assertThat(m).contains("vertx_http_server_requests_total{code=\"200\",method=\"GET\",route=\"/api/v1/scim/Users/:id\"} 2.0");
        assertThat(m).contains("vertx_http_server_requests_total{code=\"201\",method=\"POST\",route=\"/api/v1/scim/Users\"}");
        assertThat(m).as("raw paths never become labels").doesNotContain(id);
        assertThat(m).contains("vertx_http_server_response_time_seconds_bucket{code=\"200\",method=\"GET\",route=\"/api/v1/scim/Users/:id\",le=");
        assertThat(m).containsPattern("vertx_pool_in_use\\{pool_name=\"[^\"]+\",pool_type=\"sql\"}");
        assertThat(m).containsPattern("vertx_pool_queue_pending\\{pool_name=\"[^\"]+\",pool_type=\"sql\"}");
        assertThat(m).containsPattern("(?m)^kms_scim_group_commit_batch_size_count [1-9]");
        assertThat(m).containsPattern("(?m)^kms_scim_index_users [1-9]");
        assertThat(m).contains("kms_scim_index_groups ", "kms_scim_index_memberships ",
                "kms_scim_invitation_outbox_backlog ", "kms_scim_invitation_delivery_failures_total ",
                "kms_scim_event_loop_delay_seconds_count", "jvm_memory_used_bytes", "jvm_threads_live_threads");

        assertThat(client.get("/metrics", null).status()).as("metrics stay off the public port").isEqualTo(404);
    }

    @Test
    void requestIdIsTakenFromTheCallerOrMadeAndAlwaysReturned() {
        ApiClient.Response given = await(client, "/health/live", "trace-42.a");
        assertThat(given.header("X-Request-Id")).isEqualTo("trace-42.a");
        ApiClient.Response none = client.get("/health/live", null);
        assertThat(none.header("X-Request-Id")).matches("[0-9a-f]{24}");
        ApiClient.Response insane = await(client, "/health/live", "x".repeat(200));
        assertThat(insane.header("X-Request-Id")).matches("[0-9a-f]{24}");
        assertThat(none.header("X-Request-Id")).isNotEqualTo(insane.header("X-Request-Id"));
    }

    @Test
    void readinessIs503AsSoonAsDrainingStarts(Vertx vertx) {
        TestServer other = TestServer.start();
        ApiClient c = new ApiClient(vertx, other.port());
        try {
            assertThat(c.get("/health/ready", null).status()).isEqualTo(200);
            other.app().services().ops().startDraining();
            ApiClient.Response r = c.get("/health/ready", null);
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.json().path("status").asText()).isEqualTo("DOWN");
            assertThat(c.get("/health/live", null).status()).isEqualTo(200);
        } finally {
            c.close();
            other.stop();
        }
    }

    private static ApiClient.Response await(ApiClient c, String path, String requestId) {
        return ApiClient.await(c.sendWithHeader(HttpMethod.GET, path, "X-Request-Id", requestId));
    }
}
