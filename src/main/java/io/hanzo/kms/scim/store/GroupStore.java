package io.hanzo.kms.scim.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hanzo.kms.scim.protocol.group.MemberOp;
import io.vertx.core.Future;

import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

/**
 * Durable SCIM Groups and their memberships. Each call is one transaction. A displayName already
 * taken in the organisation fails the future with {@link DuplicateKeyException}.
 */
public interface GroupStore {
    Future<GroupWrite> insert(UUID orgId, UUID id, ObjectNode attributes, List<String> memberIds, Audit audit);

    /**
     * Writes new attributes (when not null) and applies the membership changes in order, each as row
     * operations; empty when the group does not exist, or when {@code expectedVersion} is given and the
     * group has another version.
     */
    Future<Optional<GroupWrite>> update(UUID orgId, UUID id, ObjectNode attributes, Long expectedVersion,
                                        List<MemberOp> memberOps, Audit audit);

    /**
     * Writes membership PATCHes queued on one group in one transaction: the group's version goes up
     * once, the net change is applied as one set operation, and each request gets its own success
     * event (naming the ids it added that are not users). Empty when the group does not exist.
     */
    Future<Optional<GroupWrite>> updateMembers(UUID orgId, UUID id, MemberPatchBatch batch);

    /**
     * False when there was no such group, or (when {@code expectedVersion} is given) not at that
     * version. Its memberships go with it.
     */
    Future<Boolean> delete(UUID orgId, UUID id, Long expectedVersion, Audit audit);

    /** The group and its members as of one moment, or empty. */
    Future<Optional<GroupSnapshot>> find(UUID orgId, UUID id);

    /** Every group of the organisation, to load its index. */
    Future<List<GroupRow>> all(UUID orgId);

    /**
     * Streams every membership of the organisation, to load its index: each user's group ids
     * together (in no particular order), users in the database's id order (uuids as unsigned bytes),
     * in batches handed to {@code sink} a few at a time, as {@link UserStore#forEach} does.
     */
    Future<Void> memberships(UUID orgId, Function<List<UserMemberships>, Future<Void>> sink);

    /**
     * A user's group ids, for loading: sixteen bytes each, as PostgreSQL sends a uuid, one after the
     * other (ten million memberships decode as one byte array per user, not a UUID each).
     */
    record UserMemberships(UUID userId, byte[] groupIds) {
    }
}
