package io.hanzo.kms.scim.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * What a write of a person who has not set up does to the set-up link they were sent: a link sent
 * to an address the identity provider then corrects stops working and a new one goes to the new
 * address; a deactivation ends the link for good and a reactivation sends a new one; a write that
 * keeps the address changes nothing. The same through PATCH, PUT and /Bulk.
 */
@ExtendWith(VertxExtension.class)
class InvitationFollowsUserIT {
    private static final String USERS = ScimChecks.USERS;
    private static final String BULK = TestOrg.SCIM + "/Bulk";
    private static final String BULK_REQUEST = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
    private static final String SETUP = "/api/v1/account/setup";
    /** Fifteen delivery rounds at 100 ms: long enough for a second delivery to show. */
    private static final Duration SETTLE = Duration.ofMillis(1500);
    private static final String RUN = "follows-" + HexFormat.of().formatHex(DeviceKeys.random(3));
    private static final AtomicInteger SEQ = new AtomicInteger();

    /** The instance that delivers invitations, with its API. */
    private static InvitingServer running;
    private static ScimChecks api;
    /** A second instance on the same database, which delivers none (it polls the outbox once an hour). */
    private static TestServer writer;
    private static ApiClient writerClient;

    /** How a user is written: PATCH, PUT, or a PATCH or PUT inside /Bulk. */
    private enum Write { PATCH, PUT, BULK_PATCH, BULK_PUT }

    @BeforeAll
    static void start(Vertx vertx) {
        running = InvitingServer.start(vertx);
        api = running.api;
        writer = TestServer.start(Map.of("SCIM_INVITATIONS_POLL_MILLIS", "3600000"));
        writerClient = new ApiClient(vertx, writer.port());
    }

    @AfterAll
    static void stop() {
        if (writerClient != null) {
            writerClient.close();
        }
        if (writer != null) {
            writer.stop();
        }
        if (running != null) {
            running.close();
        }
    }

    private static String address(String who, String domain) {
        return RUN + "-" + SEQ.incrementAndGet() + "-" + who + "@" + domain;
    }

    private static String userBody(String userName, String email, boolean active) {
        return "{\"schemas\":[\"" + ScimChecks.CORE + "\"],\"userName\":\"" + userName + "\",\"active\":" + active
                + (email == null ? "" : ",\"emails\":[{\"value\":\"" + email + "\",\"type\":\"work\",\"primary\":true}]")
                + "}";
    }

    /** Creates the user; returns its id. */
    private static String create(TestOrg org, String userName, String email) {
        ApiClient.Response r = api.post(USERS, org.token(), userBody(userName, email, true));
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        return r.json().path("id").asText();
    }

    /**
     * Writes the user as a whole (PUT) or by a path-less replace (PATCH) of userName, active and,
     * when given, the emails.
     */
    private static void write(TestOrg org, String id, Write how, String userName, String email, boolean active) {
        write(api, org, id, how, userName, email, active);
    }

    private static void write(ScimChecks api, TestOrg org, String id, Write how, String userName, String email,
                              boolean active) {
        String value = "{\"userName\":\"" + userName + "\",\"active\":" + active
                + (email == null ? "" : ",\"emails\":[{\"value\":\"" + email + "\",\"type\":\"work\",\"primary\":true}]")
                + "}";
        String patch = ScimChecks.patchOps("{\"op\":\"replace\",\"value\":" + value + "}");
        String put = userBody(userName, email, active);
        ApiClient.Response r;
        switch (how) {
            case PATCH -> r = api.patch(USERS + "/" + id, org.token(), patch);
            case PUT -> r = api.put(USERS + "/" + id, org.token(), put);
            default -> {
                boolean bulkPatch = how == Write.BULK_PATCH;
                r = api.post(BULK, org.token(), "{\"schemas\":[\"" + BULK_REQUEST + "\"],\"Operations\":[{\"method\":\""
                        + (bulkPatch ? "PATCH" : "PUT") + "\",\"path\":\"/Users/" + id + "\",\"data\":"
                        + (bulkPatch ? patch : put) + "}]}");
                assertThat(r.status()).as(r.text()).isEqualTo(200);
                JsonNode op = r.json().path("Operations").path(0);
                assertThat(op.path("status").asText()).as(r.text()).isEqualTo("200");
                return;
            }
        }
        assertThat(r.status()).as("%s: %s", how, r.text()).isEqualTo(200);
    }

    private static String state(String token) {
        ApiClient.Response r = api.post("/api/v1/account/invitation", null, "{\"token\":\"" + token + "\"}");
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        return r.json().path("state").asText();
    }

    private static ApiClient.Response setup(String token) {
        return api.post(SETUP, null, DeviceKeys.generate("pw " + token.substring(token.length() - 8)).setupJson(token));
    }

    /**
     * The identity provider creates a person with a mistyped email; the link goes there. It then
     * corrects the email (and renames the person): the link sent to the wrong address is replaced,
     * set-up with it is refused, and a new link goes to the corrected address and works.
     */
    @Test
    void aCorrectedAddressReplacesTheLinkSentToTheWrongOneAndInvitesTheRightOne() {
        TestOrg org = TestOrg.create(running.client, "Corrected Address");
        for (Write how : Write.values()) {
            String userName = address("typo-" + how, "a.example");
            String wrong = address("typo-" + how, "outsider-typo.example");
            String id = create(org, userName, wrong);
            String old = running.log.awaitFirst(wrong).token();
            assertThat(state(old)).isEqualTo("open");

            write(org, id, how, address("typo2-" + how, "a.example"), userName, true);

            assertThat(state(old)).as("the link sent to the wrong address, after %s", how).isEqualTo("replaced");
            ApiClient.Response refused = setup(old);
            assertThat(refused.status()).as("set-up with the old link after %s: %s", how, refused.text()).isEqualTo(410);
            String fresh = running.log.awaitFirst(userName).token();
            assertThat(state(fresh)).isEqualTo("open");
            ApiClient.Response ok = setup(fresh);
            assertThat(ok.status()).as("set-up with the new link after %s: %s", how, ok.text()).isEqualTo(200);
            assertThat(running.log.count(wrong)).as("links to the wrong address").isEqualTo(1);
        }
    }

    /**
     * Renaming a person whose invitation goes to their primary email, or writing them again as they
     * are, keeps the address: the link keeps working and no other one is sent.
     */
    @Test
    void aWriteThatKeepsTheAddressKeepsTheLinkAndSendsNoOther() {
        TestOrg org = TestOrg.create(running.client, "Same Address");
        Map<Write, String[]> people = new EnumMap<>(Write.class);
        for (Write how : Write.values()) {
            String email = address("same-" + how, "a.example");
            String id = create(org, address("name-" + how, "a.example"), email);
            String token = running.log.awaitFirst(email).token();

            write(org, id, how, address("renamed-" + how, "a.example"), email, true);
            write(org, id, how, address("renamed-again-" + how, "a.example"), email, true);
            // An identity provider that changes only the letter case of an email changes no mailbox.
            write(org, id, how, address("renamed-upper-" + how, "a.example"), email.toUpperCase(Locale.ROOT), true);
            people.put(how, new String[] {email, id, token});
        }
        // One wait for all four: no second link to any of them.
        running.log.assertSettledAt(people.values().stream().collect(Collectors.toMap(p -> p[0], p -> 1)), SETTLE);
        people.forEach((how, p) -> {
            assertThat(state(p[2])).as("the link after %s", how).isEqualTo("open");
            assertThat(MembershipDb.invitations(org.id(), p[1])).hasSize(1);
            ApiClient.Response ok = setup(p[2]);
            assertThat(ok.status()).as("set-up with the first link after %s: %s", how, ok.text()).isEqualTo(200);
        });
    }

    /**
     * A person provisioned before invitations were kept has none: writing them, activation included,
     * invites nobody (the admin's re-send is the way to invite them).
     */
    @Test
    void aPersonWhoWasNeverInvitedIsNotInvitedByAWrite() throws Exception {
        TestOrg org = TestOrg.create(running.client, "Never Invited");
        String email = address("never", "a.example");
        ApiClient.Response r = api.post(USERS, org.token(), userBody(address("never-name", "a.example"), email, false));
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        String id = r.json().path("id").asText();
        try (Connection c = MembershipDb.connect()) {
            MembershipDb.execute(c, "DELETE FROM invitations WHERE org_id = ? AND user_id = ?", org.id(), id);
        }
        for (Write how : Write.values()) {
            write(org, id, how, address("never-" + how, "a.example"), email, true);
            write(org, id, how, address("never-off-" + how, "a.example"), address("other-" + how, "a.example"), false);
        }
        write(org, id, Write.PUT, address("never-last", "a.example"), email, true);
        running.log.assertSettledAt(email, 0, SETTLE);
        assertThat(MembershipDb.invitations(org.id(), id)).isEmpty();
    }

    /**
     * The correction is written through an instance that sends no invitations, while the instance
     * that sends them has an index that is behind (its change feed paused): the old link is replaced
     * all the same, and the new one goes to the address the database holds, not to the one that
     * instance's index still shows.
     */
    @Test
    void theNewLinkGoesToTheAddressTheDatabaseHoldsWhateverTheSendingInstanceHasSeen() {
        TestOrg org = TestOrg.create(running.client, "Index Behind");
        ScimChecks other = new ScimChecks(writerClient);
        Polling.until(SharedDirectoryIT.LAG_BOUND,
                () -> assertThat(other.get(USERS + "?count=0", org.token()).status()).isEqualTo(200));
        String userName = address("behind", "a.example");
        String wrong = address("behind", "outsider-typo.example");
        String id = create(org, userName, wrong);
        String old = running.log.awaitFirst(wrong).token();

        ApiClient.await(running.server.app().changeFeed().pause());
        try {
            write(other, org, id, Write.PATCH, address("behind2", "a.example"), userName, true);
            assertThat(state(old)).isEqualTo("replaced");
            // The sending instance learns of the organisation's new invitation at its next sweep, or
            // sooner when it queues one itself.
            String bystander = address("bystander", "a.example");
            create(org, bystander, null);
            running.log.awaitFirst(bystander);
            String fresh = running.log.awaitFirst(userName).token();
            JsonNode seen = api.get(USERS + "?filter=" + URLEncoder.encode("userName eq \"" + userName + "\"",
                    StandardCharsets.UTF_8), org.token()).json();
            assertThat(seen.path("totalResults").asInt()).as("the sending instance's index is behind: %s", seen)
                    .isEqualTo(1);
            running.log.assertSettledAt(wrong, 1, SETTLE);
            ApiClient.Response ok = setup(fresh);
            assertThat(ok.status()).as(ok.text()).isEqualTo(200);
        } finally {
            running.server.app().changeFeed().resume();
        }
    }

    /** A person who has set up is not invited again when their address changes. */
    @Test
    void aSetUpPersonIsNotInvitedAgainWhenTheirAddressChanges() {
        TestOrg org = TestOrg.create(running.client, "Set Up Moves");
        String first = address("moves", "a.example");
        String id = create(org, address("moves-name", "a.example"), first);
        ApiClient.Response ok = setup(running.log.awaitFirst(first).token());
        assertThat(ok.status()).as(ok.text()).isEqualTo(200);

        String moved = address("moved", "b.example");
        for (Write how : Write.values()) {
            write(org, id, how, address("moves-name-" + how, "a.example"), moved, true);
        }

        running.log.assertSettledAt(moved, 0, SETTLE);
        assertThat(MembershipDb.invitations(org.id(), id)).hasSize(1);
        assertThat(MembershipDb.member(org.id(), id).setupState()).isEqualTo("accepted");
    }

    /**
     * Deactivating a person who has not set up ends their link for good: it answers "deactivated"
     * while they are, and "replaced" once a reactivation has sent a new one, which works.
     */
    @Test
    void deactivationEndsTheLinkForGoodAndReactivationSendsANewOne() {
        TestOrg org = TestOrg.create(running.client, "Deactivated Link");
        Map<String, Integer> settled = new HashMap<>();
        for (Write how : Write.values()) {
            String userName = address("off-" + how, "a.example");
            String id = create(org, userName, null);
            String old = running.log.awaitFirst(userName).token();

            write(org, id, how, userName, null, false);
            assertThat(state(old)).as("the link while deactivated (%s)", how).isEqualTo("deactivated");
            assertThat(setup(old).status()).isEqualTo(403);

            write(org, id, how, userName, null, true);
            String fresh = running.log.await(userName, 2, Duration.ofSeconds(15)).token();
            assertThat(state(old)).as("the first link after the reactivation (%s)", how).isEqualTo("replaced");
            assertThat(setup(old).status()).isEqualTo(410);
            ApiClient.Response ok = setup(fresh);
            assertThat(ok.status()).as("set-up with the new link after %s: %s", how, ok.text()).isEqualTo(200);
            settled.put(userName, 2);
        }
        // One wait for all four: no third link to any of them.
        running.log.assertSettledAt(settled, SETTLE);
    }

    /** A person deactivated before their invitation was sent is sent one link, once active, to the address they have then. */
    @Test
    void aPersonDeactivatedBeforeTheirInvitationWentIsInvitedOnceAtTheirAddressOnReactivation() {
        TestOrg org = TestOrg.create(running.client, "Inactive Moves");
        String userName = address("inactive", "a.example");
        ApiClient.Response created = api.post(USERS, org.token(), userBody(userName, null, false));
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        String id = created.json().path("id").asText();
        String email = address("inactive-mail", "b.example");
        write(org, id, Write.PATCH, userName, email, false);
        write(org, id, Write.PUT, userName, email, true);

        String token = running.log.awaitFirst(email).token();
        running.log.assertSettledAt(email, 1, SETTLE);
        assertThat(running.log.count(userName)).isZero();
        List<MembershipDb.Invitation> all = MembershipDb.invitations(org.id(), id);
        assertThat(all.stream().filter(i -> i.voidedAt() == null)).hasSize(1);
        assertThat(setup(token).status()).isEqualTo(200);
    }
}
