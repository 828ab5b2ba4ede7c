package io.hanzo.kms.scim.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.hanzo.kms.scim.store.pg.DatabaseTarget;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;

/** Who may call the SCIM API: bearer tokens, their organisation, and the organisation's SCIM switch. */
@ExtendWith(VertxExtension.class)
class ScimAuthIT {
    private static final String ORGS = "/api/v1/organizations";
    private static final String ADMIN = TestServer.ADMIN_TOKEN;
    private static final String USERS = TestOrg.SCIM + "/Users";
    private static final String ERROR_URN = "urn:ietf:params:scim:api:messages:2.0:Error";

    private static ApiClient client;
    private static WebClient raw;

    @BeforeAll
    static void start(Vertx vertx) {
        client = new ApiClient(vertx, TestServer.shared().port());
        raw = WebClient.create(vertx);
    }

    @AfterAll
    static void stop() {
        client.close();
        raw.close();
    }

    /** A GET with the Authorization header exactly as given (none when null). */
    private static ApiClient.Response withAuthorization(int port, String path, String authorization) {
        HttpRequest<Buffer> req = raw.request(HttpMethod.GET, port, "localhost", path);
        if (authorization != null) {
            req.putHeader("Authorization", authorization);
        }
        return ApiClient.await(req.send().map(r -> new ApiClient.Response(r.statusCode(), r.headers(), r.bodyAsString())));
    }

    private static ApiClient.Response withAuthorization(String path, String authorization) {
        return withAuthorization(TestServer.shared().port(), path, authorization);
    }

    private static void assertScimError(ApiClient.Response r, int status) {
        assertThat(r.status()).as(r.text()).isEqualTo(status);
        assertThat(r.header("Content-Type")).as("Content-Type").startsWith("application/scim+json");
        JsonNode body = r.json();
        assertThat(body.path("schemas").isArray()).as(r.text()).isTrue();
        assertThat(body.path("schemas").toString()).contains(ERROR_URN);
        assertThat(body.path("status").isTextual()).as("status is a string: " + r.text()).isTrue();
        assertThat(body.path("status").asText()).isEqualTo(Integer.toString(status));
        assertThat(body.path("detail").asText()).isNotBlank();
        if (status == 401) {
            assertThat(r.header("WWW-Authenticate")).as("WWW-Authenticate").isNotBlank().startsWithIgnoringCase("Bearer");
        }
    }

    private static String createOrg(String name, String plan) {
        ApiClient.Response r = client.post(ORGS, ADMIN, "{\"name\":\"" + name + "\",\"plan\":\"" + plan + "\"}");
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        return r.json().get("id").asText();
    }

    private static void setScim(String orgId, boolean enabled) {
        ApiClient.Response r = client.patch(ORGS + "/" + orgId, ADMIN, "{\"scimEnabled\":" + enabled + "}");
        assertThat(r.status()).as(r.text()).isEqualTo(200);
    }

    private static JsonNode newToken(String orgId, int ttlDays) {
        ApiClient.Response r = client.post(ORGS + "/" + orgId + "/scim-tokens", ADMIN,
                "{\"description\":\"auth test\",\"ttlDays\":" + ttlDays + "}");
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        return r.json();
    }

    private static String createUser(TestOrg org, String userName) {
        ApiClient.Response r = client.post(USERS, org.token(), "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],"
                + "\"userName\":\"" + userName + "\",\"emails\":[{\"value\":\"" + userName + "\",\"type\":\"work\"}]}");
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        return r.json().get("id").asText();
    }

    @Test
    void missingAuthorizationIs401() {
        assertScimError(withAuthorization(USERS, null), 401);
        assertScimError(withAuthorization(TestOrg.SCIM + "/ServiceProviderConfig", null), 401);
        assertScimError(client.post(USERS, null, "{\"userName\":\"nobody@example.com\"}"), 401);
    }

    @Test
    void basicSchemeIs401() {
        String basic = "Basic " + Base64.getEncoder().encodeToString("admin:secret".getBytes(StandardCharsets.UTF_8));
        assertScimError(withAuthorization(USERS, basic), 401);
    }

    @Test
    void bearerWithoutTokenIs401() {
        assertScimError(withAuthorization(USERS, "Bearer"), 401);
        assertScimError(withAuthorization(USERS, "Bearer "), 401);
        assertScimError(withAuthorization(USERS, "Bearer    "), 401);
    }

    @Test
    void garbageTokenIs401() {
        assertScimError(withAuthorization(USERS, "Bearer garbage"), 401);
        assertScimError(withAuthorization(USERS, "Bearer kms_scim_"), 401);
        assertScimError(withAuthorization(USERS, "Bearer kms_scim_!!!not-base64!!!"), 401);
        assertScimError(withAuthorization(USERS, "Token abc"), 401);
        assertScimError(withAuthorization(USERS, "Bearerkms_scim_abc"), 401);
    }

    @Test
    void wellFormedTokenOfAnotherFormatIs401() {
        String jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
                + ".eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ"
                + ".SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
        assertScimError(withAuthorization(USERS, "Bearer " + jwt), 401);
        assertScimError(withAuthorization(USERS, "Bearer 0123456789abcdef0123456789abcdef"), 401);
    }

    @Test
    void tokenOfOurFormatWithUnknownIdsOrWrongSecretIs401() {
        TestOrg org = TestOrg.create(client, "Forged Tokens");
        byte[] random = new byte[64];
        new java.security.SecureRandom().nextBytes(random);
        assertScimError(withAuthorization(USERS, "Bearer kms_scim_"
                + Base64.getUrlEncoder().withoutPadding().encodeToString(random)), 401);

        byte[] real = Base64.getUrlDecoder().decode(org.token().substring("kms_scim_".length()));
        assertThat(real.length).isEqualTo(64);
        byte[] forged = real.clone();
        forged[63] ^= 0x01;
        assertScimError(withAuthorization(USERS, "Bearer kms_scim_"
                + Base64.getUrlEncoder().withoutPadding().encodeToString(forged)), 401);

        UUID orgId = UUID.fromString(org.id());
        ByteBuffer b = ByteBuffer.allocate(64).putLong(orgId.getMostSignificantBits()).putLong(orgId.getLeastSignificantBits())
                .putLong(UUID.randomUUID().getMostSignificantBits()).putLong(UUID.randomUUID().getLeastSignificantBits());
        b.put(real, 32, 32);
        assertScimError(withAuthorization(USERS, "Bearer kms_scim_"
                + Base64.getUrlEncoder().withoutPadding().encodeToString(b.array())), 401);

        assertScimError(withAuthorization(USERS, "Bearer " + org.token() + "x"), 401);
        assertThat(withAuthorization(USERS, "Bearer " + org.token()).status()).isEqualTo(200);
    }

    @Test
    void lowerCaseBearerSchemeIsAccepted() {
        TestOrg org = TestOrg.create(client, "Lower Case Bearer");
        ApiClient.Response lower = withAuthorization(USERS, "bearer " + org.token());
        assertThat(lower.status()).as(lower.text()).isEqualTo(200);
        ApiClient.Response upper = withAuthorization(USERS, "BEARER " + org.token());
        assertThat(upper.status()).as(upper.text()).isEqualTo(200);
    }

    @Test
    void revokedTokenIs401() {
        TestOrg org = TestOrg.create(client, "Revoked Token");
        JsonNode second = newToken(org.id(), 30);
        String secret = second.path("token").asText();
        assertThat(client.get(USERS, secret).status()).isEqualTo(200);

        ApiClient.Response del = client.delete(ORGS + "/" + org.id() + "/scim-tokens/" + second.path("id").asText(), ADMIN);
        assertThat(del.status()).as(del.text()).isEqualTo(204);

        assertScimError(client.get(USERS, secret), 401);
        assertScimError(client.post(USERS, secret, "{\"userName\":\"after.revoke@example.com\"}"), 401);
        assertThat(client.get(USERS, org.token()).status()).isEqualTo(200);
    }

    @Test
    void organisationWithScimSwitchedOffIs403UntilSwitchedOn() {
        String orgId = createOrg("Switch Org", "pro");
        String secret = newToken(orgId, 30).path("token").asText();

        ApiClient.Response off = client.get(USERS, secret);
        assertScimError(off, 403);

        setScim(orgId, true);
        ApiClient.Response on = client.get(USERS, secret);
        assertThat(on.status()).as(on.text()).isEqualTo(200);

        setScim(orgId, false);
        assertScimError(client.get(USERS, secret), 403);
        assertScimError(client.post(USERS, secret, "{\"userName\":\"while.off@example.com\"}"), 403);

        setScim(orgId, true);
        ApiClient.Response again = client.get(USERS, secret);
        assertThat(again.status()).as(again.text()).isEqualTo(200);
        assertThat(again.json().path("totalResults").asInt()).isZero();
    }

    @Test
    void tokenOfFreePlanOrganisationIs403AsPaidFeature() {
        String orgId = createOrg("Free Token Org", "free");
        String secret = newToken(orgId, 30).path("token").asText();
        ApiClient.Response r = client.get(USERS, secret);
        assertScimError(r, 403);
        assertThat(r.json().path("detail").asText()).containsIgnoringCase("paid");
    }

    @Test
    void tokenOfOneOrganisationCannotReachAnotherOrganisationsUsers() {
        TestOrg a = TestOrg.create(client, "Tenant A");
        TestOrg b = TestOrg.create(client, "Tenant B");
        String idInB = createUser(b, "only.in.b@example.com");

        ApiClient.Response get = client.get(USERS + "/" + idInB, a.token());
        assertScimError(get, 404);
        assertThat(get.text()).doesNotContain("only.in.b@example.com");

        ApiClient.Response list = client.get(USERS + "?filter=" + ApiClient.encode("userName eq \"only.in.b@example.com\""), a.token());
        assertThat(list.status()).as(list.text()).isEqualTo(200);
        assertThat(list.json().path("totalResults").asInt()).isZero();
        assertThat(client.get(USERS, a.token()).json().path("totalResults").asInt()).isZero();

        assertScimError(client.put(USERS + "/" + idInB, a.token(),
                "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],\"userName\":\"hijacked@example.com\"}"), 404);
        assertScimError(client.patch(USERS + "/" + idInB, a.token(),
                "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"],"
                        + "\"Operations\":[{\"op\":\"replace\",\"path\":\"active\",\"value\":false}]}"), 404);
        assertScimError(client.delete(USERS + "/" + idInB, a.token()), 404);

        ApiClient.Response stillThere = client.get(USERS + "/" + idInB, b.token());
        assertThat(stillThere.status()).as(stillThere.text()).isEqualTo(200);
        assertThat(stillThere.json().path("userName").asText()).isEqualTo("only.in.b@example.com");
        assertThat(stillThere.json().path("active").asBoolean()).isTrue();
    }

    @Test
    void expiredTokenIs401OnAServerThatLoadsItFromTheDatabase() throws Exception {
        TestOrg org = TestOrg.create(client, "Expiring Token");
        JsonNode expiring = newToken(org.id(), 1);
        JsonNode revoked = newToken(org.id(), 1);
        String expiringSecret = expiring.path("token").asText();
        assertThat(client.get(USERS, expiringSecret).status()).isEqualTo(200);
        assertThat(client.delete(ORGS + "/" + org.id() + "/scim-tokens/" + revoked.path("id").asText(), ADMIN).status())
                .isEqualTo(204);

        DatabaseTarget db = TestServer.database();
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
             PreparedStatement st = c.prepareStatement("UPDATE scim_tokens SET expires_at = ? WHERE org_id = ? AND id = ?")) {
            st.setTimestamp(1, Timestamp.from(Instant.now().minusSeconds(60)));
            st.setObject(2, UUID.fromString(org.id()));
            st.setObject(3, UUID.fromString(expiring.path("id").asText()));
            assertThat(st.executeUpdate()).isEqualTo(1);
        }

        TestServer second = TestServer.start();
        try {
            ApiClient.Response expired = withAuthorization(second.port(), USERS, "Bearer " + expiringSecret);
            assertScimError(expired, 401);

            ApiClient.Response stillRevoked = withAuthorization(second.port(), USERS, "Bearer " + revoked.path("token").asText());
            assertScimError(stillRevoked, 401);

            ApiClient.Response valid = withAuthorization(second.port(), USERS, "Bearer " + org.token());
            assertThat(valid.status()).as(valid.text()).isEqualTo(200);
        } finally {
            second.stop();
        }
    }
}
