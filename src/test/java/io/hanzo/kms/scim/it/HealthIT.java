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
}
