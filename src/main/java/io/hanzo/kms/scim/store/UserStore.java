package io.hanzo.kms.scim.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;

import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Durable SCIM Users. A userName already taken in the organisation fails the future with
 * {@link DuplicateKeyException}.
 */
public interface UserStore {
    /**
     * Inserts several users in one statement. A user whose userName is already taken is left out of
     * the result rather than failing the others.
     */
    Future<List<UserRow>> insertAll(UUID orgId, List<UUID> ids, List<ObjectNode> attributes, List<Audit> audits);

    /**
     * Replaces the attributes if the stored version is still {@code expectedVersion}; empty when the
     * user is gone or was changed meanwhile.
     */
    Future<Optional<UserRow>> replace(UUID orgId, UUID id, long expectedVersion, ObjectNode attributes, Audit audit);

    /** False when there was no such user, or (when {@code expectedVersion} is given) not at that version. */
    Future<Boolean> delete(UUID orgId, UUID id, Long expectedVersion, Audit audit);

    Future<Optional<UserRow>> find(UUID orgId, UUID id);

    /**
     * Streams every user of the organisation, to load its index: row by row, so that a large
     * organisation neither sits in memory as one result nor holds an event loop for seconds.
     */
    Future<Void> forEach(UUID orgId, Consumer<UserRow> sink);
}
