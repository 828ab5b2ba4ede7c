package io.hanzo.kms.scim.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;

import java.util.Map;

/**
 * A server of a test class's own that delivers invitations every 100 ms to its log, where the test
 * reads the set-up links; with a client for its API.
 */
final class InvitingServer implements AutoCloseable {
    final InvitationLog log;
    final TestServer server;
    final ApiClient client;
    final ScimChecks api;

    private InvitingServer(InvitationLog log, TestServer server, ApiClient client) {
        this.log = log;
        this.server = server;
        this.client = client;
        this.api = new ScimChecks(client);
    }

    static InvitingServer start(Vertx vertx) {
        InvitationLog log = InvitationLog.install();
        TestServer server = TestServer.start(Map.of("SCIM_INVITATIONS_POLL_MILLIS", "100"));
        return new InvitingServer(log, server, new ApiClient(vertx, server.port()));
    }

    /** A new organisation through the admin API; returns its id. */
    String createOrganization(String name, String plan) {
        ApiClient.Response r = client.post("/api/v1/organizations", TestServer.ADMIN_TOKEN,
                "{\"name\":\"" + name + "\",\"plan\":\"" + plan + "\"}");
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        return r.json().path("id").asText();
    }

    @Override
    public void close() {
        try {
            client.close();
            server.stop();
        } finally {
            log.uninstall();
        }
    }
}
