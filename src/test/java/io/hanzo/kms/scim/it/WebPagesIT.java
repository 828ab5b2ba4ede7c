package io.hanzo.kms.scim.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The two web pages in a real headless Chromium against the real server and PostgreSQL: the admin's
 * Provisioning tab (switch, token, activity, members, mappings, revoke, free plan) and the person's
 * account set-up page (keys made in the browser, checked here against what the server stored; the
 * password never in any request; used, expired and replaced links). The tests run in order and share
 * one organisation, as an admin and a person would. Screenshots go to {@code target/screenshots}, or
 * to the folder named by {@code -Dkms.screenshots=...} ({@code make screenshots} refreshes docs/).
 */
@ExtendWith(VertxExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebPagesIT {
    private static final String ORGS = "/api/v1/organizations";
    private static final String ADMIN = TestServer.ADMIN_TOKEN;
    private static final String GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RUN = HexFormat.of().formatHex(DeviceKeys.random(3));
    private static final Path SHOTS = Path.of(System.getProperty("kms.screenshots", "target/screenshots"));

    private static HeadlessChromium browser;
    private static InvitingServer running;

    /** Made by the first test, used by the ones after it. */
    private static String orgId;
    private static String orgName;
    private static TestOrg org;
    private static String userId;
    private static String userName;

    @BeforeAll
    static void start(Vertx vertx) {
        browser = HeadlessChromium.startIfInstalled();
        if (browser == null) {
            return;
        }
        running = InvitingServer.start(vertx);
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.close();
        }
        if (running != null) {
            running.close();
        }
    }

    /** Each test is reported skipped, with how to install Chromium, on a machine without it. */
    @BeforeEach
    void needsChromium() {
        HeadlessChromium.assumeInstalled(browser);
    }

    // ---- the admin's side ----

    @Test
    @Order(1)
    void adminSwitchesScimOnCreatesATokenAndWatchesProvisioning() {
        orgName = "Acme Robotics " + RUN;
        orgId = running.createOrganization(orgName, "pro");
        signIn();
        assertThat(browser.script("return sessionStorage.getItem('kms-scim.adminToken')")).isEqualTo(ADMIN);
        assertThat(browser.script("return localStorage.length")).isEqualTo(0L);
        assertThat(browser.driver().getCurrentUrl()).doesNotContain(ADMIN);
        pickOrganization("acme robotics " + RUN, orgId);

        // The switch, by keyboard.
        WebElement scim = browser.find("scim-enabled");
        assertThat(scim.isSelected()).isFalse();
        assertThat(scim.isEnabled()).isTrue();
        scim.sendKeys(Keys.SPACE);
        browser.await(15, "SCIM switched on in the database", d -> organization(orgId).path("scimEnabled").asBoolean());
        browser.await(15, "the page says SCIM is on", d -> browser.find("scim-status").getText().startsWith("On"));
        assertThat(browser.find("scim-enabled").isSelected()).isTrue();

        // What to paste into PingOne.
        assertThat(browser.find("scim-url").getDomProperty("value")).isEqualTo(running.server.baseUrl() + "/api/v1/scim");
        assertThat(browser.find("user-filter").getDomProperty("value")).isEqualTo("email.value Eq \"%s\"");
        assertThat(browser.find("user-identifier").getDomProperty("value")).isEqualTo("workEmail");
        assertThat(browser.find("auth-header").getDomProperty("value")).isEqualTo("Bearer");

        String token = createTokenInPage("PingOne", "365");
        assertThat(browser.find("new-token").getText()).contains("will not be shown again");
        WebElement row = tokenRow("PingOne");
        assertThat(row.getText()).contains("Never");
        org = new TestOrg(orgId, token);

        // An identity provider uses the token: one person in one group, and one refused request.
        userName = "jane." + RUN + "@acme.example";
        userId = running.api.createUser(org, ScimChecks.user(userName)).path("id").asText();
        ApiClient.Response group = running.api.post(TestOrg.SCIM + "/Groups", token, "{\"schemas\":[\"" + GROUP_SCHEMA
                + "\"],\"displayName\":\"Engineering\",\"members\":[{\"value\":\"" + userId + "\"}]}");
        assertThat(group.status()).as(group.text()).isEqualTo(201);
        ApiClient.Response refused = running.api.post(ScimChecks.USERS, token, "{\"schemas\":[\"" + ScimChecks.CORE + "\"]}");
        assertThat(refused.status()).as(refused.text()).isEqualTo(400);
        String reason = refused.json().path("detail").asText();

        // The activity feed refreshes by itself: the events appear without a reload, newest first.
        browser.await(20, "the provisioning and the refusal in the feed", d -> {
            List<WebElement> events = d.findElements(By.cssSelector("#events li"));
            return events.size() >= 3 && events.stream().anyMatch(e -> e.getText().contains(userId))
                    && events.stream().anyMatch(e -> "refused".equals(e.getDomAttribute("data-outcome")));
        });
        List<WebElement> events = browser.driver().findElements(By.cssSelector("#events li"));
        assertThat(events.get(0).getDomAttribute("data-outcome")).as("the newest event first").isEqualTo("refused");
        assertThat(events.get(0).getDomAttribute("class")).contains("refused");
        assertThat(events.get(0).getText()).contains("400").contains(reason);
        new Select(browser.find("event-outcome")).selectByValue("refused");
        browser.await(10, "only refusals", d -> {
            List<WebElement> shown = d.findElements(By.cssSelector("#events li"));
            return !shown.isEmpty() && shown.stream().allMatch(e -> "refused".equals(e.getDomAttribute("data-outcome")));
        });
        new Select(browser.find("event-outcome")).selectByValue("");
        new Select(browser.find("event-type")).selectByValue("Group");
        browser.await(10, "only group events", d -> {
            List<WebElement> shown = d.findElements(By.cssSelector("#events li"));
            return shown.size() == 1 && shown.get(0).getText().contains("Group");
        });
        new Select(browser.find("event-type")).selectByValue("");

        // Members: invited, with the group pending until set-up.
        new Select(browser.find("member-state")).selectByValue("invited");
        WebElement member = browser.await(10, "the member listed", d -> d.findElement(
                By.cssSelector("#member-rows tr[data-user-name='" + userName + "']")));
        assertThat(member.getText()).containsIgnoringCase("invited").contains("Engineering (pending)").contains("Member");

        // Group-to-role mappings.
        browser.find("mapping-add").click();
        List<WebElement> mappingRows = browser.driver().findElements(By.cssSelector("#mapping-rows tr"));
        WebElement last = mappingRows.get(mappingRows.size() - 1);
        last.findElement(By.tagName("input")).sendKeys("Engineering");
        new Select(last.findElement(By.tagName("select"))).selectByValue("admin");
        new Select(browser.find("default-role")).selectByValue("viewer");
        browser.find("mappings-form").findElement(By.cssSelector("button[type=submit]")).click();
        browser.await(10, "mappings saved", d -> browser.find("mappings-status").getText().contains("saved"));
        JsonNode mappings = running.client.get(ORGS + "/" + orgId + "/group-role-mappings", ADMIN).json();
        assertThat(mappings.path("defaultRole").asText()).isEqualTo("viewer");
        assertThat(mappings.path("mappings").toString()).isEqualTo("[{\"group\":\"Engineering\",\"role\":\"admin\"}]");
        browser.await(10, "the member's role follows the mapping", d -> d.findElement(
                By.cssSelector("#member-rows tr[data-user-name='" + userName + "']")).getText().contains("Admin"));

        // Copy buttons put the value on the clipboard.
        browser.driver().executeCdpCommand("Browser.grantPermissions", Map.of("origin", running.server.baseUrl(),
                "permissions", List.of("clipboardReadWrite", "clipboardSanitizedWrite")));
        WebElement copyUrl = browser.driver().findElement(By.cssSelector("button[data-copy='scim-url']"));
        copyUrl.click();
        // The button's "Copied" lasts 2 s, which a loaded machine's polling can miss; the live region
        // keeps saying it (set with it) until the next announcement.
        browser.await(10, "the page says it copied", d -> "Copied to the clipboard.".equals(browser.find("announce").getDomProperty("textContent")));
        assertThat(browser.driver().executeAsyncScript(
                "const done = arguments[arguments.length - 1]; navigator.clipboard.readText().then(done, e => done('failed: ' + e));"))
                .isEqualTo(running.server.baseUrl() + "/api/v1/scim");

        // Every control has a name a screen reader can say.
        assertThat(browser.unnamedControls()).isEmpty();

        // The token is not left on screen for the picture.
        browser.find("new-token-done").click();
        assertThat(browser.find("new-token-value").getDomProperty("value")).isEmpty();
        assertThat(browser.overflowingAt(320)).as("no sideways scrolling at 320 px").isEmpty();
        browser.screenshot(SHOTS.resolve("provisioning-tab.png"), 1280);
    }

    @Test
    @Order(2)
    void aRevokedTokenDisappearsAndStopsWorking() {
        signIn();
        pickOrganization(orgName, orgId);
        String token = createTokenInPage("Old connector " + RUN, "7");
        browser.find("new-token-done").click();
        assertThat(tokenRow("Old connector " + RUN).getText()).containsIgnoringCase("expiring soon");
        assertThat(tokenRow("PingOne").getText()).doesNotContainIgnoringCase("expiring soon");
        assertThat(running.api.get(ScimChecks.USERS, token).status()).isEqualTo(200);

        tokenRow("Old connector " + RUN).findElement(By.cssSelector("button.danger")).click();
        WebElement dialog = browser.awaitVisible("revoke-dialog");
        assertThat(dialog.getText()).contains("Old connector " + RUN).contains("cannot be undone");
        // Cancelling keeps it.
        dialog.findElement(By.cssSelector("button[value=cancel]")).click();
        assertThat(tokenDescriptions()).contains("Old connector " + RUN);
        tokenRow("Old connector " + RUN).findElement(By.cssSelector("button.danger")).click();
        browser.awaitVisible("revoke-confirm").click();
        browser.await(10, "the token gone from the list", d -> !tokenDescriptions().contains("Old connector " + RUN));
        assertThat(tokenDescriptions()).contains("PingOne");
        assertThat(running.client.get(ORGS + "/" + orgId + "/scim-tokens", ADMIN).text()).doesNotContain("Old connector " + RUN);
        assertThat(running.api.get(ScimChecks.USERS, token).status()).isEqualTo(401);
        assertThat(running.api.get(ScimChecks.USERS, org.token()).status()).isEqualTo(200);
    }

    @Test
    @Order(3)
    void theSwitchIsDisabledOnTheFreePlan() {
        String name = "Free Tier " + RUN;
        String id = running.createOrganization(name, "free");
        signIn();
        pickOrganization(id, id);
        WebElement scim = browser.find("scim-enabled");
        assertThat(scim.isEnabled()).isFalse();
        assertThat(scim.isSelected()).isFalse();
        WebElement note = browser.find("scim-plan-note");
        assertThat(note.isDisplayed()).isTrue();
        assertThat(note.getText()).contains("paid feature").contains("free plan");
        assertThat(scim.getDomAttribute("aria-describedby")).contains("scim-plan-note");
        browser.script("arguments[0].click()", scim);
        assertThat(scim.isSelected()).isFalse();
        assertThat(organization(id).path("scimEnabled").asBoolean()).isFalse();
    }

    // ---- the person's side ----

    @Test
    @Order(4)
    void aPersonSetsUpTheirAccountInTheBrowser() throws Exception {
        InvitationLog.Link link = running.log.awaitFirst(userName);
        assertThat(link.url()).isEqualTo(running.server.baseUrl() + "/account/setup");
        browser.sentRequests();

        browser.open(link.url() + "#token=" + link.token());
        browser.awaitVisible("setup");
        assertThat(browser.find("org-name").getText()).isEqualTo(orgName);
        assertThat(browser.find("user-name").getText()).isEqualTo(userName);
        assertThat(browser.driver().getCurrentUrl()).as("the token is taken out of the address bar")
                .isEqualTo(running.server.baseUrl() + "/account/setup");

        assertThat(browser.overflowingAt(320)).as("no sideways scrolling at 320 px").isEmpty();
        assertThat(browser.unnamedControls()).isEmpty();
        browser.screenshot(SHOTS.resolve("account-setup-320px.png"), 320);

        // Clear refusals before anything is sent.
        String password = "Lantern orbit " + RUN + " maple Quartz";
        browser.type("password", password);
        browser.type("password-again", password + "!");
        browser.find("submit").click();
        assertThat(browser.find("form-error").getText()).contains("differ");
        browser.type("password", "short");
        browser.type("password-again", "short");
        browser.find("submit").click();
        assertThat(browser.find("form-error").getText()).contains("at least 12 characters");
        assertThat(browser.find("strength-text").getText()).isEqualTo("Strength: Too weak");

        browser.type("password", password);
        browser.type("password-again", password);
        assertThat(browser.find("strength-text").getText()).isEqualTo("Strength: Strong");
        browser.screenshot(SHOTS.resolve("account-setup.png"), 1280);
        browser.find("submit").click();
        browser.await(60, "set-up done", d -> browser.find("done").isDisplayed());
        String shownFingerprint = browser.find("fingerprint").getText();

        // What the server stored opens with the password, to the private half of the stored public key.
        MembershipDb.AccountKeys keys = MembershipDb.accountKeys(orgId, userId);
        assertThat(keys).as("key material stored").isNotNull();
        JsonNode kdf = JSON.readTree(keys.kdfParams());
        assertThat(kdf.path("algorithm").asText()).isEqualTo("pbkdf2-sha256");
        assertThat(kdf.path("iterations").asInt()).isGreaterThanOrEqualTo(600_000);
        String keyType = kdf.path("keyType").asText();
        assertThat(keyType).isIn("X25519", "P-256");
        assertThat(keys.kdfSalt()).hasSize(16);
        byte[] privateKey = DeviceKeys.decryptPrivateKey(keys.encryptedPrivateKey(), password, keys.kdfSalt(),
                kdf.path("iterations").asInt());
        assertThat(DeviceKeys.samePair(keyType, privateKey, keys.publicKey())).as("the pair matches").isTrue();
        assertThatThrownBy(() -> DeviceKeys.decryptPrivateKey(keys.encryptedPrivateKey(), password + "x", keys.kdfSalt(),
                kdf.path("iterations").asInt())).isInstanceOf(IllegalStateException.class);
        assertThat(MembershipDb.member(orgId, userId).setupState()).isEqualTo("accepted");
        assertThat(shownFingerprint).isEqualTo(fingerprint(keys.publicKey()));

        // Nothing the page sent held the password; the set-up token went only in bodies.
        List<HeadlessChromium.SentRequest> sent = browser.sentRequests();
        assertThat(sent).anySatisfy(r -> {
            assertThat(r.method()).isEqualTo("POST");
            assertThat(r.url()).isEqualTo(running.server.baseUrl() + "/api/v1/account/setup");
            assertThat(r.body()).contains(DeviceKeys.b64(keys.publicKey())).contains(link.token());
        });
        assertThat(sent).anySatisfy(r -> {
            assertThat(r.url()).isEqualTo(running.server.baseUrl() + "/api/v1/account/invitation");
            assertThat(r.body()).isEqualTo("{\"token\":\"" + link.token() + "\"}");
        });
        for (HeadlessChromium.SentRequest r : sent) {
            assertThat(r.url()).as("request URL").doesNotContain(password).doesNotContain(link.token())
                    .doesNotContain(ApiClient.encode(password));
            if (r.body() != null) {
                assertThat(r.body()).as("body of %s %s", r.method(), r.url()).doesNotContain(password)
                        .doesNotContain(ApiClient.encode(password));
            }
        }
        assertThat(MembershipDb.tablesContaining(password)).isEmpty();

        // The emergency kit: fingerprint and sealed key, never the password.
        String kit = Files.readString(browser.download(browser.find("kit"), "hanzo-kms-emergency-kit.txt"));
        assertThat(kit).contains(shownFingerprint).contains(DeviceKeys.b64(keys.encryptedPrivateKey()))
                .contains(DeviceKeys.b64(keys.kdfSalt())).doesNotContain(password);
        browser.screenshot(SHOTS.resolve("account-setup-done.png"), 1280);

        // The same link again: used.
        browser.open(link.url() + "#token=" + link.token());
        assertThat(problemShown()).isEqualTo("used");
        assertThat(browser.find("problem-title").getText()).isEqualTo("This link has already been used");
        assertThat(browser.find("setup").isDisplayed()).isFalse();
    }

    @Test
    @Order(5)
    void expiredAndReplacedLinksAndAReSentInvitation() {
        String name = "sam." + RUN + "@acme.example";
        String id = running.api.createUser(org, ScimChecks.user(name)).path("id").asText();
        InvitationLog.Link first = running.log.awaitFirst(name);
        List<MembershipDb.Invitation> invitations = MembershipDb.invitations(orgId, id);
        MembershipDb.expire(orgId, invitations.get(invitations.size() - 1).id());

        browser.open(first.url() + "#token=" + first.token());
        assertThat(problemShown()).isEqualTo("expired");
        assertThat(browser.find("problem-text").getText()).contains("re-send");
        browser.open(first.url() + "#token=" + first.token().substring(0, first.token().length() - 4) + "AAAA");
        assertThat(problemShown()).isEqualTo("invalid");
        browser.open(first.url());
        assertThat(problemShown()).isEqualTo("missing");

        // The admin re-sends it from the members list.
        signIn();
        pickOrganization(orgName, orgId);
        new Select(browser.find("member-state")).selectByValue("invited");
        WebElement row = browser.await(10, "the member listed", d -> d.findElement(
                By.cssSelector("#member-rows tr[data-user-name='" + name + "']")));
        row.findElement(By.tagName("button")).click();
        browser.await(10, "re-sent", d -> browser.find("members-status").getText().contains(name));
        InvitationLog.Link second = running.log.await(name, 2, Duration.ofSeconds(15));

        browser.open(first.url() + "#token=" + first.token());
        assertThat(problemShown()).isEqualTo("replaced");
        browser.open(second.url() + "#token=" + second.token());
        browser.awaitVisible("setup");
        assertThat(browser.find("user-name").getText()).isEqualTo(name);
    }

    @Test
    @Order(6)
    void olderActivityLoadsByCursor() {
        // Thirty refused requests: more than one page of the feed.
        for (int i = 0; i < 30; i++) {
            assertThat(running.api.get(ScimChecks.USERS + "/no-such-user-" + i, org.token()).status()).isEqualTo(404);
        }
        browser.await(15, "the refusals recorded", d -> running.client.get(ORGS + "/" + orgId
                + "/scim-events?outcome=refused&limit=500", ADMIN).json().path("events").size() >= 31);
        signIn();
        pickOrganization(orgName, orgId);
        new Select(browser.find("event-outcome")).selectByValue("refused");
        browser.await(10, "the first page", d -> d.findElements(By.cssSelector("#events li")).size() == 25
                && browser.find("events-more").isDisplayed());
        browser.find("events-more").click();
        browser.await(10, "the older events appended", d -> d.findElements(By.cssSelector("#events li")).size() >= 31
                && !browser.find("events-more").isDisplayed());
        List<String> ids = browser.driver().findElements(By.cssSelector("#events li")).stream()
                .map(e -> e.getDomAttribute("data-event")).toList();
        assertThat(ids).doesNotHaveDuplicates();
        List<Instant> times = browser.driver().findElements(By.cssSelector("#events li time")).stream()
                .map(e -> Instant.parse(e.getDomAttribute("datetime"))).toList();
        assertThat(times).as("newest first").isSortedAccordingTo(Comparator.reverseOrder());

        // More new events than a page holds between two refreshes: all of them arrive, on top.
        for (int i = 0; i < 30; i++) {
            assertThat(running.api.get(ScimChecks.USERS + "/later-" + i, org.token()).status()).isEqualTo(404);
        }
        browser.await(20, "the later refusals on top", d -> {
            List<WebElement> shown = d.findElements(By.cssSelector("#events li"));
            return shown.size() >= ids.size() + 30 && shown.get(0).getText().contains("later-");
        });
        List<WebElement> after = browser.driver().findElements(By.cssSelector("#events li"));
        assertThat(after.stream().map(e -> e.getDomAttribute("data-event")).toList()).doesNotHaveDuplicates();
        assertThat(after.stream().filter(e -> e.getText().contains("later-")).count()).isEqualTo(30);
        assertThat(after.get(ids.size() + 29).getText()).as("the older ones below, in place").doesNotContain("later-");
    }

    @Test
    @Order(7)
    void aBurstLargerThanTheCatchUpLeavesNoGapInTheFeed() {
        signIn();
        pickOrganization(orgName, orgId);
        browser.await(10, "the feed loaded", d -> !d.findElements(By.cssSelector("#events li")).isEmpty());
        // Offline, every refresh of the page fails: the whole burst arrives between two refreshes
        // that reach the server, more events than one refresh catches up on.
        browser.driver().executeCdpCommand("Network.enable", Map.of());
        browser.driver().executeCdpCommand("Network.emulateNetworkConditions", Map.of("offline", true,
                "latency", 0, "downloadThroughput", -1, "uploadThroughput", -1));
        try {
            for (int i = 0; i < 260; i++) {
                assertThat(running.api.get(ScimChecks.USERS + "/burst-" + i, org.token()).status()).isEqualTo(404);
            }
        } finally {
            browser.driver().executeCdpCommand("Network.emulateNetworkConditions", Map.of("offline", false,
                    "latency", 0, "downloadThroughput", -1, "uploadThroughput", -1));
        }
        String newest = browser.await(15, "the burst recorded", d -> {
            JsonNode top = eventsFromAdminApi().get(0);
            return top.path("resourceId").asText().equals("burst-259") ? top.path("id").asText() : null;
        });
        browser.await(20, "the burst's newest event on top", d -> newest.equals(
                d.findElement(By.cssSelector("#events li")).getDomAttribute("data-event")));
        assertThat(shownEventIds()).as("the newest events, with no gap").isEqualTo(newestEventIds(shownEventIds().size()));

        int before = shownEventIds().size();
        browser.find("events-more").click();
        browser.await(10, "an older page appended", d -> shownEventIds().size() > before);
        assertThat(shownEventIds()).as("load more goes on from the oldest shown").isEqualTo(newestEventIds(shownEventIds().size()));
    }

    @Test
    @Order(8)
    void slowMemberPagesNeitherMixFiltersNorRepeatRows() {
        // More than a page of members, nearly all of them invited.
        for (int i = 0; i < 30; i++) {
            running.api.createUser(org, ScimChecks.user("many-" + i + "." + RUN + "@acme.example"));
        }
        List<String> all = memberIdsFromAdminApi("");
        List<String> setUp = memberIdsFromAdminApi("accepted");
        assertThat(all.size()).isBetween(26, 50);
        signIn();
        pickOrganization(orgName, orgId);
        new Select(browser.find("member-state")).selectByValue("accepted");
        browser.await(10, "the set-up members listed", d -> shownMemberIds().equals(setUp));

        slowNetwork(true);
        try {
            // Each arrow press picks the next filter and loads it, before the last load answered:
            // "Invited, not set up", then "All".
            browser.script("performance.clearResourceTimings()");
            browser.find("member-state").sendKeys(Keys.ARROW_UP, Keys.ARROW_UP);
            assertThat(new Select(browser.find("member-state")).getFirstSelectedOption().getDomAttribute("value")).isEmpty();
            browser.await(20, "both loads answered", d -> browser.script(
                    "return performance.getEntriesByType('resource').filter(e => e.name.includes('/members?')).length").equals(2L));
            browser.await(10, "the first page of all members, and nothing else", d -> shownMemberIds().equals(all.subList(0, 25)));

            // Two quick clicks on "Load more" load the next page once.
            browser.await(10, "more to load", d -> browser.find("members-more").isDisplayed() && browser.find("members-more").isEnabled());
            browser.script("arguments[0].click(); arguments[0].click();", browser.find("members-more"));
            browser.await(20, "every member listed", d -> shownMemberIds().size() >= all.size());
            browser.await(20, "the page loaded", d -> !browser.find("members-more").isDisplayed());
            assertThat(shownMemberIds()).as("each member once").isEqualTo(all);
        } finally {
            slowNetwork(false);
        }
    }

    @Test
    @Order(9)
    void aRightToLeftOverrideInANameReordersNothingAfterIt() throws Exception {
        String name = "\u202eMirror " + RUN;
        String id = running.createOrganization(name, "pro");
        assertThat(running.client.patch(ORGS + "/" + id, ADMIN, "{\"scimEnabled\":true}").status()).isEqualTo(200);
        ApiClient.Response created = running.client.post(ORGS + "/" + id + "/scim-tokens", ADMIN, "{\"description\":\"IdP\",\"ttlDays\":7}");
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        TestOrg mirror = new TestOrg(id, created.json().path("token").asText());
        String person = "bob\u202egnp.exe." + RUN + "@acme.example";
        assertThat(running.api.post(ScimChecks.USERS, mirror.token(), ScimChecks.user(person)).status()).isEqualTo(201);

        // In the picker the id still follows the name, left to right.
        signIn();
        pickOrganization("Mirror " + RUN, id);
        String button = "#org-results button[data-org='" + id + "']";
        assertThat(left(button + " .mono")).as("the id right of the name").isGreaterThanOrEqualTo(right(button + " strong"));

        // The set-up page: "invited to <organisation> as <account>", in that order.
        InvitationLog.Link link = running.log.awaitFirst(person);
        browser.open(link.url() + "#token=" + link.token());
        browser.awaitVisible("setup");
        // The account name may wrap to the next line; the " as " after the organisation does not.
        double as = ((Number) browser.script("const range = document.createRange();"
                + " range.selectNodeContents(document.getElementById('org-name').parentNode.nextSibling);"
                + " return range.getBoundingClientRect().left")).doubleValue();
        assertThat(as).as("\" as \" right of the organisation").isGreaterThanOrEqualTo(right("#org-name"));

        // The emergency kit keeps each name in an isolate.
        String password = "Mirror glass " + RUN + " harbour Lamp";
        browser.type("password", password);
        browser.type("password-again", password);
        browser.find("submit").click();
        browser.await(60, "set-up done", d -> browser.find("done").isDisplayed());
        String kit = Files.readString(browser.download(browser.find("kit"), "hanzo-kms-emergency-kit.txt"));
        assertThat(kit).contains("Organisation: \u2068" + name + "\u2069\n").contains("Account: \u2068" + person + "\u2069\n");
    }

    @Test
    @Order(10)
    void theFocusStaysOnTheSwitchAndMovesOnAfterARevoke() {
        signIn();
        pickOrganization(orgName, orgId);
        WebElement scim = browser.find("scim-enabled");
        boolean wasOn = scim.isSelected();
        for (boolean on : List.of(!wasOn, wasOn)) {
            scim.sendKeys(Keys.SPACE);
            browser.await(15, "SCIM switched " + (on ? "on" : "off"), d -> organization(orgId).path("scimEnabled").asBoolean() == on
                    && browser.find("scim-status").getText().startsWith(on ? "On" : "Off"));
            assertThat(browser.script("return document.activeElement.id")).as("the focus on the switch").isEqualTo("scim-enabled");
        }

        createTokenInPage("Focus one " + RUN, "30");
        browser.find("new-token-done").click();
        createTokenInPage("Focus two " + RUN, "30");
        browser.find("new-token-done").click();
        tokenRow("Focus one " + RUN).findElement(By.cssSelector("button.danger")).click();
        browser.awaitVisible("revoke-confirm").click();
        browser.await(10, "the token gone from the list", d -> !tokenDescriptions().contains("Focus one " + RUN));
        browser.await(10, "the focus on a revoke button of the list", d -> (Boolean) browser.script(
                "const a = document.activeElement; return a.matches('#token-rows button.danger')"));
    }

    @Test
    @Order(11)
    void anOrganisationOpenedBeforeShowsNothingUnderTheNextOnesName() {
        String empty = running.createOrganization("Empty Shelf " + RUN, "pro");
        signIn();
        browser.type("org-query", RUN);
        browser.find("org-query").sendKeys(Keys.ENTER);
        browser.await(10, "both organisations offered", d -> d.findElements(By.cssSelector(
                "#org-results button[data-org='" + orgId + "'], #org-results button[data-org='" + empty + "']")).size() == 2);
        slowNetwork(true);
        try {
            // The second organisation is opened before the first one's lists have answered.
            browser.script("performance.clearResourceTimings();"
                    + " document.querySelector(arguments[0]).click(); document.querySelector(arguments[1]).click();",
                    "#org-results button[data-org='" + orgId + "']", "#org-results button[data-org='" + empty + "']");
            browser.await(20, "both organisations' lists answered", d -> browser.script(
                    "const names = performance.getEntriesByType('resource').map(e => e.name);"
                    + " return ['/members?', '/scim-tokens', '/group-role-mappings'].every(p => names.filter(n => n.includes(p)).length === 2)")
                    .equals(Boolean.TRUE));
            browser.await(10, "the second organisation's empty lists", d -> shownMemberIds().isEmpty() && tokenDescriptions().isEmpty()
                    && browser.find("members-empty").isDisplayed() && browser.find("tokens-empty").isDisplayed());
            assertThat(browser.find("org-title").getText()).isEqualTo("Provisioning · Empty Shelf " + RUN);
            assertThat(browser.driver().findElements(By.cssSelector("#mapping-rows tr"))).isEmpty();
        } finally {
            slowNetwork(false);
        }
    }

    @Test
    @Order(12)
    void mappingsSavedBeforeTheyAreReadReplaceNothing() {
        String kept = running.createOrganization("Kept Mappings " + RUN, "pro");
        ApiClient.Response set = running.client.put(ORGS + "/" + kept + "/group-role-mappings", ADMIN,
                "{\"defaultRole\":\"viewer\",\"mappings\":[{\"group\":\"Engineering\",\"role\":\"admin\"}]}");
        assertThat(set.status()).as(set.text()).isEqualTo(200);
        JsonNode before = running.client.get(ORGS + "/" + kept + "/group-role-mappings", ADMIN).json();
        signIn();
        browser.type("org-query", RUN);
        browser.find("org-query").sendKeys(Keys.ENTER);
        browser.await(10, "both organisations offered", d -> d.findElements(By.cssSelector(
                "#org-results button[data-org='" + orgId + "'], #org-results button[data-org='" + kept + "']")).size() == 2);
        browser.find("org-results").findElement(By.cssSelector("button[data-org='" + orgId + "']")).click();
        browser.await(10, "the first organisation's mappings", d -> !d.findElements(By.cssSelector("#default-role option")).isEmpty());
        slowNetwork(true);
        try {
            // Saved at once after the second organisation is opened, before its mappings have answered.
            browser.script("document.querySelector(arguments[0]).click();"
                    + " document.getElementById('mappings-form').requestSubmit();",
                    "#org-results button[data-org='" + kept + "']");
            browser.await(20, "the save refused", d -> !browser.find("mappings-error").getText().isEmpty());
            assertThat(browser.find("mappings-error").getText()).contains("not been read yet");
            browser.await(20, "the second organisation's mappings", d -> d.findElements(By.cssSelector("#mapping-rows input")).stream()
                    .anyMatch(i -> "Engineering".equals(i.getAttribute("value"))));
        } finally {
            slowNetwork(false);
        }
        assertThat(running.client.get(ORGS + "/" + kept + "/group-role-mappings", ADMIN).json()).isEqualTo(before);
    }

    // ---- helpers ----

    private static JsonNode organization(String id) {
        ApiClient.Response r = running.client.get(ORGS + "/" + id, ADMIN);
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        return r.json();
    }

    private static JsonNode eventsFromAdminApi() {
        ApiClient.Response r = running.client.get(ORGS + "/" + orgId + "/scim-events?limit=500", ADMIN);
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        return r.json().path("events");
    }

    private static List<String> newestEventIds(int count) {
        List<String> ids = new ArrayList<>();
        for (JsonNode e : eventsFromAdminApi()) {
            ids.add(e.path("id").asText());
        }
        return ids.subList(0, Math.min(count, ids.size()));
    }

    private static List<String> shownEventIds() {
        return browser.driver().findElements(By.cssSelector("#events li")).stream()
                .map(e -> e.getDomAttribute("data-event")).toList();
    }

    private static List<String> memberIdsFromAdminApi(String state) {
        ApiClient.Response r = running.client.get(ORGS + "/" + orgId + "/members?limit=500" + (state.isEmpty() ? "" : "&state=" + state), ADMIN);
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        List<String> ids = new ArrayList<>();
        for (JsonNode m : r.json().path("members")) {
            ids.add(m.path("id").asText());
        }
        return ids;
    }

    private static List<String> shownMemberIds() {
        return browser.driver().findElements(By.cssSelector("#member-rows tr")).stream()
                .map(e -> e.getDomAttribute("data-member")).toList();
    }

    /** Every request of the page takes at least half a second, so a user's next action comes before the answer. */
    private static void slowNetwork(boolean slow) {
        browser.driver().executeCdpCommand("Network.enable", Map.of());
        browser.driver().executeCdpCommand("Network.emulateNetworkConditions", Map.of("offline", false,
                "latency", slow ? 500 : 0, "downloadThroughput", -1, "uploadThroughput", -1));
    }

    private static double left(String selector) {
        return ((Number) browser.script("return document.querySelector(arguments[0]).getBoundingClientRect().left", selector)).doubleValue();
    }

    private static double right(String selector) {
        return ((Number) browser.script("return document.querySelector(arguments[0]).getBoundingClientRect().right", selector)).doubleValue();
    }

    /** Opens the console signed out and signs in with the admin token. */
    private static void signIn() {
        browser.open(running.server.baseUrl() + "/console/");
        browser.script("sessionStorage.clear()");
        browser.open(running.server.baseUrl() + "/console/");
        browser.awaitVisible("sign-in");
        browser.type("admin-token", ADMIN);
        browser.find("admin-token").sendKeys(Keys.ENTER);
        browser.awaitVisible("workspace");
    }

    /** Finds the organisation by a name or id in the picker and opens it. */
    private static void pickOrganization(String query, String id) {
        browser.type("org-query", query);
        browser.find("org-query").sendKeys(Keys.ENTER);
        browser.await(10, "organisation " + id + " offered and chosen", d -> {
            d.findElement(By.cssSelector("#org-results button[data-org='" + id + "']")).click();
            return true;
        });
        browser.awaitVisible("org-view");
        browser.await(10, "the organisation opened", d -> browser.find("org-title").getText().startsWith("Provisioning · "));
    }

    /** Creates a token through the form and reads it from the page, where it is shown once. */
    private static String createTokenInPage(String description, String ttlDays) {
        browser.type("token-description", description);
        new Select(browser.find("token-ttl")).selectByValue(ttlDays);
        browser.find("token-form").findElement(By.cssSelector("button[type=submit]")).click();
        browser.awaitVisible("new-token");
        String token = browser.find("new-token-value").getDomProperty("value");
        assertThat(token).startsWith("kms_scim_");
        browser.await(10, "the new token listed", d -> tokenDescriptions().contains(description));
        return token;
    }

    private static List<String> tokenDescriptions() {
        return browser.driver().findElements(By.cssSelector("#token-rows tr td:first-child")).stream()
                .map(WebElement::getText).toList();
    }

    private static WebElement tokenRow(String description) {
        return browser.driver().findElements(By.cssSelector("#token-rows tr")).stream()
                .filter(r -> r.findElement(By.tagName("td")).getText().equals(description))
                .findFirst().orElseThrow(() -> new AssertionError("no token row " + description));
    }

    /** Waits for the set-up page's verdict on its link and returns its kind. */
    private static String problemShown() {
        return browser.await(10, "the page's verdict on the link", d -> {
            WebElement p = d.findElement(By.id("problem"));
            return p.isDisplayed() ? p.getDomAttribute("data-problem") : null;
        });
    }

    /** SHA-256 of the public key in groups of four upper-case hex digits, as the page shows it. */
    private static String fingerprint(byte[] spki) throws Exception {
        String hex = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(spki)).toUpperCase(Locale.ROOT);
        return String.join(" ", hex.split("(?<=\\G.{4})"));
    }
}
