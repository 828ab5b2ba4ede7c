package io.hanzo.kms.scim.ops;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What the HTTP layer needs to know about the server's life: whether it is draining for shut-down
 * (readiness then answers 503) and where to record metrics ({@code null} when metrics are off).
 */
public final class Operations {
    private final AtomicBoolean draining = new AtomicBoolean();
    private final ServerMetrics metrics;

    public Operations(ServerMetrics metrics) {
        this.metrics = metrics;
    }

    public boolean draining() {
        return draining.get();
    }

    /** Returns false when shut-down had already begun. */
    public boolean startDraining() {
        return draining.compareAndSet(false, true);
    }

    public ServerMetrics metrics() {
        return metrics;
    }
}
