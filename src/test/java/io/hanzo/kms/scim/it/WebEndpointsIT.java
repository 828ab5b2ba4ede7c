package io.hanzo.kms.scim.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the web pages rely on, checked over plain HTTP (so also where no browser is installed): the
 * pages' security and caching headers, that they hold no inline code and every asset they name is
 * served, the set-up page's invitation read, the organisation lookup of the console, and the key
 * type a browser names in kdfParams.
 */
@ExtendWith(VertxExtension.class)
class WebEndpointsIT {
    private static final String ORGS = "/api/v1/organizations";
    private static final String INVITATION = "/api/v1/account/invitation";
    private static final String SETUP = "/api/v1/account/setup";
    private static final String RUN = HexFormat.of().formatHex(DeviceKeys.random(3));
    private static final List<String> PAGES = List.of("/console/", "/account/setup");

    private static InvitingServer running;

    @BeforeAll
    static void start(Vertx vertx) {
        running = InvitingServer.start(vertx);
    }

    @AfterAll
    static void stop() {
        if (running != null) {
            running.close();
        }
    }

    @Test
    void pagesCarryAStrictPolicyAndAreRevalidated() {
        for (String page : PAGES) {
            ApiClient.Response r = running.client.get(page, null);
            assertThat(r.status()).as(page).isEqualTo(200);
            assertThat(r.header("Content-Type")).startsWith("text/html");
            String csp = r.header("Content-Security-Policy");
            assertThat(csp).as(page).contains("default-src 'none'", "script-src 'self'", "style-src 'self'",
                    "frame-ancestors 'none'", "connect-src 'self'").doesNotContain("unsafe-inline", "unsafe-eval", "http");
            assertThat(r.header("X-Content-Type-Options")).isEqualTo("nosniff");
            assertThat(r.header("Referrer-Policy")).isEqualTo("no-referrer");
            assertThat(r.header("Cache-Control")).isEqualTo("no-cache");
        }
        // Without the slash it is redirected there (the client follows it).
        ApiClient.Response bare = running.client.get("/console", null);
        assertThat(bare.status()).isEqualTo(200);
        assertThat(bare.text()).contains("<title>Provisioning");
    }

    @Test
    void pagesHoldNoInlineCodeAndEveryAssetTheyNameIsServedCacheable() {
        Pattern reference = Pattern.compile("(?:src|href)=\"(/assets/[^\"]+)\"");
        Pattern imports = Pattern.compile("from '\\./([^']+)'");
        List<String> assets = new ArrayList<>();
        for (String page : PAGES) {
            String html = running.client.get(page, null).text();
            assertThat(html).as(page).doesNotContainPattern("<script(?![^>]*\\bsrc=)[^>]*>")
                    .doesNotContainPattern("\\sstyle=").doesNotContainPattern("\\son[a-z]+=").doesNotContain("<style");
            Matcher m = reference.matcher(html);
            while (m.find()) {
                assets.add(m.group(1));
            }
        }
        assertThat(assets).contains("/assets/style.css", "/assets/console.js", "/assets/account-setup.js");
        for (int i = 0; i < assets.size(); i++) {
            String asset = assets.get(i);
            ApiClient.Response r = running.client.get(asset, null);
            assertThat(r.status()).as(asset).isEqualTo(200);
            assertThat(r.header("Cache-Control")).as(asset).isEqualTo("public, max-age=3600");
            assertThat(r.header("Last-Modified")).as(asset).isNotBlank();
            assertThat(r.header("X-Content-Type-Options")).isEqualTo("nosniff");
            if (asset.endsWith(".js")) {
                assertThat(r.header("Content-Type")).as(asset).startsWith("text/javascript");
                assertThat(r.text()).as(asset).doesNotContain("innerHTML").doesNotContain("eval(");
                Matcher m = imports.matcher(r.text());
                while (m.find()) {
                    if (!assets.contains("/assets/" + m.group(1))) {
                        assets.add("/assets/" + m.group(1));
                    }
                }
            }
        }
        assertThat(assets).as("modules imported by the pages' scripts").contains("/assets/api.js", "/assets/keys.js");
        assertThat(running.client.get("/assets/missing.js", null).status()).isEqualTo(404);
        // The assets' folder itself: it used to wait out the request deadline and answer 503.
        ApiClient.Response folder = running.client.get("/assets", null);
        assertThat(folder.status()).as(folder.text()).isEqualTo(404);
        assertThat(folder.header("Content-Security-Policy")).startsWith("default-src 'none'");
    }

    @Test
    void theInvitationReadSaysWhomAnInvitationIsForAndChangesNothing() {
        TestOrg org = TestOrg.create(running.client, "Invite Org " + RUN);
        String userName = "read." + RUN + "@example.com";
        String userId = running.api.createUser(org, ScimChecks.user(userName)).path("id").asText();
        InvitationLog.Link link = running.log.awaitFirst(userName);
        assertThat(link.url()).isEqualTo(running.server.baseUrl() + "/account/setup");
        // The link is logged as it is sent, a moment before the outbox records it as sent.
        Polling.until(Duration.ofSeconds(30), () -> assertThat(MembershipDb.count(
                "SELECT count(*) FROM invitations WHERE org_id = ? AND sent_at IS NOT NULL", org.id())).isEqualTo(1));
        String before = MembershipDb.snapshot(org.id(), userId);

        ApiClient.Response open = running.api.post(INVITATION, null, "{\"token\":\"" + link.token() + "\"}");
        assertThat(open.status()).as(open.text()).isEqualTo(200);
        assertThat(open.header("Cache-Control")).isEqualTo("no-store");
        JsonNode view = open.json();
        assertThat(view.path("state").asText()).isEqualTo("open");
        assertThat(view.path("organization").asText()).isEqualTo("Invite Org " + RUN);
        assertThat(view.path("userName").asText()).isEqualTo(userName);
        assertThat(Instant.parse(view.path("expiresAt").asText())).isAfter(Instant.now());
        assertThat(view.size()).as("nothing more: %s", view).isEqualTo(4);
        assertThat(MembershipDb.snapshot(org.id(), userId)).as("a read changes nothing").isEqualTo(before);

        // Refusals: a precise 4xx, and still nothing changed.
        assertThat(running.api.post(INVITATION, null, "{}").status()).isEqualTo(400);
        ApiClient.Response extra = running.api.post(INVITATION, null, "{\"token\":\"" + link.token() + "\",\"password\":\"x\"}");
        assertThat(extra.status()).isEqualTo(400);
        assertThat(extra.json().path("scimType").asText()).isEqualTo("invalidValue");
        assertThat(running.api.post(INVITATION, null, "[1]").status()).isEqualTo(400);
        assertThat(running.api.post(INVITATION, null, "{\"token\":\"kms_setup_nope\"}").status()).isEqualTo(401);
        String forged = link.token().substring(0, link.token().length() - 4) + "AAAA";
        ApiClient.Response wrong = running.api.post(INVITATION, null, "{\"token\":\"" + forged + "\"}");
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.text()).doesNotContain(userName).doesNotContain("Invite Org");
        assertThat(running.api.get(INVITATION, null).status()).isIn(404, 405);
        assertThat(MembershipDb.snapshot(org.id(), userId)).isEqualTo(before);

        // Expired, then replaced, then used: the state alone.
        List<MembershipDb.Invitation> invitations = MembershipDb.invitations(org.id(), userId);
        MembershipDb.expire(org.id(), invitations.get(invitations.size() - 1).id());
        assertThat(state(link.token())).isEqualTo("{\"state\":\"expired\"}");
        assertThat(running.client.post(ORGS + "/" + org.id() + "/members/" + userId + "/invitation", TestServer.ADMIN_TOKEN, null)
                .status()).isEqualTo(202);
        assertThat(state(link.token())).isEqualTo("{\"state\":\"replaced\"}");
        InvitationLog.Link second = running.log.await(userName, 2, Duration.ofSeconds(15));
        DeviceKeys keys = DeviceKeys.generate("a long master password " + RUN);
        assertThat(running.api.post(SETUP, null, keys.setupJson(second.token())).status()).isEqualTo(200);
        assertThat(state(second.token())).isEqualTo("{\"state\":\"used\"}");
    }

    @Test
    void theConsoleFindsOrganisationsByName() {
        String marker = "q" + RUN;
        String id = running.createOrganization("Zebra Works " + marker, "free");
        running.createOrganization("Other " + marker, "pro");
        ApiClient.Response found = running.client.get(ORGS + "?name=" + ApiClient.encode("zebra WORKS " + marker), TestServer.ADMIN_TOKEN);
        assertThat(found.status()).as(found.text()).isEqualTo(200);
        assertThat(found.json().path("scimUrl").asText()).isEqualTo(running.server.baseUrl() + "/api/v1/scim");
        JsonNode list = found.json().path("organizations");
        assertThat(list.size()).isEqualTo(1);
        assertThat(list.get(0).path("id").asText()).isEqualTo(id);
        assertThat(list.get(0).path("plan").asText()).isEqualTo("free");
        JsonNode both = running.client.get(ORGS + "?name=" + marker.toUpperCase(Locale.ROOT), TestServer.ADMIN_TOKEN)
                .json().path("organizations");
        assertThat(both.size()).isEqualTo(2);
        assertThat(both.get(0).path("name").asText()).as("by name").startsWith("Other");
        assertThat(running.client.get(ORGS, null).status()).isEqualTo(401);
        assertThat(running.client.get(ORGS, "not-the-admin-token").status()).isEqualTo(401);
    }

    @Test
    void kdfParamsMayNameTheKeyTypeAndNothingElseAsText() throws Exception {
        TestOrg org = TestOrg.create(running.client, "Key Types " + RUN);
        String p256 = "p256." + RUN + "@example.com";
        String p256Id = running.api.createUser(org, ScimChecks.user(p256)).path("id").asText();
        String token = running.log.awaitFirst(p256).token();
        // A browser without X25519 makes an ECDH P-256 pair: its larger keys fit too.
        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair pair = ec.generateKeyPair();
        DeviceKeys keys = DeviceKeys.generate("another long master password " + RUN);
        for (String bad : List.of("\"RSA\"", "25519", "\"x25519\"")) {
            ObjectNode body = keys.setupBody(token);
            body.with("kdfParams").set("keyType", parse(bad));
            ApiClient.Response r = running.api.post(SETUP, null, body.toString());
            assertThat(r.status()).as(bad).isEqualTo(400);
            assertThat(r.json().path("detail").asText()).contains("keyType");
        }
        ObjectNode named = keys.setupBody(token);
        named.with("kdfParams").put("keyType", "P-256");
        named.put("publicKey", DeviceKeys.b64(pair.getPublic().getEncoded()));
        named.put("encryptedPrivateKey", DeviceKeys.b64(DeviceKeys.random(12 + pair.getPrivate().getEncoded().length + 16)));
        ApiClient.Response ok = running.api.post(SETUP, null, named.toString());
        assertThat(ok.status()).as(ok.text()).isEqualTo(200);
        MembershipDb.AccountKeys stored = MembershipDb.accountKeys(org.id(), p256Id);
        assertThat(stored.kdfParams()).contains("\"keyType\": \"P-256\"");
        assertThat(stored.publicKey()).isEqualTo(pair.getPublic().getEncoded());
    }

    private static String state(String token) {
        ApiClient.Response r = running.api.post(INVITATION, null, "{\"token\":\"" + token + "\"}");
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        return r.text();
    }

    private static JsonNode parse(String json) {
        try {
            return new ObjectMapper().readTree(json);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
