package io.hanzo.kms.scim.store;

import io.hanzo.kms.scim.admin.Organization;
import io.vertx.core.Future;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.function.UnaryOperator;

public interface OrganizationStore {
    Future<Organization> insert(Organization org);

    /**
     * Changes an organisation's plan and SCIM switch as {@code change} decides them on the row as
     * committed, under the row's lock: changes sent together apply one after another, each on the
     * result of the one before. A change that throws writes nothing and fails the future; one that
     * leaves the row as it is writes nothing either, and tells no other instance: its updatedAt stays.
     *
     * @param now the change's time, moved past the row's previous one when that is not earlier
     * @return the row as written (or as it is, when nothing changed), or null when there is no such organisation
     */
    Future<Organization> update(UUID id, UnaryOperator<Organization> change, Instant now);

    /** The organisation, or null. */
    Future<Organization> find(UUID id);

    /** Every organisation: read once at start-up to warm the caches. */
    Future<List<Organization>> all();

    /**
     * Makes the organisation unreachable, in one short transaction that tells every instance: from its
     * commit it is found no more, and no write adds to it. Its rows stay until {@link #finishErasure}.
     *
     * @return false when there is no such organisation, or it is being erased already
     */
    Future<Boolean> erase(UUID id, Instant at);

    /** The organisations whose erasure is still to finish, whichever instance began it. */
    Future<List<UUID>> erasing();

    /**
     * Deletes an erased organisation's rows, table by table in batches of {@code batch}, then its own
     * row, which ends the erasure. Several instances may finish the same erasure at once.
     *
     * @return the rows this call deleted
     */
    Future<Long> finishErasure(UUID id, int batch);
}
