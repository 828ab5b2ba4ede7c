package io.hanzo.kms.scim.store;

import io.vertx.core.Future;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Provisioning events: written with each change by the stores, and here for refusals; read by admins. */
public interface EventStore {
    Future<Void> record(ScimEvent event);

    /**
     * Newest first, strictly older than {@code before} (null for the newest), optionally of one outcome
     * and one resource type.
     */
    Future<List<ScimEvent>> page(UUID orgId, UUID before, String outcome, String resourceType, int limit);

    /** Deletes up to {@code batch} of the organisation's events made before {@code cutoff}; answers how many. */
    Future<Integer> pruneBefore(UUID orgId, Instant cutoff, int batch);
}
