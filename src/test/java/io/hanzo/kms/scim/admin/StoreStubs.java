package io.hanzo.kms.scim.admin;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.lang.reflect.Proxy;
import java.util.function.Function;

/** Stores of one method each, for tests of what walks many organisations without a database. */
public final class StoreStubs {
    private StoreStubs() {
    }

    /**
     * A store of {@code type} whose {@code method} answers what {@code answer} makes of its arguments;
     * any other method is refused.
     */
    @SuppressWarnings("unchecked")
    public static <S> S answering(Class<S> type, String method, Function<Object[], Future<?>> answer) {
        return (S) Proxy.newProxyInstance(StoreStubs.class.getClassLoader(), new Class<?>[] {type}, (proxy, m, args) -> {
            if (m.getName().equals(method)) {
                return answer.apply(args);
            }
            throw new UnsupportedOperationException(m.getName());
        });
    }

    /** {@code value}, on the event loop a moment later, as the database's answers come. */
    public static <T> Future<T> later(Vertx vertx, T value) {
        Promise<T> p = Promise.promise();
        vertx.runOnContext(v -> p.complete(value));
        return p.future();
    }

    /** A failure, on the event loop a moment later. */
    public static <T> Future<T> failingLater(Vertx vertx, Throwable cause) {
        Promise<T> p = Promise.promise();
        vertx.runOnContext(v -> p.fail(cause));
        return p.future();
    }
}
