package io.hanzo.kms.scim.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Liveness and readiness probes. */
@ExtendWith(VertxExtension.class)
class HealthIT {
    private static ApiClient client;

    @BeforeAll
    static void start(Vertx vertx) {
        client = new ApiClient(vertx, TestServer.shared().port());
    }

    @AfterAll
    static void stop() {
        client.close();
    }

    @Test
    void liveIsUpWithoutAuthentication() {
        ApiClient.Response r = client.get("/health/live", null);
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.header("Content-Type")).startsWith("application/json");
        assertThat(r.json().path("status").asText()).isEqualTo("UP");
    }

    @Test
    void readyIsUpWithTheDatabaseUp() {
        ApiClient.Response r = client.get("/health/ready", null);
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.header("Content-Type")).startsWith("application/json");
        assertThat(r.json().path("status").asText()).isEqualTo("UP");
        assertThat(r.json().path("database").asText()).isEqualTo("UP");
    }

    @Test
    void probesIgnoreCredentials() {
        assertThat(client.get("/health/live", "whatever").status()).isEqualTo(200);
        assertThat(client.get("/health/ready", TestServer.ADMIN_TOKEN).status()).isEqualTo(200);
    }
    /** An instance whose change feed stopped reading leaves the load balancer's rotation until it reads again. */
    @Test
    void readyIsDownWhileTheChangeFeedDoesNotRead(Vertx vertx) {
        TestServer behind = TestServer.start(java.util.Map.of("SCIM_DATABASE_POOL_SIZE", "2",
                "SCIM_HEALTH_FEED_SILENCE_SECONDS", "2"));
        ApiClient probe = new ApiClient(vertx, behind.port());
        try {
            assertThat(probe.get("/health/ready", null).status()).isEqualTo(200);
            behind.app().changeFeed().pause();
            Polling.until(java.time.Duration.ofSeconds(60), () -> {
                ApiClient.Response r = probe.get("/health/ready", null);
                assertThat(r.status()).as(r.text()).isEqualTo(503);
                assertThat(r.json().path("index").asText()).isEqualTo("BEHIND");
                assertThat(r.json().path("database").asText()).isEqualTo("UP");
            });
            behind.app().changeFeed().resume();
            Polling.until(java.time.Duration.ofSeconds(10),
                    () -> assertThat(probe.get("/health/ready", null).status()).isEqualTo(200));
        } finally {
            probe.close();
            behind.stop();
        }
    }
}
