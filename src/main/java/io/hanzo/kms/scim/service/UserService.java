package io.hanzo.kms.scim.service;

import io.hanzo.kms.scim.protocol.CaseFold;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hanzo.kms.scim.admin.Organization;
import io.hanzo.kms.scim.concurrent.OneAfterAnother;
import io.hanzo.kms.scim.index.DirectoryIndex;
import io.hanzo.kms.scim.index.DocumentCodec;
import io.hanzo.kms.scim.index.UserDocuments;
import io.hanzo.kms.scim.index.IndexedUser;
import io.hanzo.kms.scim.index.UserIndex;
import io.hanzo.kms.scim.index.UserQuery;
import io.hanzo.kms.scim.protocol.Json;
import io.hanzo.kms.scim.protocol.ScimException;
import io.hanzo.kms.scim.protocol.filter.Filter;
import io.hanzo.kms.scim.protocol.filter.FilterEvaluator;
import io.hanzo.kms.scim.protocol.patch.PatchEngine;
import io.hanzo.kms.scim.protocol.patch.PatchRequest;
import io.hanzo.kms.scim.protocol.resource.AttributeProjection;
import io.hanzo.kms.scim.protocol.resource.Precondition;
import io.hanzo.kms.scim.protocol.resource.ResourceNormalizer;
import io.hanzo.kms.scim.protocol.resource.ResourceRenderer;
import io.hanzo.kms.scim.protocol.schema.UserSchemas;
import io.hanzo.kms.scim.protocol.tolerance.IdpTolerance;
import io.hanzo.kms.scim.store.Audit;
import io.hanzo.kms.scim.store.DuplicateKeyException;
import io.hanzo.kms.scim.store.Ids;
import io.hanzo.kms.scim.store.ResourceChange;
import io.hanzo.kms.scim.store.StatementRefusedException;
import io.hanzo.kms.scim.store.UserRow;
import io.hanzo.kms.scim.store.UserStore;
import io.vertx.core.Future;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.nio.charset.StandardCharsets;
import io.vertx.core.Vertx;
import io.hanzo.kms.scim.store.StoredUser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.hanzo.kms.scim.index.GroupIndex;
import io.hanzo.kms.scim.index.GroupsAttribute;
import io.hanzo.kms.scim.index.IndexedGroup;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.function.UnaryOperator;

/**
 * SCIM Users of every organisation. Reads are answered from the in-memory index; every write goes to
 * the database first and reaches the index through {@link #committed} only after the commit, so that
 * the index never shows what the database does not hold.
 */
public final class UserService {
    private static final Logger LOG = LoggerFactory.getLogger(UserService.class);
    /** How often a conditional update is retried when another writer got there first. */
    private static final int MAX_ATTEMPTS = 8;

    private final UserStore store;
    private final DirectoryIndex index;
    private final ResourceRenderer renderer;
    private final ResourceNormalizer normalizer = new ResourceNormalizer(UserSchemas.USER);
    private final PatchEngine patchEngine = new PatchEngine(UserSchemas.USER);
    private final GroupsAttribute groupsAttribute;
    private final UserQuery query;
    private static final int CREATE_BATCH = 1000;
    /** Per organisation: concurrent creations coalesced into shared statements and commits. */
    private final Map<UUID, GroupCommit<PendingCreate, Object>> creations = new ConcurrentHashMap<>();
    /** Writes to one user run one after another here; the version check covers other instances. */
    private final KeyedSerializer<UUID> perUser = new KeyedSerializer<>();

    private final String groupsEndpointUrl;
    /** How the index keeps user documents small. */
    private final DocumentCodec codec;
    /** Told after users are created, each with a queued invitation. */
    private volatile Consumer<UUID> onProvisioned = orgId -> { };
    /** Told the size of each group-commit batch of creations (for metrics). */
    private volatile IntConsumer onBatch = size -> { };
    private volatile Runnable onCommitted = () -> { };

    /**
     * @param groupsEndpointUrl absolute URL of /Groups, for the {@code $ref} of a user's groups
     */
    public UserService(UserStore store, DirectoryIndex index, ResourceRenderer renderer, String groupsEndpointUrl) {
        this.store = store;
        this.index = index;
        this.renderer = renderer;
        this.groupsEndpointUrl = groupsEndpointUrl;
        this.groupsAttribute = new GroupsAttribute(groupsEndpointUrl);
        this.query = new UserQuery(new FilterEvaluator(UserSchemas.USER), groupsAttribute);
        this.codec = UserDocuments.codec(renderer);
    }

    /** Fills the index from the database, one organisation at a time. */
    public Future<Void> load(List<Organization> orgs) {
        long start = System.nanoTime();
        Map<UUID, UserIndex> indexes = new LinkedHashMap<>();
        orgs.forEach(org -> indexes.put(org.id(), index.users(org.id())));
        return OneAfterAnother.forEach(indexes.entrySet(), e -> loadInto(e.getKey(), e.getValue()))
                .onSuccess(v -> LOG.info("Index: {} users of {} organisations loaded in {} ms", index.userCount(),
                orgs.size(), (System.nanoTime() - start) / 1_000_000));
    }

    /**
     * Fills a new index of the organisation's users from the database. The event loop only reads rows;
     * packing them runs on worker threads, several batches at once. No document is parsed: each user
     * keeps its stored attributes until it is first read (see {@link IndexedUser#stored}).
     */
    public Future<Void> loadInto(UUID orgId, UserIndex users) {
        // Counted first, so that the index's maps are made at their size rather than grown.
        return store.count(orgId).compose(n -> {
            users.expect(n);
            return store.forEach(orgId, batch -> Vertx.currentContext().executeBlocking(() -> {
                List<IndexedUser> packed = new ArrayList<>(batch.size());
                for (StoredUser s : batch) {
                    packed.add(IndexedUser.stored(s, codec));
                }
                users.putAll(packed);
                return null;
            }, false));
        });
    }

    /**
     * The user, from the index or else from the database: a user another instance created moments ago
     * may not have reached this index yet.
     */
    public Future<IndexedUser> lookup(UUID orgId, String id) {
        UUID uuid = Ids.parseOrNull(id);
        if (uuid == null) {
            return Future.failedFuture(notFound(id));
        }
        IndexedUser u = index.users(orgId).get(uuid);
        return u != null ? Future.succeededFuture(u) : reread(orgId, uuid)
                .compose(found -> found != null ? Future.succeededFuture(found) : Future.failedFuture(notFound(id)));
    }

    /** The user as the database holds it now, put into the index; null when there is none. */
    private Future<IndexedUser> reread(UUID orgId, UUID id) {
        return store.find(orgId, id).map(row -> {
            if (row.isEmpty()) {
                return null;
            }
            IndexedUser fresh = committed(orgId, row.get());
            IndexedUser held = index.users(orgId).get(id);
            return held != null && held.version() > fresh.version() ? held : fresh;
        });
    }

    /** Drops an erased organisation's batching of creations; a batch under way ends on its own. */
    public void forget(UUID orgId) {
        creations.remove(orgId);
    }

    /** Sets what runs after each committed write (tells the other instances' change feeds). */
    public void onCommitted(Runnable listener) {
        this.onCommitted = listener;
    }

    /** A change another instance (or this one) committed, from the change feed. */
    public void applyChange(ResourceChange change) {
        UUID orgId = change.orgId();
        if (change.kind() == ResourceChange.Kind.USER_DELETED) {
            index.users(orgId).remove(change.id());
            index.groups(orgId).removeUser(change.id());
        } else {
            index.users(orgId).put(indexed(change.userRow()));
        }
    }

    /**
     * True when applying this version of the user from the change feed would change nothing: the
     * index holds that version or a newer one, or saw the user deleted.
     */
    public boolean holds(UUID orgId, UUID id, long version) {
        UserIndex users = index.users(orgId);
        IndexedUser held = users.get(id);
        return held != null ? held.version() >= version : users.isDeleted(id);
    }

    /** Sets who hears of new provisionings (the invitation outbox). */
    public void onBatch(IntConsumer listener) {
        this.onBatch = listener;
    }

    public void onProvisioned(Consumer<UUID> listener) {
        this.onProvisioned = listener;
    }

    /** A user's URL, as its {@code meta.location}; also for ids no user has. */
    public String location(String id) {
        return renderer.location(id);
    }

    /** The user, or null. */
    public IndexedUser find(UUID orgId, UUID id) {
        return index.users(orgId).get(id);
    }

    public UserQuery.Page list(UUID orgId, Filter filter, Comparator<JsonNode> order, int startIndex, int count) {
        return query.run(index.users(orgId), index.groups(orgId), filter, order, startIndex, count);
    }

    /** What {@link #list} would examine, and whether that is so many users that it belongs on a worker. */
    public UserQuery.Plan plan(UUID orgId, Filter filter, Comparator<JsonNode> order) {
        return query.plan(index.users(orgId), index.groups(orgId), filter, order);
    }

    /** {@link #list} with its plan already made. */
    public UserQuery.Page list(UUID orgId, UserQuery.Plan plan, Filter filter, Comparator<JsonNode> order,
                               int startIndex, int count) {
        return query.run(index.users(orgId), index.groups(orgId), plan, filter, order, startIndex, count);
    }

    /**
     * Creates a user. Concurrent creations in one organisation share a database statement and commit
     * (see {@link GroupCommit}); each still gets its own answer, and only after the commit.
     */
    public Future<IndexedUser> create(UUID orgId, JsonNode body, Audit audit) {
        ObjectNode attributes = normalizer.normalizeSent(body);
        if (!attributes.has("active")) {
            attributes.put("active", true);
        }
        return userNameFree(orgId, null, attributes).compose(v -> creations.computeIfAbsent(orgId,
                        id -> new GroupCommit<PendingCreate, Object>(batch -> {
                            onBatch.accept(batch.size());
                            return insertAll(id, batch);
                        }, CREATE_BATCH, StatementRefusedException.class::isInstance))
                .submit(new PendingCreate(attributes, audit)))
                .map(outcome -> {
                    if (outcome instanceof ScimException e) {
                        throw e;
                    }
                    return (IndexedUser) outcome;
                });
    }

    /** A creation waiting for its batch. */
    private record PendingCreate(ObjectNode attributes, Audit audit) {
    }

    /** Inserts normalised users; each outcome is the created user or the uniqueness error. */
    private Future<List<Object>> insertAll(UUID orgId, List<PendingCreate> batch) {
        List<UUID> ids = new ArrayList<>(batch.size());
        List<ObjectNode> attributes = new ArrayList<>(batch.size());
        List<Audit> audits = new ArrayList<>(batch.size());
        for (PendingCreate p : batch) {
            ids.add(Ids.newId());
            attributes.add(p.attributes());
            audits.add(p.audit());
        }
        return store.insertAll(orgId, ids, attributes, audits).map(inserted -> {
            if (!inserted.isEmpty()) {
                onCommitted.run();
            }
            Map<UUID, UserRow> byId = new HashMap<>();
            inserted.forEach(r -> byId.put(r.id(), r));
            List<Object> outcomes = new ArrayList<>(batch.size());
            for (int i = 0; i < batch.size(); i++) {
                UserRow row = byId.get(ids.get(i));
                outcomes.add(row != null ? committed(orgId, row)
                        : userNameTaken(batch.get(i).attributes().path("userName").asText()));
            }
            if (!inserted.isEmpty()) {
                // Once indexed: the outbox, which may run on another thread, holds back whom it cannot find.
                onProvisioned.accept(orgId);
            }
            return outcomes;
        });
    }

    /**
     * Creates several users with one database statement. Each outcome is the created user or the
     * {@link ScimException} that refused it; one refusal does not stop the others.
     */
    /**
     * @param errorBudget once this many have been refused, the rest are not attempted: their outcome
     *                    is null (a bulk request's failOnErrors)
     */
    public Future<List<Object>> createBatch(UUID orgId, List<JsonNode> bodies, Audit audit, int errorBudget) {
        return verifyIndexedHolders(orgId, bodies).compose(v -> createVerified(orgId, bodies, audit, errorBudget));
    }

    /**
     * Before a batch is checked against the index: the holders the index names for the batch's
     * userNames are read again from the database, so that a name freed on another instance is free.
     */
    private Future<Void> verifyIndexedHolders(UUID orgId, List<JsonNode> bodies) {
        Set<UUID> holders = new HashSet<>();
        for (JsonNode b : bodies) {
            // Attribute names are case-insensitive (RFC 7643 §2.1); the body is not normalised yet.
            b.fields().forEachRemaining(field -> {
                UUID holder = field.getKey().equalsIgnoreCase("userName") && field.getValue().isTextual()
                        ? index.users(orgId).idByUserName(field.getValue().asText()) : null;
                if (holder != null) {
                    holders.add(holder);
                }
            });
        }
        List<Future<Void>> checks = new ArrayList<>();
        for (UUID holder : holders) {
            checks.add(refreshOrForget(orgId, holder));
        }
        return Future.all(checks).mapEmpty();
    }

    private Future<List<Object>> createVerified(UUID orgId, List<JsonNode> bodies, Audit audit, int errorBudget) {
        List<Object> outcomes = new ArrayList<>(Collections.nCopies(bodies.size(), null));
        List<PendingCreate> rows = new ArrayList<>();
        List<Integer> positions = new ArrayList<>();
        Set<String> namesInBatch = new HashSet<>();
        int refused = 0;
        for (int i = 0; i < bodies.size() && refused < errorBudget; i++) {
            try {
                ObjectNode attributes = normalizer.normalizeSent(bodies.get(i));
                if (!attributes.has("active")) {
                    attributes.put("active", true);
                }
                checkUserNameFree(orgId, null, attributes);
                if (!namesInBatch.add(CaseFold.lowerValue(attributes.path("userName").asText()))) {
                    throw userNameTaken(attributes.path("userName").asText());
                }
                rows.add(new PendingCreate(attributes, audit));
                positions.add(i);
            } catch (ScimException e) {
                outcomes.set(i, e);
                refused++;
            }
        }
        if (rows.isEmpty()) {
            return Future.succeededFuture(outcomes);
        }
        return insertAll(orgId, rows)
                .recover(failure -> rows.size() > 1 && failure instanceof StatementRefusedException
                        ? insertOneByOne(orgId, rows) : Future.failedFuture(failure))
                .map(written -> {
                    for (int i = 0; i < rows.size(); i++) {
                        outcomes.set(positions.get(i), written.get(i));
                    }
                    return outcomes;
                });
    }

    /**
     * The rows of a refused insert, each alone, so that only the one the database cannot take fails
     * (its outcome is a 500 {@link ScimException}, the others are created).
     */
    private Future<List<Object>> insertOneByOne(UUID orgId, List<PendingCreate> rows) {
        List<Object> outcomes = new ArrayList<>(rows.size());
        Future<Void> chain = Future.succeededFuture();
        for (PendingCreate row : rows) {
            chain = chain.compose(v -> insertAll(orgId, List.of(row)).transform(ar -> {
                outcomes.add(ar.succeeded() ? ar.result().get(0)
                        : new ScimException(500, null, "The database could not store this user."));
                return Future.<Void>succeededFuture();
            }));
        }
        return chain.map(v -> outcomes);
    }

    /**
     * Full replace (PUT). {@code active} left out keeps its value: an IdP that omits it is not asking
     * to reactivate a disabled person.
     */
    public Future<IndexedUser> replace(UUID orgId, String id, JsonNode body, Precondition precondition, Audit audit) {
        ObjectNode replacement = normalizer.normalizeSent(body);
        return update(orgId, id, precondition, audit, current -> {
            ObjectNode next = replacement.deepCopy();
            if (!next.has("active")) {
                next.put("active", IdpTolerance.PUT_WITHOUT_ACTIVE_KEEPS_ACTIVE.accepted()
                        ? current.path("active").asBoolean(true) : true);
            }
            return next;
        });
    }

    public Future<IndexedUser> patch(UUID orgId, String id, PatchRequest request, Precondition precondition, Audit audit) {
        return update(orgId, id, precondition, audit, current -> {
            ObjectNode next = patchEngine.apply(current, request);
            if (!next.has("active")) {
                // Removing 'active' (or setting it to null) leaves it unassigned, which RFC 7643 gives no
                // meaning; read as true it would re-enable a disabled person, so the state stays as it is.
                next.put("active", current.path("active").asBoolean(true));
            }
            return next;
        });
    }

    public Future<Void> delete(UUID orgId, String id, Precondition precondition, Audit audit) {
        UUID uuid = Ids.parseOrNull(id);
        if (uuid == null) {
            return Future.failedFuture(notFound(id));
        }
        return perUser.submit(uuid, () -> (precondition.none() ? Future.<IndexedUser>succeededFuture(null)
                : current(orgId, uuid, precondition)).compose(latest -> {
            if (latest != null && !precondition.holds(latest.version())) {
                return Future.<Boolean>failedFuture(failed(precondition, latest));
            }
            Long expected = precondition.pinned() && latest != null ? latest.version() : null;
            return store.delete(orgId, uuid, expected, audit).compose(deleted -> deleted || expected == null
                    ? Future.succeededFuture(deleted)
                    // Changed on another instance since the conditions were checked, or gone.
                    : reread(orgId, uuid).compose(fresh -> fresh == null ? Future.succeededFuture(false)
                            : Future.failedFuture(changed(fresh))));
        })).map(found -> {
            if (!found) {
                // Nothing was deleted here, so nothing is remembered for an unknown id; a user this
                // index still held was deleted elsewhere and leaves it now.
                if (index.users(orgId).get(uuid) != null) {
                    index.users(orgId).remove(uuid);
                    index.groups(orgId).removeUser(uuid);
                }
                throw notFound(id);
            }
            // The database dropped the memberships in the same transaction. The user leaves the user
            // index first, so that a group write committed just before cannot add it back.
            index.users(orgId).remove(uuid);
            index.groups(orgId).removeUser(uuid);
            onCommitted.run();
            return null;
        });
    }

    /**
     * Applies a change to the current attributes and writes it if nobody changed the user meanwhile;
     * otherwise reloads the user and applies the change again, so concurrent writers lose nothing.
     */
    private Future<IndexedUser> update(UUID orgId, String id, Precondition precondition, Audit audit,
                                       UnaryOperator<ObjectNode> change) {
        return lookup(orgId, id).compose(found -> perUser.submit(found.id(), () ->
                current(orgId, found.id(), precondition).compose(latest -> {
                    if (latest == null) {
                        return Future.failedFuture(notFound(id));
                    }
                    if (!precondition.holds(latest.version())) {
                        return Future.failedFuture(failed(precondition, latest));
                    }
                    return attempt(orgId, latest.row(), change, audit, precondition.pinned(), 1);
                })));
    }

    /**
     * The user to check the conditions against: the index's, unless they fail on it, in which case the
     * database's (the client may hold a version committed on another instance). Null when gone.
     */
    private Future<IndexedUser> current(UUID orgId, UUID id, Precondition precondition) {
        IndexedUser held = index.users(orgId).get(id);
        if (held != null && precondition.holds(held.version())) {
            return Future.succeededFuture(held);
        }
        return reread(orgId, id).map(fresh -> {
            if (fresh == null && held != null) {
                forget(orgId, id);
            }
            return fresh;
        });
    }

    /**
     * @param pinned the client's conditions name versions (see {@link Precondition#pinned}), so a
     *               concurrent change is a 412 rather than a reason to apply the change again
     */
    private Future<IndexedUser> attempt(UUID orgId, UserRow current, UnaryOperator<ObjectNode> change, Audit audit,
                                        boolean pinned, int attempt) {
        ObjectNode next;
        try {
            next = change.apply(current.attributes());
        } catch (ScimException e) {
            return Future.failedFuture(e);
        }
        if (next.equals(current.attributes())) {
            return unchanged(orgId, current, change, audit, pinned, attempt);
        }
        return userNameFree(orgId, current.id(), next)
                .compose(v -> store.replace(orgId, current.id(), current.version(), next, audit))
                .recover(UserService::translate)
                .compose(written -> {
                    if (written.isPresent()) {
                        onCommitted.run();
                        IndexedUser shown = committed(orgId, written.get());
                        if (isActive(next)) {
                            // The write may have queued an invitation (a reactivation, another address),
                            // and a claim meanwhile may have passed over the person's invitations (see
                            // MemberStore#claimPending): the outbox looks again.
                            onProvisioned.accept(orgId);
                        }
                        return Future.succeededFuture(shown);
                    }
                    ScimException refusal = changedMeanwhile(pinned, attempt);
                    if (refusal != null) {
                        return Future.failedFuture(refusal);
                    }
                    return store.find(orgId, current.id()).compose(fresh -> {
                        if (fresh.isEmpty()) {
                            forget(orgId, current.id());
                            return Future.failedFuture(notFound(current.id().toString()));
                        }
                        committed(orgId, fresh.get());
                        return attempt(orgId, fresh.get(), change, audit, false, attempt + 1);
                    });
                });
    }

    /**
     * A change that leaves the user as it is writes nothing, so that neither the version nor
     * lastModified moves (RFC 7644 §3.5.2.1: re-adding a value already there "SHALL NOT change the
     * modify timestamp"), and an IdP's retry does not make its next If-Match fail; the request is still
     * among the organisation's events. What it was compared with may come from the index, which can be
     * behind another instance's write, so the database confirms the version first; when it differs the
     * change is applied to what the database holds.
     */
    private Future<IndexedUser> unchanged(UUID orgId, UserRow current, UnaryOperator<ObjectNode> change, Audit audit,
                                          boolean pinned, int attempt) {
        return store.unchanged(orgId, current.id(), current.version(), audit).compose(fresh -> {
            if (fresh.isEmpty()) {
                forget(orgId, current.id());
                return Future.failedFuture(notFound(current.id().toString()));
            }
            IndexedUser latest = committed(orgId, fresh.get());
            if (fresh.get().version() == current.version()) {
                return Future.succeededFuture(latest);
            }
            ScimException refusal = changedMeanwhile(pinned, attempt);
            return refusal != null ? Future.failedFuture(refusal)
                    : attempt(orgId, fresh.get(), change, audit, false, attempt + 1);
        });
    }

    /**
     * The answer when the user changed since it was read: 412 when the client named the version it
     * changes, 503 (busy) once the change has been tried too often; null to apply it again.
     */
    private static ScimException changedMeanwhile(boolean pinned, int attempt) {
        if (pinned) {
            return ScimException.preconditionFailed("The user was changed by another request; read it again before changing it.");
        }
        if (attempt >= MAX_ATTEMPTS) {
            return ScimException.busy("The user is being changed by other requests at the same time; retry.");
        }
        return null;
    }

    /** The one place where committed users reach the index. */
    private static boolean isActive(ObjectNode attributes) {
        return attributes.path("active").asBoolean(true);
    }

    private IndexedUser committed(UUID orgId, UserRow row) {
        IndexedUser u = indexed(row);
        index.users(orgId).put(u);
        return u;
    }

    private IndexedUser indexed(UserRow row) {
        return IndexedUser.of(row, renderer.renderJson(row.attributes(), row.meta()), codec);
    }

    /**
     * Answers a clash from the index at once; the database's unique key settles races. A synchronous
     * check, for callers that verified the index's holders first ({@link #verifyIndexedHolders}).
     */
    private void checkUserNameFree(UUID orgId, UUID self, ObjectNode attributes) {
        UUID holder = index.users(orgId).idByUserName(attributes.path("userName").asText());
        if (holder != null && !holder.equals(self)) {
            throw userNameTaken(attributes.path("userName").asText());
        }
    }

    /**
     * Refuses a userName the index says another user holds, once the database confirms it: the index
     * may still show a holder that another instance deleted or renamed moments ago.
     */
    private Future<Void> userNameFree(UUID orgId, UUID self, ObjectNode attributes) {
        UUID holder = index.users(orgId).idByUserName(attributes.path("userName").asText());
        if (holder == null || holder.equals(self)) {
            return Future.succeededFuture();
        }
        return refreshOrForget(orgId, holder).compose(v -> {
            try {
                checkUserNameFree(orgId, self, attributes);
                return Future.succeededFuture();
            } catch (ScimException e) {
                return Future.failedFuture(e);
            }
        });
    }

    /** Reads a user again from the database: the index gets its current row, or loses it. */
    private Future<Void> refreshOrForget(UUID orgId, UUID id) {
        return reread(orgId, id).map(fresh -> {
            if (fresh == null) {
                forget(orgId, id);
            }
            return null;
        });
    }

    /** A user the index holds but the database no longer does: deleted on another instance. */
    private void forget(UUID orgId, UUID id) {
        if (index.users(orgId).get(id) != null) {
            index.users(orgId).remove(id);
            index.groups(orgId).removeUser(id);
        }
    }

    private static <T> Future<T> translate(Throwable failure) {
        if (failure instanceof DuplicateKeyException) {
            return Future.failedFuture(ScimException.uniqueness("A user with this userName already exists in the organisation."));
        }
        return Future.failedFuture(failure);
    }

    private static ScimException userNameTaken(String userName) {
        return ScimException.uniqueness("userName '" + userName + "' is already taken in this organisation.");
    }

    static ScimException changed(IndexedUser current) {
        return Precondition.changed("user", current.etag());
    }

    private static ScimException failed(Precondition precondition, IndexedUser current) {
        return precondition.failed("user", current.version(), current.etag());
    }

    private static ScimException notFound(String id) {
        return ScimException.notFound("User " + id + " not found.");
    }

    /**
     * The user as clients receive it. The read-only {@code groups} attribute comes from the membership
     * index at read time, so that a membership change never re-renders the member.
     */
    public byte[] document(UUID orgId, IndexedUser user, AttributeProjection projection) {
        GroupIndex groups = index.groups(orgId);
        Set<UUID> groupIds = groups.groupsOf(user.id());
        if (groupIds.isEmpty()) {
            return projection.isAll() ? user.json() : Json.bytes(projection.apply(user.resource()));
        }
        if (projection.isAll()) {
            return withGroups(user.json(), groups, groupIds);
        }
        ObjectNode out = user.resource();
        JsonNode meta = out.remove("meta");
        out.set(GroupsAttribute.NAME, groupsAttribute.values(groups, groupIds)); // in id order
        out.set("meta", meta);
        return Json.bytes(projection.apply(out));
    }

    /**
     * The document with its {@code groups} written in before {@code meta}, the last member, as the
     * tree above would serialise them: no parsing. {@code ,"meta":{} cannot occur inside a string
     * (its quotes would be escaped), so its last occurrence is the top-level one.
     */
    private byte[] withGroups(byte[] document, GroupIndex groups, Set<UUID> groupIds) {
        int meta = lastIndexOf(document, META);
        if (meta < 0) {
            throw new IllegalStateException("An indexed user has no meta");
        }
        StringBuilder b = new StringBuilder(64 + groupIds.size() * 160).append(",\"groups\":[");
        boolean first = true;
        for (UUID gid : groupIds) {
            IndexedGroup g = groups.get(gid);
            if (g != null) {
                b.append(first ? "" : ",").append("{\"value\":\"").append(gid).append("\",\"$ref\":\"")
                        .append(JsonStringEncoder.getInstance().quoteAsString(groupsEndpointUrl + "/" + gid))
                        .append("\",\"display\":\"")
                        .append(JsonStringEncoder.getInstance().quoteAsString(g.row().displayName()))
                        .append("\",\"type\":\"direct\"}");
                first = false;
            }
        }
        byte[] inserted = b.append(']').toString().getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[document.length + inserted.length];
        System.arraycopy(document, 0, out, 0, meta);
        System.arraycopy(inserted, 0, out, meta, inserted.length);
        System.arraycopy(document, meta, out, meta + inserted.length, document.length - meta);
        return out;
    }

    private static final byte[] META = ",\"meta\":{".getBytes(StandardCharsets.UTF_8);

    private static int lastIndexOf(byte[] in, byte[] what) {
        outer:
        for (int i = in.length - what.length; i >= 0; i--) {
            for (int k = 0; k < what.length; k++) {
                if (in[i + k] != what[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** The users on one page, as clients receive them. */
    public List<byte[]> documents(UUID orgId, UserQuery.Page page, AttributeProjection projection) {
        List<byte[]> out = new ArrayList<>(page.users().size());
        page.users().forEach(u -> out.add(document(orgId, u, projection)));
        return out;
    }
}
