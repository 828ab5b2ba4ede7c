package io.hanzo.kms.scim.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

/** The admin API: organisations, their SCIM switch, and their SCIM tokens. */
@ExtendWith(VertxExtension.class)
class AdminApiIT {
    private static final String ORGS = "/api/v1/organizations";
    private static final String ADMIN = TestServer.ADMIN_TOKEN;
    private static final String ERROR_URN = "urn:ietf:params:scim:api:messages:2.0:Error";

    private static ApiClient client;

    @BeforeAll
    static void start(Vertx vertx) {
        client = new ApiClient(vertx, TestServer.shared().port());
    }

    @AfterAll
    static void stop() {
        client.close();
    }

    private static JsonNode createOrg(String name, String plan) {
        ApiClient.Response r = client.post(ORGS, ADMIN, "{\"name\":\"" + name + "\",\"plan\":\"" + plan + "\"}");
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        return r.json();
    }

    private static String paidOrgWithScim(String name) {
        String id = createOrg(name, "pro").get("id").asText();
        ApiClient.Response on = client.patch(ORGS + "/" + id, ADMIN, "{\"scimEnabled\":true}");
        assertThat(on.status()).as(on.text()).isEqualTo(200);
        return id;
    }

    private static JsonNode createToken(String orgId, String body) {
        ApiClient.Response r = client.post(ORGS + "/" + orgId + "/scim-tokens", ADMIN, body);
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        return r.json();
    }

    private static void assertBadRequest(ApiClient.Response r) {
        assertThat(r.status()).as(r.text()).isEqualTo(400);
        JsonNode body = r.json();
        assertThat(body.path("detail").asText()).as(r.text()).isNotBlank();
        assertThat(body.path("status").asText()).isEqualTo("400");
    }

    private static List<String> fieldNames(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }

    // ---- organisations ----

    @Test
    void createOrganizationReturns201WithItsRepresentation() {
        ApiClient.Response r = client.post(ORGS, ADMIN, "{\"name\":\"Acme Admin\",\"plan\":\"pro\"}");
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        JsonNode org = r.json();
        String id = org.path("id").asText();
        assertThat(UUID.fromString(id).toString()).isEqualTo(id);
        assertThat(org.path("name").asText()).isEqualTo("Acme Admin");
        assertThat(org.path("plan").asText()).isEqualTo("pro");
        assertThat(org.path("scimEnabled").isBoolean()).isTrue();
        assertThat(org.path("scimEnabled").booleanValue()).isFalse();
        assertThat(r.header("Content-Type")).startsWith("application/json");
    }

    /**
     * The list pages by name, each page with the cursor of the next: with thousands of organisations
     * a list cut at 100 without a cursor left the rest out, and limit and cursor were ignored.
     */
    @Test
    void listingOrganizationsPagesByNameWithACursor() {
        String marker = "Paged " + UUID.randomUUID();
        List<String> ids = new ArrayList<>();
        for (String n : List.of("e", "B", "d", "a", "C")) {
            ids.add(createOrg(marker + " " + n, "free").get("id").asText());
        }
        List<String> names = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            ApiClient.Response r = client.get(ORGS + "?limit=2&name=" + ApiClient.encode(marker)
                    + (cursor == null ? "" : "&cursor=" + cursor), ADMIN);
            assertThat(r.status()).as(r.text()).isEqualTo(200);
            JsonNode list = r.json().path("organizations");
            assertThat(list.size()).as(r.text()).isBetween(1, 2);
            list.forEach(o -> names.add(o.path("name").asText().substring(marker.length() + 1)));
            assertThat(r.json().has("nextCursor")).isTrue();
            cursor = r.json().path("nextCursor").isNull() ? null : r.json().path("nextCursor").asText();
            pages++;
        } while (cursor != null && pages < 10);
        assertThat(pages).isEqualTo(3);
        assertThat(names).containsExactly("a", "B", "C", "d", "e");

        // A cursor naming an organisation this instance has not heard of yet (created through another
        // instance a moment ago; here written without a notification) pages on from it.
        UUID unheard = UUID.randomUUID();
        try (Connection c = MembershipDb.connect();
             PreparedStatement insert = c.prepareStatement("INSERT INTO organizations (id, name, plan, "
                     + "scim_enabled, created_at, updated_at) VALUES (?, ?, 'free', false, now(), now())")) {
            insert.setObject(1, unheard);
            insert.setString(2, marker + " c2");
            insert.executeUpdate();
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
        ApiClient.Response after = client.get(ORGS + "?limit=2&name=" + ApiClient.encode(marker) + "&cursor=" + unheard, ADMIN);
        assertThat(after.status()).as(after.text()).isEqualTo(200);
        assertThat(after.json().path("organizations").findValuesAsText("name"))
                .containsExactly(marker + " d", marker + " e");

        assertBadRequest(client.get(ORGS + "?limit=0", ADMIN));
        assertBadRequest(client.get(ORGS + "?limit=501", ADMIN));
        assertBadRequest(client.get(ORGS + "?cursor=not-a-cursor", ADMIN));
        assertBadRequest(client.get(ORGS + "?cursor=" + UUID.randomUUID(), ADMIN));
    }

    @Test
    void createOrganizationWithoutPlanDefaultsToFree() {
        ApiClient.Response r = client.post(ORGS, ADMIN, "{\"name\":\"No Plan Given\"}");
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        assertThat(r.json().path("plan").asText()).isEqualTo("free");
        assertThat(r.json().path("scimEnabled").booleanValue()).isFalse();
    }

    @Test
    void createOrganizationWithUnknownPlanIs400() {
        ApiClient.Response r = client.post(ORGS, ADMIN, "{\"name\":\"Bad Plan\",\"plan\":\"platinum\"}");
        assertBadRequest(r);
        assertThat(r.json().path("detail").asText()).contains("plan");
    }

    @Test
    void createOrganizationWithoutNameIs400() {
        ApiClient.Response r = client.post(ORGS, ADMIN, "{\"plan\":\"pro\"}");
        assertBadRequest(r);
        assertThat(r.json().path("detail").asText()).contains("name");
    }

    @Test
    void createOrganizationWithEmptyNameIs400() {
        assertBadRequest(client.post(ORGS, ADMIN, "{\"name\":\"   \",\"plan\":\"pro\"}"));
    }

    @Test
    void createOrganizationWithANameOfUnicodeSpacesOrAnUnpairedSurrogateIs400() {
        assertBadRequest(client.post(ORGS, ADMIN, "{\"name\":\"\u00a0\u2003\",\"plan\":\"pro\"}"));
        ApiClient.Response surrogate = client.post(ORGS, ADMIN, "{\"name\":\"Acme \\ud800\",\"plan\":\"pro\"}");
        assertBadRequest(surrogate);
        assertThat(surrogate.json().path("detail").asText()).contains("surrogate");
    }

    @Test
    void createOrganizationWithNonStringNameIs400() {
        assertBadRequest(client.post(ORGS, ADMIN, "{\"name\":42,\"plan\":\"pro\"}"));
    }

    @Test
    void createOrganizationWithNonObjectBodyIs400() {
        assertBadRequest(client.post(ORGS, ADMIN, "[\"name\",\"plan\"]"));
        assertBadRequest(client.post(ORGS, ADMIN, "\"Acme\""));
        assertBadRequest(client.post(ORGS, ADMIN, "42"));
    }

    @Test
    void createOrganizationWithMalformedJsonIs400() {
        assertBadRequest(client.post(ORGS, ADMIN, "{\"name\":\"Acme\",\"plan\":"));
        assertBadRequest(client.post(ORGS, ADMIN, "{name: 'Acme'}"));
    }

    @Test
    void createOrganizationWithUnknownFieldIs400NamingIt() {
        ApiClient.Response r = client.post(ORGS, ADMIN, "{\"name\":\"Acme\",\"plan\":\"pro\",\"owner\":\"bob\"}");
        assertBadRequest(r);
        assertThat(r.json().path("detail").asText()).contains("owner");
    }

    @Test
    void getOrganizationReturnsWhatWasCreated() {
        JsonNode created = createOrg("Fetch Me", "enterprise");
        String id = created.get("id").asText();
        ApiClient.Response r = client.get(ORGS + "/" + id, ADMIN);
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        JsonNode org = r.json();
        assertThat(org.path("id").asText()).isEqualTo(id);
        assertThat(org.path("name").asText()).isEqualTo("Fetch Me");
        assertThat(org.path("plan").asText()).isEqualTo("enterprise");
        assertThat(org.path("scimEnabled").booleanValue()).isFalse();
    }

    @Test
    void unknownOrganizationIs404() {
        ApiClient.Response random = client.get(ORGS + "/" + UUID.randomUUID(), ADMIN);
        assertThat(random.status()).as(random.text()).isEqualTo(404);
        assertThat(random.json().path("detail").asText()).isNotBlank();

        ApiClient.Response abc = client.get(ORGS + "/abc", ADMIN);
        assertThat(abc.status()).as(abc.text()).isEqualTo(404);

        ApiClient.Response patch = client.patch(ORGS + "/" + UUID.randomUUID(), ADMIN, "{\"scimEnabled\":true}");
        assertThat(patch.status()).as(patch.text()).isEqualTo(404);

        ApiClient.Response tokens = client.get(ORGS + "/abc/scim-tokens", ADMIN);
        assertThat(tokens.status()).as(tokens.text()).isEqualTo(404);

        ApiClient.Response newToken = client.post(ORGS + "/" + UUID.randomUUID() + "/scim-tokens", ADMIN,
                "{\"description\":\"x\",\"ttlDays\":1}");
        assertThat(newToken.status()).as(newToken.text()).isEqualTo(404);
    }

    @Test
    void enablingScimOnFreePlanIsRefusedAsPaidFeature() {
        String id = createOrg("Free Org", "free").get("id").asText();
        ApiClient.Response r = client.patch(ORGS + "/" + id, ADMIN, "{\"scimEnabled\":true}");
        assertThat(r.status()).as(r.text()).isBetween(400, 499);
        assertThat(r.json().path("detail").asText()).containsIgnoringCase("paid");

        ApiClient.Response after = client.get(ORGS + "/" + id, ADMIN);
        assertThat(after.status()).isEqualTo(200);
        assertThat(after.json().path("scimEnabled").booleanValue()).isFalse();
    }

    @Test
    void disablingScimOnFreePlanIsAllowed() {
        String id = createOrg("Free Org Off", "free").get("id").asText();
        ApiClient.Response r = client.patch(ORGS + "/" + id, ADMIN, "{\"scimEnabled\":false}");
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.json().path("scimEnabled").booleanValue()).isFalse();
    }

    @Test
    void enablingScimOnProPlanSucceeds() {
        String id = createOrg("Pro Org", "pro").get("id").asText();
        ApiClient.Response r = client.patch(ORGS + "/" + id, ADMIN, "{\"scimEnabled\":true}");
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.json().path("id").asText()).isEqualTo(id);
        assertThat(r.json().path("scimEnabled").booleanValue()).isTrue();

        ApiClient.Response after = client.get(ORGS + "/" + id, ADMIN);
        assertThat(after.json().path("scimEnabled").booleanValue()).isTrue();

        ApiClient.Response off = client.patch(ORGS + "/" + id, ADMIN, "{\"scimEnabled\":false}");
        assertThat(off.status()).as(off.text()).isEqualTo(200);
        assertThat(off.json().path("scimEnabled").booleanValue()).isFalse();
    }

    @Test
    void patchWithNonBooleanScimEnabledIs400() {
        String id = createOrg("Yes Org", "pro").get("id").asText();
        assertBadRequest(client.patch(ORGS + "/" + id, ADMIN, "{\"scimEnabled\":\"yes\"}"));
        assertBadRequest(client.patch(ORGS + "/" + id, ADMIN, "{\"scimEnabled\":1}"));
        assertBadRequest(client.patch(ORGS + "/" + id, ADMIN, "{}"));
        assertBadRequest(client.patch(ORGS + "/" + id, ADMIN, "{\"scimEnabled\":true,\"plan\":\"gold\"}"));
        ApiClient.Response paidOnly = client.patch(ORGS + "/" + id, ADMIN, "{\"scimEnabled\":true,\"plan\":\"free\"}");
        assertThat(paidOnly.status()).as(paidOnly.text()).isEqualTo(403);
        JsonNode unchanged = client.get(ORGS + "/" + id, ADMIN).json();
        assertThat(unchanged.path("scimEnabled").booleanValue()).isFalse();
        assertThat(unchanged.path("plan").asText()).isEqualTo("pro");
    }

    /**
     * A PATCH or a mappings PUT that changes nothing writes nothing: updated_at stays, and no other
     * instance is told to reload. Notifications reach a listener in commit order, whatever their
     * channel: once a marker sent after the requests has arrived, so has every notification they sent.
     */
    @Test
    void aChangeThatChangesNothingWritesNothing() throws Exception {
        String id = paidOrgWithScim("Unchanged Org");
        String mappings = ORGS + "/" + id + "/group-role-mappings";
        String set = "{\"defaultRole\":\"viewer\",\"mappings\":[{\"group\":\"Ops\",\"role\":\"admin\"}]}";
        ApiClient.Response first = client.put(mappings, ADMIN, set);
        assertThat(first.status()).as(first.text()).isEqualTo(200);
        JsonNode before = client.get(ORGS + "/" + id, ADMIN).json();
        Instant updatedAt = updatedAt(id);
        try (Connection listening = MembershipDb.connect(); Statement s = listening.createStatement()) {
            s.execute("LISTEN kms_admin_changes");
            s.execute("LISTEN admin_api_it_marker");
            ApiClient.Response same = client.patch(ORGS + "/" + id, ADMIN, "{\"plan\":\"pro\",\"scimEnabled\":true}");
            assertThat(same.status()).as(same.text()).isEqualTo(200);
            assertThat(same.json()).isEqualTo(before);
            assertThat(client.patch(ORGS + "/" + id, ADMIN, "{\"scimEnabled\":true}").json()).isEqualTo(before);
            ApiClient.Response sameMappings = client.put(mappings, ADMIN, set);
            assertThat(sameMappings.status()).as(sameMappings.text()).isEqualTo(200);
            assertThat(sameMappings.json()).isEqualTo(first.json());
            assertThat(updatedAt(id)).isEqualTo(updatedAt);
            // A real change is announced, as before.
            ApiClient.Response off = client.patch(ORGS + "/" + id, ADMIN, "{\"scimEnabled\":false}");
            assertThat(off.status()).as(off.text()).isEqualTo(200);
            assertThat(updatedAt(id)).isAfter(updatedAt);
            try (Connection c = MembershipDb.connect(); Statement marker = c.createStatement()) {
                marker.execute("NOTIFY admin_api_it_marker");
            }
            List<String> seen = new ArrayList<>();
            Polling.until(Duration.ofSeconds(10), () -> {
                notifications(listening).stream().filter(n -> n.contains(id) || n.startsWith("admin_api_it_marker"))
                        .forEach(seen::add);
                assertThat(seen).contains("admin_api_it_marker");
            });
            assertThat(seen).containsExactly("kms_admin_changes org:" + id, "admin_api_it_marker");
        }
    }

    private static Instant updatedAt(String orgId) throws SQLException {
        try (Connection c = MembershipDb.connect();
             PreparedStatement ps = c.prepareStatement("SELECT updated_at FROM organizations WHERE id = ?")) {
            ps.setObject(1, UUID.fromString(orgId));
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                return rs.getObject(1, OffsetDateTime.class).toInstant();
            }
        }
    }

    /** The notifications that reached the listening connection since the last call, as "channel payload". */
    private static List<String> notifications(Connection listening) {
        try {
            List<String> out = new ArrayList<>();
            PGNotification[] got = listening.unwrap(PGConnection.class).getNotifications(100);
            for (PGNotification n : got == null ? new PGNotification[0] : got) {
                out.add((n.getName() + " " + n.getParameter()).trim());
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- tokens ----

    @Test
    void createTokenReturnsSecretOnceWithScimUrlAndExpiry() {
        String orgId = paidOrgWithScim("Token Org");
        ApiClient.Response r = client.post(ORGS + "/" + orgId + "/scim-tokens", ADMIN,
                "{\"description\":\"Okta connector\",\"ttlDays\":90}");
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        JsonNode t = r.json();
        assertThat(t.path("id").asText()).isNotBlank();
        assertThat(UUID.fromString(t.path("id").asText()).toString()).isEqualTo(t.path("id").asText());
        assertThat(t.path("token").asText()).isNotBlank().hasSizeGreaterThan(32);
        assertThat(t.path("description").asText()).isEqualTo("Okta connector");
        assertThat(t.path("scimUrl").asText()).isEqualTo(TestServer.shared().baseUrl() + "/api/v1/scim");
        Instant created = Instant.parse(t.path("createdAt").asText());
        Instant expires = Instant.parse(t.path("expiresAt").asText());
        assertThat(created).isBetween(Instant.now().minusSeconds(60), Instant.now().plusSeconds(5));
        assertThat(Duration.between(created, expires).minus(Duration.ofDays(90)).abs())
                .isLessThanOrEqualTo(Duration.ofSeconds(1));

        ApiClient.Response use = client.get(TestOrg.SCIM + "/Users", t.path("token").asText());
        assertThat(use.status()).as(use.text()).isEqualTo(200);
    }

    @Test
    void tokenWithTtlZeroNeverExpires() {
        String orgId = paidOrgWithScim("Forever Org");
        JsonNode t = createToken(orgId, "{\"description\":\"forever\",\"ttlDays\":0}");
        assertThat(t.has("expiresAt")).isTrue();
        assertThat(t.get("expiresAt").isNull()).isTrue();
    }

    @Test
    void tokenWithMaximumTtlIsAccepted() {
        String orgId = paidOrgWithScim("Max Ttl Org");
        JsonNode t = createToken(orgId, "{\"description\":\"long\",\"ttlDays\":730}");
        Instant created = Instant.parse(t.path("createdAt").asText());
        Instant expires = Instant.parse(t.path("expiresAt").asText());
        assertThat(Duration.between(created, expires).minus(Duration.ofDays(730)).abs())
                .isLessThanOrEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void tokenWithInvalidTtlIs400() {
        String orgId = paidOrgWithScim("Bad Ttl Org");
        String path = ORGS + "/" + orgId + "/scim-tokens";
        for (String ttl : List.of("-1", "731", "1.5", "\"x\"", "\"30\"", "true")) {
            ApiClient.Response r = client.post(path, ADMIN, "{\"description\":\"bad\",\"ttlDays\":" + ttl + "}");
            assertThat(r.status()).as("ttlDays " + ttl + ": " + r.text()).isEqualTo(400);
            assertThat(r.json().path("detail").asText()).as("ttlDays " + ttl).contains("ttlDays");
        }
        ApiClient.Response list = client.get(path, ADMIN);
        assertThat(list.json().path("tokens").size()).isZero();
    }

    @Test
    void tokenWithNoBodyTakesTheDefaults() {
        String orgId = paidOrgWithScim("No Body Token Org");
        ApiClient.Response r = client.post(ORGS + "/" + orgId + "/scim-tokens", ADMIN, null);
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        assertThat(r.json().path("description").asText()).isEmpty();
        assertThat(r.json().path("token").asText()).startsWith("kms_scim_");
        assertThat(client.get(TestOrg.SCIM + "/Users", r.json().path("token").asText()).status()).isEqualTo(200);
    }

    @Test
    void tokenWithUnknownFieldOrBadBodyIs400() {
        String orgId = paidOrgWithScim("Bad Token Body Org");
        String path = ORGS + "/" + orgId + "/scim-tokens";
        assertBadRequest(client.post(path, ADMIN, "{\"description\":\"x\",\"scopes\":[\"all\"]}"));
        assertBadRequest(client.post(path, ADMIN, "[]"));
        assertBadRequest(client.post(path, ADMIN, "{\"description\":"));
        assertBadRequest(client.post(path, ADMIN, "{\"description\":7}"));
    }

    @Test
    void tokenListShowsMetadataButNeverTheSecretOrItsHash() throws Exception {
        String orgId = paidOrgWithScim("List Org");
        JsonNode first = createToken(orgId, "{\"description\":\"first\",\"ttlDays\":10}");
        JsonNode second = createToken(orgId, "{\"description\":\"second\",\"ttlDays\":0}");

        ApiClient.Response r = client.get(ORGS + "/" + orgId + "/scim-tokens", ADMIN);
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        JsonNode tokens = r.json().path("tokens");
        assertThat(tokens.isArray()).isTrue();
        assertThat(tokens.size()).isEqualTo(2);
        List<String> ids = new ArrayList<>();
        for (JsonNode t : tokens) {
            ids.add(t.path("id").asText());
            assertThat(fieldNames(t)).containsExactlyInAnyOrder("id", "description", "createdAt", "expiresAt", "lastUsedAt",
                    "expired", "expiringSoon");
            assertThat(t.get("lastUsedAt").isNull()).isTrue();
        }
        assertThat(ids).containsExactlyInAnyOrder(first.path("id").asText(), second.path("id").asText());
        JsonNode listedFirst = tokens.get(ids.indexOf(first.path("id").asText()));
        assertThat(listedFirst.path("description").asText()).isEqualTo("first");
        assertThat(listedFirst.path("createdAt").asText()).isEqualTo(first.path("createdAt").asText());
        assertThat(listedFirst.path("expiresAt").asText()).isEqualTo(first.path("expiresAt").asText());
        JsonNode listedSecond = tokens.get(ids.indexOf(second.path("id").asText()));
        assertThat(listedSecond.get("expiresAt").isNull()).isTrue();

        for (JsonNode issued : List.of(first, second)) {
            String secret = issued.path("token").asText();
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
            assertThat(r.text())
                    .doesNotContain(secret)
                    .doesNotContain(secret.substring(secret.length() - 20))
                    .doesNotContainIgnoringCase(HexFormat.of().formatHex(hash))
                    .doesNotContain(Base64.getEncoder().encodeToString(hash))
                    .doesNotContain(Base64.getUrlEncoder().withoutPadding().encodeToString(hash));
        }
        assertThat(r.text()).doesNotContain("\"token\"").doesNotContainIgnoringCase("hash");
    }

    @Test
    void tokenListShowsLastUseAfterTheTokenIsUsed() {
        String orgId = paidOrgWithScim("Last Use Org");
        JsonNode issued = createToken(orgId, "{\"description\":\"used\",\"ttlDays\":5}");
        JsonNode unused = createToken(orgId, "{\"description\":\"unused\",\"ttlDays\":5}");
        Instant before = Instant.now().minusSeconds(2);

        ApiClient.Response scim = client.get(TestOrg.SCIM + "/Users", issued.path("token").asText());
        assertThat(scim.status()).as(scim.text()).isEqualTo(200);

        JsonNode tokens = client.get(ORGS + "/" + orgId + "/scim-tokens", ADMIN).json().path("tokens");
        JsonNode used = null;
        JsonNode other = null;
        for (JsonNode t : tokens) {
            if (t.path("id").asText().equals(issued.path("id").asText())) {
                used = t;
            }
            if (t.path("id").asText().equals(unused.path("id").asText())) {
                other = t;
            }
        }
        assertThat(used).isNotNull();
        assertThat(other).isNotNull();
        assertThat(used.path("lastUsedAt").isTextual()).as(used.toString()).isTrue();
        assertThat(Instant.parse(used.path("lastUsedAt").asText())).isBetween(before, Instant.now().plusSeconds(2));
        assertThat(other.get("lastUsedAt").isNull()).isTrue();
    }

    @Test
    void deletedTokenIsRefusedOnTheNextRequestAndDeletingAgainIs404() throws InterruptedException {
        String orgId = paidOrgWithScim("Revoke Org");
        JsonNode issued = createToken(orgId, "{\"description\":\"to revoke\",\"ttlDays\":30}");
        JsonNode kept = createToken(orgId, "{\"description\":\"kept\",\"ttlDays\":30}");
        String secret = issued.path("token").asText();
        String tokenPath = ORGS + "/" + orgId + "/scim-tokens/" + issued.path("id").asText();

        assertThat(client.get(TestOrg.SCIM + "/Users", secret).status()).isEqualTo(200);

        ApiClient.Response del = client.delete(tokenPath, ADMIN);
        assertThat(del.status()).as(del.text()).isEqualTo(204);
        assertThat(del.text()).isNullOrEmpty();

        ApiClient.Response refused = client.get(TestOrg.SCIM + "/Users", secret);
        assertThat(refused.status()).as(refused.text()).isEqualTo(401);
        assertThat(refused.header("WWW-Authenticate")).isNotBlank();
        // The organisation's admin sees the refusal, with the token (recorded after the answer, a
        // moment later or, on a loaded machine, seconds later).
        AtomicReference<JsonNode> refusal = new AtomicReference<>();
        Polling.until(Duration.ofSeconds(10), () -> {
            JsonNode events = client.get(ORGS + "/" + orgId + "/scim-events?outcome=refused", ADMIN).json().path("events");
            assertThat(events).as("the revoked token's refusal among the events").isNotEmpty();
            refusal.set(events.get(0));
        });
        JsonNode event = refusal.get();
        assertThat(event.path("status").asInt()).as(event.toString()).isEqualTo(401);
        assertThat(event.path("tokenId").asText()).isEqualTo(issued.path("id").asText());
        assertThat(event.path("detail").asText()).contains("revoked");
        // Once a minute per retired token, however often a client still sends it.
        for (int i = 0; i < 3; i++) {
            assertThat(client.get(TestOrg.SCIM + "/Users", secret).status()).isEqualTo(401);
        }
        Thread.sleep(500);
        JsonNode refusals = client.get(ORGS + "/" + orgId + "/scim-events?outcome=refused", ADMIN).json().path("events");
        assertThat(refusals.size()).as(refusals.toString()).isEqualTo(1);

        ApiClient.Response again = client.delete(tokenPath, ADMIN);
        assertThat(again.status()).as(again.text()).isEqualTo(404);

        JsonNode tokens = client.get(ORGS + "/" + orgId + "/scim-tokens", ADMIN).json().path("tokens");
        assertThat(tokens.size()).isEqualTo(1);
        assertThat(tokens.get(0).path("id").asText()).isEqualTo(kept.path("id").asText());
        assertThat(client.get(TestOrg.SCIM + "/Users", kept.path("token").asText()).status()).isEqualTo(200);
    }

    @Test
    void deletingUnknownOrForeignTokenIs404() {
        String orgA = paidOrgWithScim("Token Owner");
        String orgB = paidOrgWithScim("Token Thief");
        JsonNode issued = createToken(orgA, "{\"description\":\"a\",\"ttlDays\":30}");

        ApiClient.Response foreign = client.delete(ORGS + "/" + orgB + "/scim-tokens/" + issued.path("id").asText(), ADMIN);
        assertThat(foreign.status()).as(foreign.text()).isEqualTo(404);
        assertThat(client.get(TestOrg.SCIM + "/Users", issued.path("token").asText()).status()).isEqualTo(200);

        assertThat(client.delete(ORGS + "/" + orgA + "/scim-tokens/" + UUID.randomUUID(), ADMIN).status()).isEqualTo(404);
        assertThat(client.delete(ORGS + "/" + orgA + "/scim-tokens/abc", ADMIN).status()).isEqualTo(404);
    }

    @Test
    void adminEndpointsRequireTheAdminToken() {
        String orgId = createOrg("Guarded Org", "pro").get("id").asText();
        List<ApiClient.Response> refused = new ArrayList<>();
        for (String token : new String[] {null, "wrong-admin-token", ADMIN + "x", ""}) {
            refused.add(client.post(ORGS, token, "{\"name\":\"Intruder\",\"plan\":\"pro\"}"));
            refused.add(client.get(ORGS + "/" + orgId, token));
            refused.add(client.patch(ORGS + "/" + orgId, token, "{\"scimEnabled\":true}"));
            refused.add(client.post(ORGS + "/" + orgId + "/scim-tokens", token, "{\"description\":\"x\",\"ttlDays\":1}"));
            refused.add(client.get(ORGS + "/" + orgId + "/scim-tokens", token));
            refused.add(client.delete(ORGS + "/" + orgId + "/scim-tokens/" + UUID.randomUUID(), token));
        }
        for (ApiClient.Response r : refused) {
            assertThat(r.status()).as(r.text()).isEqualTo(401);
            assertThat(r.header("WWW-Authenticate")).isNotBlank();
            assertThat(r.json().path("schemas").toString()).contains(ERROR_URN);
        }
        JsonNode org = client.get(ORGS + "/" + orgId, ADMIN).json();
        assertThat(org.path("scimEnabled").booleanValue()).isFalse();
        assertThat(client.get(ORGS + "/" + orgId + "/scim-tokens", ADMIN).json().path("tokens").size()).isZero();
    }

    @Test
    void scimTokenIsNotAnAdminToken() {
        String orgId = paidOrgWithScim("Scim Not Admin");
        String secret = createToken(orgId, "{\"description\":\"scim\",\"ttlDays\":1}").path("token").asText();
        ApiClient.Response r = client.get(ORGS + "/" + orgId, secret);
        assertThat(r.status()).as(r.text()).isEqualTo(401);
    }
}
