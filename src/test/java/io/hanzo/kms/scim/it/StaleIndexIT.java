package io.hanzo.kms.scim.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Map;

/**
 * Writes and reads by id never trust an index that has not caught up. Instance B's change feed is
 * paused while A writes, so B's index is stale for certain; B must still answer from the database.
 */
@ExtendWith(VertxExtension.class)
class StaleIndexIT {
    private static final String USERS = TestOrg.SCIM + "/Users";
    private static final String GROUPS = TestOrg.SCIM + "/Groups";
    private static final String PATCH_OP = "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"],\"Operations\":[";

    private static TestServer serverA;
    private static TestServer serverB;
    private static ApiClient a;
    private static ApiClient b;

    @BeforeAll
    static void start(Vertx vertx) {
        serverA = TestServer.start(Map.of("SCIM_DATABASE_POOL_SIZE", "4"));
        serverB = TestServer.start(Map.of("SCIM_DATABASE_POOL_SIZE", "4"));
        a = new ApiClient(vertx, serverA.port());
        b = new ApiClient(vertx, serverB.port());
    }

    @AfterAll
    static void stop() {
        a.close();
        b.close();
        serverA.stop();
        serverB.stop();
    }

    @AfterEach
    void resumeFeed() {
        serverB.app().changeFeed().resume();
    }

    private static TestOrg orgSeenByBoth(String name) {
        TestOrg org = TestOrg.create(a, name);
        Polling.until(SharedDirectoryIT.LAG_BOUND, () -> assertThat(b.get(USERS + "?count=0", org.token()).status()).isEqualTo(200));
        return org;
    }

    @Test
    void aReaderThatWasAwayResumesFromItsPositionWithoutReloading() {
        TestOrg org = orgSeenByBoth("Resumed");
        ApiClient.await(serverB.app().changeFeed().pause());
        long reloads = serverB.app().changeFeed().reloadedOrganizations();
        long applied = serverB.app().changeFeed().appliedChanges();
        String kept = SharedDirectoryIT.createUser(a, org, "kept@resumed.example");
        String dropped = SharedDirectoryIT.createUser(a, org, "dropped@resumed.example");
        String gid = SharedDirectoryIT.createGroup(a, org, "Resumed");
        assertThat(a.patch(GROUPS + "/" + gid, org.token(),
                SharedDirectoryIT.addMembers("{\"value\":\"" + kept + "\"},{\"value\":\"" + dropped + "\"}")).status())
                .isEqualTo(204);
        assertThat(a.delete(USERS + "/" + dropped, org.token()).status()).isEqualTo(204);
        assertThat(b.get(USERS + "?filter=" + ApiClient.encode("userName eq \"kept@resumed.example\""), org.token())
                .json().get("totalResults").asInt()).as("nothing reaches a paused reader").isZero();

        serverB.app().changeFeed().resume();
        // Filters and lists answer from the index only: this is the feed's work.
        Polling.until(SharedDirectoryIT.LAG_BOUND, () -> {
            assertThat(b.get(USERS + "?filter=" + ApiClient.encode("userName sw \"\""), org.token())
                    .json().get("Resources").findValuesAsText("id")).containsExactly(kept);
            JsonNode groups = b.get(GROUPS + "?filter=" + ApiClient.encode("displayName eq \"Resumed\""), org.token()).json();
            assertThat(groups.path("totalResults").asInt()).isEqualTo(1);
            // path(): a group not yet showing its members is a retried assertion, not an error.
            assertThat(groups.path("Resources").path(0).path("members").findValuesAsText("value")).containsExactly(kept);
        });
        assertThat(serverB.app().changeFeed().reloadedOrganizations()).isEqualTo(reloads);
        assertThat(serverB.app().changeFeed().appliedChanges() - applied).isGreaterThanOrEqualTo(5);
    }

    @Test
    void resourcesCreatedElsewhereAreReadAndWrittenThroughAStaleIndex() {
        TestOrg org = orgSeenByBoth("Stale reads");
        ApiClient.await(serverB.app().changeFeed().pause());
        String uid = SharedDirectoryIT.createUser(a, org, "stale@reads.example");
        String gid = SharedDirectoryIT.createGroup(a, org, "Stale");

        assertThat(b.get(USERS + "/" + uid, org.token()).status()).isEqualTo(200);
        ApiClient.Response patched = b.patch(USERS + "/" + uid, org.token(),
                PATCH_OP + "{\"op\":\"replace\",\"path\":\"title\",\"value\":\"Lead\"}]}");
        assertThat(patched.status()).as(patched.text()).isEqualTo(200);
        assertThat(patched.json().get("title").asText()).isEqualTo("Lead");

        // A group B has never seen, with a member B has not seen either.
        String other = SharedDirectoryIT.createUser(a, org, "other@reads.example");
        ApiClient.Response added = b.patch(GROUPS + "/" + gid, org.token(),
                SharedDirectoryIT.addMembers("{\"value\":\"" + uid + "\"},{\"value\":\"" + other + "\"}"));
        assertThat(added.status()).as(added.text()).isEqualTo(204);
        assertThat(SharedDirectoryIT.members(b, org, gid)).containsExactlyInAnyOrder(uid, other);
        // A learns of B's write through the feed, within the lag.
        Polling.until(SharedDirectoryIT.LAG_BOUND,
                () -> assertThat(SharedDirectoryIT.members(a, org, gid)).containsExactlyInAnyOrder(uid, other));

        // A later member change through A: B's copy is behind, and B's next write must not undo it.
        String third = SharedDirectoryIT.createUser(a, org, "third@reads.example");
        assertThat(a.patch(GROUPS + "/" + gid, org.token(), SharedDirectoryIT.addMembers("{\"value\":\"" + third + "\"}"))
                .status()).isEqualTo(204);
        assertThat(b.patch(GROUPS + "/" + gid, org.token(), SharedDirectoryIT.removeMember(other)).status()).isEqualTo(204);
        assertThat(SharedDirectoryIT.members(b, org, gid)).containsExactlyInAnyOrder(uid, third);
    }

    @Test
    void anIfMatchOfAVersionCommittedElsewhereIsNotRefused() {
        TestOrg org = orgSeenByBoth("Stale versions");
        String uid = SharedDirectoryIT.createUser(a, org, "versions@stale.example");
        String gid = SharedDirectoryIT.createGroup(a, org, "Versions");
        assertThat(b.get(USERS + "/" + uid, org.token()).status()).isEqualTo(200);
        assertThat(b.get(GROUPS + "/" + gid, org.token()).status()).isEqualTo(200);
        ApiClient.await(serverB.app().changeFeed().pause());

        ApiClient.Response changed = a.patch(USERS + "/" + uid, org.token(),
                PATCH_OP + "{\"op\":\"replace\",\"path\":\"title\",\"value\":\"Two\"}]}");
        String etag = changed.header("ETag");
        ApiClient.Response withEtag = b.patchIfMatch(USERS + "/" + uid, org.token(), etag,
                PATCH_OP + "{\"op\":\"replace\",\"path\":\"title\",\"value\":\"Three\"}]}");
        assertThat(withEtag.status()).as(withEtag.text()).isEqualTo(200);
        assertThat(withEtag.json().get("title").asText()).isEqualTo("Three");
        assertThat(changed.status()).as(changed.text()).isEqualTo(200);

        ApiClient.Response renamed = a.patch(GROUPS + "/" + gid + "?attributes=displayName", org.token(),
                PATCH_OP + "{\"op\":\"replace\",\"path\":\"displayName\",\"value\":\"Versions 2\"}]}");
        assertThat(renamed.status()).as(renamed.text()).isEqualTo(200);
        ApiClient.Response groupWithEtag = b.patchIfMatch(GROUPS + "/" + gid + "?attributes=displayName,externalId",
                org.token(), renamed.header("ETag"), PATCH_OP + "{\"op\":\"replace\",\"path\":\"externalId\",\"value\":\"v3\"}]}");
        assertThat(groupWithEtag.status()).as(groupWithEtag.text()).isEqualTo(200);
        // Computed from the database's attributes, not B's stale copy: the rename made through A stays.
        assertThat(groupWithEtag.json().get("displayName").asText()).isEqualTo("Versions 2");
        assertThat(groupWithEtag.json().get("externalId").asText()).isEqualTo("v3");
        // And an If-Match of an old version is still refused.
        ApiClient.Response old = b.patchIfMatch(GROUPS + "/" + gid, org.token(), "W/\"1\"",
                PATCH_OP + "{\"op\":\"replace\",\"path\":\"externalId\",\"value\":\"v4\"}]}");
        assertThat(old.status()).as(old.text()).isEqualTo(412);

        // Deletions under If-Match: a version A committed is current, the one before is not.
        ApiClient.Response lastChange = a.patch(USERS + "/" + uid, org.token(),
                PATCH_OP + "{\"op\":\"replace\",\"path\":\"title\",\"value\":\"Four\"}]}");
        assertThat(b.ifMatch(HttpMethod.DELETE, USERS + "/" + uid, org.token(), withEtag.header("ETag"), null).status())
                .isEqualTo(412);
        assertThat(b.ifMatch(HttpMethod.DELETE, USERS + "/" + uid, org.token(), lastChange.header("ETag"), null).status())
                .isEqualTo(204);
        assertThat(b.ifMatch(HttpMethod.DELETE, GROUPS + "/" + gid, org.token(), "W/\"2\"", null).status()).isEqualTo(412);
        assertThat(b.ifMatch(HttpMethod.DELETE, GROUPS + "/" + gid, org.token(), groupWithEtag.header("ETag"), null).status())
                .isEqualTo(204);
        // A learns of B's deletions through the feed, within the lag.
        Polling.until(SharedDirectoryIT.LAG_BOUND, () -> {
            assertThat(a.get(USERS + "/" + uid, org.token()).status()).isEqualTo(404);
            assertThat(a.get(GROUPS + "/" + gid, org.token()).status()).isEqualTo(404);
        });
    }

    @Test
    void aChangeThatOnlyAStaleIndexShowsAsMadeIsStillWritten() throws Exception {
        TestOrg org = orgSeenByBoth("Stale no-op");
        String uid = SharedDirectoryIT.createUser(a, org, "noop@stale.example");
        assertThat(a.patch(USERS + "/" + uid, org.token(),
                PATCH_OP + "{\"op\":\"replace\",\"path\":\"title\",\"value\":\"Old\"}]}").status()).isEqualTo(200);
        Polling.until(SharedDirectoryIT.LAG_BOUND, () -> assertThat(b.get(USERS + "?filter="
                + ApiClient.encode("title eq \"Old\""), org.token()).json().get("totalResults").asInt()).isEqualTo(1));
        ApiClient.await(serverB.app().changeFeed().pause());
        ApiClient.Response moved = a.patch(USERS + "/" + uid, org.token(),
                PATCH_OP + "{\"op\":\"replace\",\"path\":\"title\",\"value\":\"New\"}]}");
        assertThat(moved.status()).isEqualTo(200);

        // B's index still says "Old", so B sees nothing to change; the database says otherwise.
        ApiClient.Response back = b.patch(USERS + "/" + uid, org.token(),
                PATCH_OP + "{\"op\":\"replace\",\"path\":\"title\",\"value\":\"Old\"}]}");
        assertThat(back.status()).as(back.text()).isEqualTo(200);
        assertThat(back.json().get("title").asText()).isEqualTo("Old");
        assertThat(back.header("ETag")).isNotIn(moved.header("ETag"));
        assertThat(storedTitle(uid)).isEqualTo("Old");
        Polling.until(SharedDirectoryIT.LAG_BOUND,
                () -> assertThat(a.get(USERS + "/" + uid, org.token()).json().get("title").asText()).isEqualTo("Old"));

        // The same change again is one: nothing is written, and the version stays.
        ApiClient.Response again = b.patch(USERS + "/" + uid, org.token(),
                PATCH_OP + "{\"op\":\"replace\",\"path\":\"title\",\"value\":\"Old\"}]}");
        assertThat(again.status()).as(again.text()).isEqualTo(200);
        assertThat(again.header("ETag")).isEqualTo(back.header("ETag"));
        assertThat(again.json().get("meta").get("lastModified")).isEqualTo(back.json().get("meta").get("lastModified"));
    }

    /**
     * A membership PATCH that finds nothing to change in the database writes nothing, and is answered
     * with the group as the database holds it, even by an instance whose index has not seen the
     * write that made the change already made.
     */
    @Test
    void aMemberChangeAlreadyMadeElsewhereIsAnsweredWithTheGroupAsItIs() {
        TestOrg org = orgSeenByBoth("Stale member no-op");
        String first = SharedDirectoryIT.createUser(a, org, "first@member-noop.example");
        String second = SharedDirectoryIT.createUser(a, org, "second@member-noop.example");
        String gid = SharedDirectoryIT.createGroup(a, org, "Member no-op");
        assertThat(a.patch(GROUPS + "/" + gid, org.token(), SharedDirectoryIT.addMembers("{\"value\":\"" + first + "\"}"))
                .status()).isEqualTo(204);
        Polling.until(SharedDirectoryIT.LAG_BOUND,
                () -> assertThat(SharedDirectoryIT.members(b, org, gid)).containsExactly(first));
        ApiClient.await(serverB.app().changeFeed().pause());
        ApiClient.Response added = a.patch(GROUPS + "/" + gid, org.token(),
                SharedDirectoryIT.addMembers("{\"value\":\"" + second + "\"}"));
        assertThat(added.status()).isEqualTo(204);

        ApiClient.Response again = b.patch(GROUPS + "/" + gid + "?attributes=members", org.token(),
                SharedDirectoryIT.addMembers("{\"value\":\"" + second + "\"}"));
        assertThat(again.status()).as(again.text()).isEqualTo(200);
        assertThat(again.header("ETag")).isEqualTo(added.header("ETag"));
        assertThat(again.json().get("members").findValuesAsText("value")).containsExactlyInAnyOrder(first, second);
        assertThat(SharedDirectoryIT.members(b, org, gid)).containsExactlyInAnyOrder(first, second);
        serverB.app().changeFeed().resume();
        JsonNode onA = a.get(GROUPS + "/" + gid, org.token()).json();
        assertThat(onA.get("meta").get("version").asText()).isEqualTo(added.header("ETag"));
        Polling.until(SharedDirectoryIT.LAG_BOUND, () -> assertThat(b.get(GROUPS + "/" + gid, org.token()).json()
                .get("members").findValuesAsText("value")).containsExactlyInAnyOrder(first, second));
    }

    /**
     * A membership PATCH under If-Match is refused when the version it names is no longer the
     * database's, also by an instance whose index still holds that version: the member another
     * instance added meanwhile stays.
     */
    @Test
    void aMemberPatchUnderAnIfMatchOnlyAStaleIndexHoldsIsRefused() {
        TestOrg org = orgSeenByBoth("Stale member If-Match");
        String first = SharedDirectoryIT.createUser(a, org, "first@member-ifmatch.example");
        String second = SharedDirectoryIT.createUser(a, org, "second@member-ifmatch.example");
        String third = SharedDirectoryIT.createUser(a, org, "third@member-ifmatch.example");
        String gid = SharedDirectoryIT.createGroup(a, org, "Member If-Match");
        Polling.until(SharedDirectoryIT.LAG_BOUND,
                () -> assertThat(b.get(GROUPS + "/" + gid, org.token()).status()).isEqualTo(200));
        String seen = b.get(GROUPS + "/" + gid, org.token()).header("ETag");
        ApiClient.await(serverB.app().changeFeed().pause());
        assertThat(a.patch(GROUPS + "/" + gid, org.token(), SharedDirectoryIT.addMembers("{\"value\":\"" + first + "\"}"))
                .status()).isEqualTo(204);

        ApiClient.Response replace = b.patchIfMatch(GROUPS + "/" + gid, org.token(), seen, PATCH_OP
                + "{\"op\":\"replace\",\"path\":\"members\",\"value\":[{\"value\":\"" + second + "\"}]}]}");
        assertThat(replace.status()).as(replace.text()).isEqualTo(412);
        ApiClient.Response add = b.patchIfMatch(GROUPS + "/" + gid, org.token(), seen, PATCH_OP
                + "{\"op\":\"add\",\"path\":\"members\",\"value\":[{\"value\":\"" + third + "\"}]}]}");
        assertThat(add.status()).as(add.text()).isEqualTo(412);
        assertThat(SharedDirectoryIT.members(a, org, gid)).containsExactly(first);
    }

    /** The title the database holds for the user. */
    private static String storedTitle(String uid) throws Exception {
        try (java.sql.Connection c = MembershipDb.connect();
             java.sql.PreparedStatement ps = c.prepareStatement("SELECT attributes->>'title' FROM scim_users WHERE id = ?")) {
            ps.setObject(1, java.util.UUID.fromString(uid));
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                return rs.getString(1);
            }
        }
    }

    @Test
    void aNameFreedElsewhereIsFreeThroughAStaleIndex() {
        TestOrg org = orgSeenByBoth("Stale names");
        String uid = SharedDirectoryIT.createUser(a, org, "freed@names.example");
        String gid = SharedDirectoryIT.createGroup(a, org, "Freed");
        String renamedUser = SharedDirectoryIT.createUser(a, org, "renamed@names.example");
        assertThat(b.get(USERS + "/" + uid, org.token()).status()).isEqualTo(200);
        assertThat(b.get(USERS + "/" + renamedUser, org.token()).status()).isEqualTo(200);
        assertThat(b.get(GROUPS + "/" + gid, org.token()).status()).isEqualTo(200);
        ApiClient.await(serverB.app().changeFeed().pause());

        assertThat(a.delete(USERS + "/" + uid, org.token()).status()).isEqualTo(204);
        assertThat(a.delete(GROUPS + "/" + gid, org.token()).status()).isEqualTo(204);
        assertThat(a.patch(USERS + "/" + renamedUser, org.token(),
                PATCH_OP + "{\"op\":\"replace\",\"path\":\"userName\",\"value\":\"moved@names.example\"}]}").status())
                .isEqualTo(200);

        assertThat(SharedDirectoryIT.createUser(b, org, "freed@names.example")).isNotEqualTo(uid);
        assertThat(SharedDirectoryIT.createUser(b, org, "renamed@names.example")).isNotEqualTo(renamedUser);
        assertThat(SharedDirectoryIT.createGroup(b, org, "Freed")).isNotEqualTo(gid);
        // A name still held is refused, by the database's word.
        ApiClient.Response taken = b.post(USERS, org.token(), SharedDirectoryIT.userBody("moved@names.example"));
        assertThat(taken.status()).as(taken.text()).isEqualTo(409);
        assertThat(taken.json().get("scimType").asText()).isEqualTo("uniqueness");
        // And the deleted ones are misses for writes at once.
        assertThat(b.delete(USERS + "/" + uid, org.token()).status()).isEqualTo(404);
        assertThat(b.delete(GROUPS + "/" + gid, org.token()).status()).isEqualTo(404);
    }
}
