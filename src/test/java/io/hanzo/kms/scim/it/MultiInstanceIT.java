package io.hanzo.kms.scim.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.function.Supplier;

/**
 * Two server instances on one database: tokens and organisation switches changed through one are in
 * force on the other at once.
 */
@ExtendWith(VertxExtension.class)
class MultiInstanceIT {
    private static TestServer second;
    private static ApiClient first;
    private static ApiClient other;

    @BeforeAll
    static void start(Vertx vertx) {
        first = new ApiClient(vertx, TestServer.shared().port());
        second = TestServer.start();
        other = new ApiClient(vertx, second.port());
    }

    @AfterAll
    static void stop() {
        first.close();
        other.close();
        second.stop();
    }

    @Test
    void aTokenCreatedOnOneInstanceWorksOnTheOtherAndItsRevocationToo() throws Exception {
        TestOrg org = TestOrg.create(first, "Two instances");
        int status = eventually(() -> other.get(TestOrg.SCIM + "/Users", org.token()).status(), 200);
        assertThat(status).isEqualTo(200);

        String tokenId = first.get("/api/v1/organizations/" + org.id() + "/scim-tokens", TestServer.ADMIN_TOKEN)
                .json().path("tokens").get(0).path("id").asText();
        ApiClient.Response revoked = first.delete("/api/v1/organizations/" + org.id() + "/scim-tokens/" + tokenId,
                TestServer.ADMIN_TOKEN);
        assertThat(revoked.status()).isEqualTo(204);
        status = eventually(() -> other.get(TestOrg.SCIM + "/Users", org.token()).status(), 401);
        assertThat(status).isEqualTo(401);
    }

    @Test
    void switchingScimOffOnOneInstanceRefusesOnTheOther() throws Exception {
        TestOrg org = TestOrg.create(first, "Switch off");
        assertThat(eventually(() -> other.get(TestOrg.SCIM + "/Users", org.token()).status(), 200)).isEqualTo(200);
        ApiClient.Response off = first.patch("/api/v1/organizations/" + org.id(), TestServer.ADMIN_TOKEN,
                "{\"scimEnabled\":false}");
        assertThat(off.status()).isEqualTo(200);
        assertThat(eventually(() -> other.get(TestOrg.SCIM + "/Users", org.token()).status(), 403)).isEqualTo(403);
    }

    /** Notifications take a few milliseconds to cross: the last status seen within two seconds. */
    private static int eventually(Supplier<Integer> status, int wanted) throws InterruptedException {
        int last = -1;
        for (int i = 0; i < 40; i++) {
            last = status.get();
            if (last == wanted) {
                return last;
            }
            Thread.sleep(50);
        }
        return last;
    }
}
