package io.hanzo.kms.scim.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;

import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

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
     * The user as the database holds it, for a write that changes nothing; when it is still at
     * {@code expectedVersion}, the request's event is recorded with it.
     */
    Future<Optional<UserRow>> unchanged(UUID orgId, UUID id, long expectedVersion, Audit audit);

    /**
     * Streams every user of the organisation in id order, to load its index: in batches handed to
     * {@code sink} a few at a time, so that a large organisation neither sits in memory as one result
     * nor holds an event loop for seconds. The sink's futures complete on the caller's context (the
     * stream's), as those of {@code Context.executeBlocking} do.
     */
    Future<Void> forEach(UUID orgId, Function<List<StoredUser>, Future<Void>> sink);

    /** How many users the organisation has (to size the index before loading it). */
    Future<Integer> count(UUID orgId);
}
