package io.hanzo.kms.scim.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

/**
 * The change feed is pruned; an instance that fell further behind than it keeps reloads the
 * organisations whose changes it missed, and then shows them like the others.
 */
@ExtendWith(VertxExtension.class)
class ChangeFeedRetentionIT {
    private static final String USERS = TestOrg.SCIM + "/Users";
    private static final String GROUPS = TestOrg.SCIM + "/Groups";

    @Test
    void anInstanceBehindThePrunedFeedReloadsTheOrganisationsItMissed(Vertx vertx) {
        // The writer keeps one second of feed; the follower keeps the default but is paused.
        TestServer writer = TestServer.start(Map.of("SCIM_DATABASE_POOL_SIZE", "4", "SCIM_FEED_RETENTION_SECONDS", "1"));
        TestServer follower = TestServer.start(Map.of("SCIM_DATABASE_POOL_SIZE", "4"));
        ApiClient w = new ApiClient(vertx, writer.port());
        ApiClient f = new ApiClient(vertx, follower.port());
        try {
            TestOrg org = TestOrg.create(w, "Behind the feed");
            Polling.until(SharedDirectoryIT.LAG_BOUND,
                    () -> assertThat(f.get(USERS + "?count=0", org.token()).status()).isEqualTo(200));
            ApiClient.await(follower.app().changeFeed().pause());
            long reloadsBefore = follower.app().changeFeed().reloadedOrganizations();

            String uid = SharedDirectoryIT.createUser(w, org, "late@behind.example");
            String gid = SharedDirectoryIT.createGroup(w, org, "Behind");
            ApiClient.Response added = w.patch(GROUPS + "/" + gid, org.token(),
                    SharedDirectoryIT.addMembers("{\"value\":\"" + uid + "\"}"));
            assertThat(added.status()).as(added.text()).isEqualTo(204);
            UUID orgId = UUID.fromString(org.id());
            Polling.until(Duration.ofSeconds(30), () -> {
                assertThat(FeedSql.feedRows(orgId)).isZero();
                assertThat(FeedSql.pruned(orgId)).isTrue();
            });

            follower.app().changeFeed().resume();
            // Only the index answers a filter, so these show the reload: the feed was paused (no round
            // under way) before the writes, so none of them was read before it.
            Polling.until(SharedDirectoryIT.LAG_BOUND, () -> {
                JsonNode users = f.get(USERS + "?filter=" + ApiClient.encode("userName eq \"late@behind.example\""),
                        org.token()).json();
                assertThat(users.path("totalResults").asInt()).isEqualTo(1);
                JsonNode groups = f.get(GROUPS + "?filter=" + ApiClient.encode("displayName eq \"Behind\""), org.token()).json();
                assertThat(groups.path("totalResults").asInt()).isEqualTo(1);
                assertThat(groups.path("Resources").path(0).path("members").path(0).path("value").asText()).isEqualTo(uid);
            });
            assertThat(follower.app().changeFeed().reloadedOrganizations()).isGreaterThan(reloadsBefore);
        } finally {
            w.close();
            f.close();
            follower.stop();
            writer.stop();
        }
    }
}
