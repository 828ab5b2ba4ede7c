package io.hanzo.kms.scim.store.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.hanzo.kms.scim.it.TestServer;
import io.hanzo.kms.scim.store.MemberStore;
import io.vertx.pgclient.PgException;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A claim of the outbox that cannot go on gives up within its time limit instead of holding its
 * transaction open: every instance's change feed waits for the oldest open transaction.
 */
class OutboxClaimTimeLimitIT {
    @Test
    void aClaimHeldUpGivesUpWithinItsLimit() throws Exception {
        DatabaseTarget target = TestServer.database();
        try (StoreFixture db = StoreFixture.open(2, "Claim held up");
             Connection locker = DriverManager.getConnection(target.jdbcUrl(), target.user(), target.password())) {
            PgMemberStore members = new PgMemberStore(db.pool);
            Instant now = Instant.now();
            locker.setAutoCommit(false);
            try (Statement s = locker.createStatement()) {
                s.execute("LOCK TABLE invitations IN ACCESS EXCLUSIVE MODE");
            }
            try {
                Throwable failed = catchThrowable(() -> members.claimPending(db.org, 10,
                                id -> new MemberStore.MintedToken("token", new byte[] {1}), now, now.plus(Duration.ofDays(1)),
                                now.plusSeconds(60))
                        .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS));
                assertThat(failed).isInstanceOf(ExecutionException.class);
                assertThat(failed.getCause()).isInstanceOf(PgException.class);
                assertThat(((PgException) failed.getCause()).getSqlState()).isEqualTo("57014");
            } finally {
                locker.rollback();
            }
        }
    }
}
