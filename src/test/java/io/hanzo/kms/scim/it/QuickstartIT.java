package io.hanzo.kms.scim.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The README's walk-through, step by step, against the real server. */
@ExtendWith(VertxExtension.class)
class QuickstartIT {
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
    void provisionedUserIsFoundByPingOnesEmailFilter() {
        TestOrg org = TestOrg.create(client, "Quickstart");
        ApiClient.Response created = client.post(TestOrg.SCIM + "/Users", org.token(), """
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],
                 "userName":"jane@example.com",
                 "name":{"givenName":"Jane","familyName":"Doe"},
                 "emails":[{"value":"jane@example.com","type":"work","primary":true}]}
                """);
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        String id = created.json().get("id").asText();
        assertThat(created.header("Location")).isEqualTo(TestServer.shared().baseUrl() + "/api/v1/scim/Users/" + id);

        ApiClient.Response found = client.get(TestOrg.SCIM + "/Users?filter="
                + ApiClient.encode("email.value Eq \"jane@example.com\""), org.token());
        assertThat(found.status()).isEqualTo(200);
        JsonNode list = found.json();
        assertThat(list.get("totalResults").asInt()).isEqualTo(1);
        assertThat(list.get("Resources").get(0).get("id").asText()).isEqualTo(id);
        assertThat(list.get("Resources").get(0).get("userName").asText()).isEqualTo("jane@example.com");
    }
}
