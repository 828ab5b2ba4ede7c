package io.hanzo.kms.scim.admin;

import io.hanzo.kms.scim.store.TokenStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A start-up load over tens of thousands of organisations that fails at the first one fails with
 * that cause. Built as one chain of compose per organisation, the failure went down the chain one
 * link inside the other and overflowed the stack: the start-up logged a StackOverflowError instead
 * of the database's error, and the load never answered.
 */
@ExtendWith(VertxExtension.class)
class ManyOrganisationsStartTest {
    private static final int ORGANISATIONS = 40_000;

    @Test
    void aLoadThatFailsAtTheFirstOrganisationAnswersItsFailure(Vertx vertx) throws Exception {
        List<Organization> orgs = ManyOrganizations.of(ORGANISATIONS);
        IllegalStateException down = new IllegalStateException("the database is down");
        TokenStore store = StoreStubs.answering(TokenStore.class, "unrevoked", args -> StoreStubs.failingLater(vertx, down));
        Future<Void> loaded = new TokenService(store).load(orgs);
        Throwable cause = loaded.transform(ar -> Future.succeededFuture(ar.cause()))
                .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        assertThat(cause).isSameAs(down);
    }
}
