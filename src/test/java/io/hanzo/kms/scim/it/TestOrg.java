package io.hanzo.kms.scim.it;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An organisation of its own for a test, created through the admin API the way an admin would:
 * create it on a paid plan, switch SCIM on, create a token.
 */
public record TestOrg(String id, String token) {
    public static final String SCIM = "/api/v1/scim";

    public static TestOrg create(ApiClient client, String name) {
        ApiClient.Response org = client.post("/api/v1/organizations", TestServer.ADMIN_TOKEN,
                "{\"name\":\"" + name + "\",\"plan\":\"enterprise\"}");
        assertThat(org.status()).as(org.text()).isEqualTo(201);
        String id = org.json().get("id").asText();
        ApiClient.Response on = client.patch("/api/v1/organizations/" + id, TestServer.ADMIN_TOKEN, "{\"scimEnabled\":true}");
        assertThat(on.status()).as(on.text()).isEqualTo(200);
        ApiClient.Response tok = client.post("/api/v1/organizations/" + id + "/scim-tokens", TestServer.ADMIN_TOKEN,
                "{\"description\":\"test\",\"ttlDays\":30}");
        assertThat(tok.status()).as(tok.text()).isEqualTo(201);
        return new TestOrg(id, tok.json().get("token").asText());
    }
}
