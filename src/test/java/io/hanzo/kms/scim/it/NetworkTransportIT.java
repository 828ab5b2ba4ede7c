package io.hanzo.kms.scim.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Locale;
import java.util.Map;

/**
 * The sockets go through epoll on Linux x86-64 (the native library ships for it), and through NIO
 * when {@code network.native-transport} is false; either way the server answers SCIM and reaches its
 * database over them.
 */
@ExtendWith(VertxExtension.class)
class NetworkTransportIT {

    @Test
    void linuxServersUseEpoll(Vertx vertx) throws Exception {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch");
        assumeTrue(os.startsWith("linux") && (arch.equals("amd64") || arch.equals("x86_64")),
                "the native library this build ships is for Linux x86-64");
        TestServer server = TestServer.start();
        try {
            assertThat(server.app().vertx().isNativeTransportEnabled()).isTrue();
            assertThat(server.app().vertx().unavailableNativeTransportCause()).isNull();
            answersScim(vertx, server, "Epoll Org");
        } finally {
            server.stop();
        }
    }

    @Test
    void turnedOffTheSocketsUseNio(Vertx vertx) throws Exception {
        TestServer server = TestServer.start(Map.of("SCIM_NETWORK_NATIVE_TRANSPORT", "false"));
        try {
            assertThat(server.app().vertx().isNativeTransportEnabled()).isFalse();
            answersScim(vertx, server, "Nio Org");
        } finally {
            server.stop();
        }
    }

    /** A user created and found again: an HTTP exchange, a committed write and an indexed read. */
    private static void answersScim(Vertx vertx, TestServer server, String orgName) throws Exception {
        ApiClient client = new ApiClient(vertx, server.port());
        try {
            TestOrg org = TestOrg.create(client, orgName);
            ApiClient.Response created = client.post(TestOrg.SCIM + "/Users", org.token(),
                    "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],\"userName\":\"transport@example.com\"}");
            assertThat(created.status()).as(created.text()).isEqualTo(201);
            ApiClient.Response found = client.get(TestOrg.SCIM
                    + "/Users?filter=userName%20eq%20%22transport@example.com%22", org.token());
            assertThat(found.status()).as(found.text()).isEqualTo(200);
            assertThat(found.json().path("totalResults").asInt()).isEqualTo(1);
            assertThat(found.json().path("Resources").get(0).path("id").asText())
                    .isEqualTo(created.json().path("id").asText());
        } finally {
            client.close();
        }
    }
}
