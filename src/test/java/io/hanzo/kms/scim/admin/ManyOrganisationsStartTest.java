package io.hanzo.kms.scim.admin;

import io.hanzo.kms.scim.store.TokenStore;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A start-up load over tens of thousands of organisations that fails at the first one fails with
 * that cause. Built as one chain of compose per organisation, the failure went down the chain one
 * link inside the other and overflowed the stack: the start-up logged a StackOverflowError instead
 * of the database's error, and the load never answered.
 */
class ManyOrganisationsStartTest {
    private static final int ORGANISATIONS = 40_000;
    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() {
        vertx.close();
    }

    @Test
    void aLoadThatFailsAtTheFirstOrganisationAnswersItsFailure() throws Exception {
        List<Organization> orgs = ManyOrganizations.of(ORGANISATIONS);
        IllegalStateException down = new IllegalStateException("the database is down");
        TokenStore store = (TokenStore) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {TokenStore.class},
                (proxy, method, args) -> {
                    if (!method.getName().equals("unrevoked")) {
                        throw new UnsupportedOperationException(method.getName());
                    }
                    Promise<Object> p = Promise.promise();
                    vertx.runOnContext(v -> p.fail(down));
                    return p.future();
                });
        Future<Void> loaded = new TokenService(store).load(orgs);
        Throwable cause = loaded.transform(ar -> Future.succeededFuture(ar.cause()))
                .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        assertThat(cause).isSameAs(down);
    }
}
