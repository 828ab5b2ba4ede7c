package io.hanzo.kms.scim.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hanzo.kms.scim.admin.Organization;
import io.hanzo.kms.scim.concurrent.OneAfterAnother;
import io.hanzo.kms.scim.index.DirectoryIndex;
import io.hanzo.kms.scim.index.GroupIndex;
import io.hanzo.kms.scim.index.GroupQuery;
import io.hanzo.kms.scim.index.IndexedGroup;
import io.hanzo.kms.scim.index.MembershipLoad;
import io.hanzo.kms.scim.index.UserIndex;
import io.hanzo.kms.scim.protocol.ScimException;
import io.hanzo.kms.scim.protocol.filter.Filter;
import io.hanzo.kms.scim.protocol.filter.FilterEvaluator;
import io.hanzo.kms.scim.protocol.group.GroupBody;
import io.hanzo.kms.scim.protocol.group.GroupPatchPlan;
import io.hanzo.kms.scim.protocol.group.GroupPatchPlanner;
import io.hanzo.kms.scim.protocol.group.MemberOp;
import io.hanzo.kms.scim.protocol.patch.PatchEngine;
import io.hanzo.kms.scim.protocol.patch.PatchRequest;
import io.hanzo.kms.scim.protocol.resource.Precondition;
import io.hanzo.kms.scim.protocol.resource.ResourceNormalizer;
import io.hanzo.kms.scim.protocol.resource.ResourceRenderer;
import io.hanzo.kms.scim.protocol.schema.GroupSchemas;
import io.hanzo.kms.scim.store.Audit;
import io.hanzo.kms.scim.store.DuplicateKeyException;
import io.hanzo.kms.scim.store.GroupRow;
import io.hanzo.kms.scim.store.GroupStore;
import io.hanzo.kms.scim.store.GroupWrite;
import io.hanzo.kms.scim.store.Ids;
import io.hanzo.kms.scim.store.MemberPatch;
import io.hanzo.kms.scim.store.MemberPatchBatch;
import io.hanzo.kms.scim.store.ResourceChange;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * SCIM Groups of every organisation. Memberships are rows, changed by set operations that cost in
 * proportion to the change. Writes to one group run one at a time on this instance, and the database's
 * row lock serialises them across instances; the index applies each group's writes in version order,
 * whether they come from this instance or through the change feed.
 */
public final class GroupService {
    private static final Logger LOG = LoggerFactory.getLogger(GroupService.class);
    private static final int SKIPPED_IN_LOG = 20;

    private final GroupStore store;
    private final DirectoryIndex index;
    private final ResourceRenderer renderer;
    private final ResourceNormalizer normalizer = new ResourceNormalizer(GroupSchemas.GROUP);
    private final PatchEngine patchEngine = new PatchEngine(GroupSchemas.GROUP);
    private final GroupQuery query = new GroupQuery(new FilterEvaluator(GroupSchemas.GROUP));
    private final KeyedSerializer<UUID> perGroup = new KeyedSerializer<>();
    /** Membership PATCHes queued behind a group's running write go together (group commit for memberships). */
    private final KeyedBatcher<UUID, QueuedPatch, IndexedGroup> memberBatches =
            new KeyedBatcher<>(perGroup, MAX_MEMBER_BATCH);
    private static final int MAX_MEMBER_BATCH = 1000;
    /** How often a PATCH of attributes is retried when another instance changed the group first. */
    private static final int MAX_ATTEMPTS = 8;
    private volatile Runnable onCommitted = () -> { };

    public GroupService(GroupStore store, DirectoryIndex index, ResourceRenderer renderer) {
        this.store = store;
        this.index = index;
        this.renderer = renderer;
    }

    public Future<Void> load(List<Organization> orgs) {
        long start = System.nanoTime();
        Map<UUID, GroupIndex> indexes = new LinkedHashMap<>();
        orgs.forEach(org -> indexes.put(org.id(), index.groups(org.id())));
        return OneAfterAnother.forEach(indexes.entrySet(), e -> loadInto(e.getKey(), e.getValue()))
                .onSuccess(v -> LOG.info("Index: {} groups with {} memberships loaded in {} ms", index.groupCount(),
                index.membershipCount(), (System.nanoTime() - start) / 1_000_000));
    }

    /**
     * Fills a new index of the organisation's groups and memberships from the database. Memberships
     * come user by user and are linked on a worker thread, batch after batch in the order read
     * (ordered blocking tasks), while the event loop reads the next rows.
     */
    public Future<Void> loadInto(UUID orgId, GroupIndex groups) {
        return store.all(orgId).compose(rows -> {
            rows.forEach(r -> groups.putGroup(indexed(r)));
            MembershipLoad load = groups.membershipLoad();
            Context context = Vertx.currentContext();
            return store.memberships(orgId, batch -> context.executeBlocking(() -> {
                for (GroupStore.UserMemberships m : batch) {
                    load.add(m.userId(), m.groupIds());
                }
                return null;
            }, true)).compose(v -> context.executeBlocking(() -> {
                load.finish();
                return null;
            }, true));
        });
    }

    /** Sets what runs after each committed write (tells the other instances' change feeds). */
    public void onCommitted(Runnable listener) {
        this.onCommitted = listener;
    }

    /**
     * The group, from the index or else from the database: a group another instance created moments
     * ago may not have reached this index yet.
     */
    public Future<IndexedGroup> lookup(UUID orgId, String id) {
        UUID uuid = Ids.parseOrNull(id);
        if (uuid == null) {
            return Future.failedFuture(notFound(id));
        }
        IndexedGroup g = index.groups(orgId).get(uuid);
        return g != null ? Future.succeededFuture(g) : reread(orgId, uuid)
                .compose(found -> found != null ? Future.succeededFuture(found) : Future.failedFuture(notFound(id)));
    }

    /**
     * The group and its members as the database holds them now, set into the index unless it holds
     * that version already; null when there is no such group.
     */
    public Future<IndexedGroup> reread(UUID orgId, UUID gid) {
        return store.find(orgId, gid).map(found -> {
            GroupIndex groups = index.groups(orgId);
            if (found.isEmpty()) {
                if (groups.get(gid) != null) {
                    groups.deleteGroup(gid);
                }
                return null;
            }
            UserIndex users = index.users(orgId);
            groups.reset(indexed(found.get().row()), found.get().members(), u -> !users.isDeleted(u));
            IndexedGroup held = groups.get(gid);
            return held != null ? held : indexed(found.get().row());
        });
    }

    /** A change another instance (or this one) committed, from the change feed. */
    public void applyChange(ResourceChange change) {
        GroupIndex groups = index.groups(change.orgId());
        if (change.kind() == ResourceChange.Kind.GROUP_DELETED) {
            groups.deleteGroup(change.id());
        } else {
            UserIndex users = index.users(change.orgId());
            groups.offer(indexed(change.groupRow()), change.added(), change.removed(), u -> !users.isDeleted(u));
        }
    }

    /** A group's URL, as its {@code meta.location}; also for ids no group has. */
    public String location(String id) {
        return renderer.location(id);
    }

    public GroupIndex groups(UUID orgId) {
        return index.groups(orgId);
    }

    public GroupQuery.Page list(UUID orgId, Filter filter, Comparator<JsonNode> order, int startIndex, int count) {
        return query.run(index.groups(orgId), filter, order, startIndex, count);
    }

    public Future<IndexedGroup> create(UUID orgId, JsonNode body, Audit audit) {
        GroupBody parts = GroupBody.split(body);
        ObjectNode attributes = normalizer.normalizeSent(parts.attributes());
        UUID id = Ids.newId();
        return displayNameFree(orgId, null, attributes).compose(v -> perGroup.submit(id,
                () -> store.insert(orgId, id, attributes, parts.memberIds(), audit)
                        .recover(GroupService::translate)
                        .compose(w -> committed(orgId, w))));
    }

    /** Full replace (PUT), members included: a body without members leaves the group empty. */
    public Future<IndexedGroup> replace(UUID orgId, String id, JsonNode body, Precondition precondition, Audit audit) {
        GroupBody parts = GroupBody.split(body);
        ObjectNode attributes = normalizer.normalizeSent(parts.attributes());
        List<MemberOp> ops = List.of(new MemberOp(MemberOp.Kind.REPLACE_ALL, parts.memberIds()));
        return lookup(orgId, id).compose(found -> {
            UUID gid = found.row().id();
            return displayNameFree(orgId, gid, attributes).compose(v -> memberBatches.alone(gid,
                    () -> current(orgId, gid, precondition).compose(current -> write(orgId, gid, attributes,
                            precondition.pinned() ? current.row().version() : null, ops, audit))));
        });
    }

    public Future<IndexedGroup> patch(UUID orgId, String id, PatchRequest request, Precondition precondition, Audit audit) {
        return patch(orgId, id, GroupPatchPlanner.plan(request), precondition, audit);
    }

    /** A PATCH already planned (bulk plans its PATCHes to see which can run together). */
    public Future<IndexedGroup> patch(UUID orgId, String id, GroupPatchPlan plan, Precondition precondition, Audit audit) {
        if (precondition.none() && batchable(plan)) {
            MemberPatch patch = new MemberPatch(plan.memberOps(), audit);
            return lookup(orgId, id).compose(found -> memberBatches.join(found.row().id(),
                    new QueuedPatch(orgId, found.row().id(), patch), this::writeMemberBatch));
        }
        return lookup(orgId, id).compose(found -> memberBatches.alone(found.row().id(),
                () -> current(orgId, found.row().id(), precondition)
                        .compose(current -> patchAttempt(orgId, current, plan, precondition.pinned(), audit, 1))));
    }

    /** A PATCH that only adds or removes listed members: it can be written together with others. */
    private static boolean batchable(GroupPatchPlan plan) {
        return !plan.changesAttributes() && !plan.memberOps().isEmpty()
                && plan.memberOps().stream().allMatch(MemberPatch::composable);
    }

    /** A membership PATCH waiting for its group's batch. */
    private record QueuedPatch(UUID orgId, UUID groupId, MemberPatch patch) {
    }

    /** One queued PATCH in a transaction of its own; its caller gets its own outcome. */
    private Future<Void> writeOne(KeyedBatcher.Entry<QueuedPatch, IndexedGroup> e) {
        QueuedPatch q = e.item();
        return write(q.orgId(), q.groupId(), null, null, q.patch().ops(), q.patch().audit())
                .transform(ar -> {
                    e.promise().handle(ar);
                    return Future.succeededFuture();
                });
    }

    /**
     * Writes the membership PATCHes queued on one group in one transaction and answers each of them
     * with the group as the batch left it, once it is durable. A batch of one takes the same way: it
     * is one round trip to the database, where a PATCH written on its own is one per statement. When
     * a batch of several cannot be written, its requests are written one by one, so a request that
     * fails fails alone; a batch of one fails as its request.
     */
    private Future<Void> writeMemberBatch(List<KeyedBatcher.Entry<QueuedPatch, IndexedGroup>> entries) {
        UUID orgId = entries.get(0).item().orgId();
        UUID group = entries.get(0).item().groupId();
        List<MemberPatch> patches = entries.stream().map(e -> e.item().patch()).toList();
        return store.updateMembers(orgId, group, new MemberPatchBatch(patches)).transform(ar -> {
            if (ar.failed() && entries.size() == 1) {
                entries.get(0).promise().fail(ar.cause());
                return Future.succeededFuture();
            }
            if (ar.failed()) {
                LOG.warn("Group {} of organization {}: a batch of {} membership PATCHes failed; writing them one by one",
                        group, orgId, entries.size(), ar.cause());
                Future<Void> chain = Future.succeededFuture();
                for (KeyedBatcher.Entry<QueuedPatch, IndexedGroup> e : entries) {
                    chain = chain.compose(v -> writeOne(e));
                }
                return chain;
            }
            if (ar.result().isEmpty()) {
                index.groups(orgId).deleteGroup(group);
                entries.forEach(e -> e.promise().fail(notFound(group.toString())));
                return Future.succeededFuture();
            }
            return committed(orgId, ar.result().get()).transform(done -> {
                for (KeyedBatcher.Entry<QueuedPatch, IndexedGroup> e : entries) {
                    if (done.succeeded()) {
                        e.promise().complete(done.result());
                    } else {
                        e.promise().fail(done.cause());
                    }
                }
                return Future.succeededFuture();
            });
        });
    }

    /**
     * Writes a PATCH. When it changes attributes, they are computed from the version the index holds
     * and written only if the database still has that version; otherwise the group is read again and
     * the PATCH applied again (or, under conditions that name versions, refused), so a change made on
     * another instance is never overwritten with older attributes.
     */
    private Future<IndexedGroup> patchAttempt(UUID orgId, IndexedGroup current, GroupPatchPlan plan, boolean pinned,
                                              Audit audit, int attempt) {
        if (!plan.changesAttributes()) {
            // Under conditions that name versions the database checks the version too: the index they
            // were checked against may not hold a change committed on another instance since.
            return write(orgId, current.row().id(), null, pinned ? current.row().version() : null, plan.memberOps(), audit);
        }
        ObjectNode attributes;
        try {
            attributes = patchEngine.apply(current.row().attributes(), PatchRequest.of(plan.attributeOps()));
        } catch (ScimException e) {
            return Future.failedFuture(e);
        }
        UUID gid = current.row().id();
        return displayNameFree(orgId, gid, attributes)
                .compose(v -> store.update(orgId, gid, attributes, current.row().version(), plan.memberOps(), audit))
                .recover(GroupService::translate)
                .compose(w -> {
                    if (w.isPresent()) {
                        return committed(orgId, w.get());
                    }
                    return reread(orgId, gid).compose(fresh -> {
                        if (fresh == null) {
                            return Future.failedFuture(notFound(gid.toString()));
                        }
                        if (pinned) {
                            return Future.failedFuture(changed(fresh));
                        }
                        if (attempt >= MAX_ATTEMPTS) {
                            return Future.failedFuture(ScimException.busy(
                                    "The group is being changed by other requests at the same time; retry."));
                        }
                        return patchAttempt(orgId, fresh, plan, false, audit, attempt + 1);
                    });
                });
    }

    public Future<Void> delete(UUID orgId, String id, Precondition precondition, Audit audit) {
        return lookup(orgId, id).compose(found -> {
            UUID gid = found.row().id();
            return memberBatches.alone(gid, () -> current(orgId, gid, precondition).compose(current -> {
                Long expected = precondition.pinned() ? current.row().version() : null;
                return store.delete(orgId, gid, expected, audit).compose(deleted -> deleted || expected == null
                        ? Future.succeededFuture(deleted)
                        // Changed on another instance since the conditions were checked, or gone.
                        : reread(orgId, gid).compose(fresh -> fresh == null ? Future.succeededFuture(false)
                                : Future.failedFuture(changed(fresh))));
            })).map(deleted -> {
                index.groups(orgId).deleteGroup(gid);
                if (!deleted) {
                    throw notFound(id);
                }
                onCommitted.run();
                return null;
            });
        });
    }

    /**
     * The group as the write will find it; a 412 when the conditions fail on it. The index may lag
     * behind a version committed on another instance, so a failure is checked against the database
     * before it is answered.
     */
    private Future<IndexedGroup> current(UUID orgId, UUID gid, Precondition precondition) {
        IndexedGroup held = index.groups(orgId).get(gid);
        if (held != null && precondition.holds(held.row().version())) {
            return Future.succeededFuture(held);
        }
        return reread(orgId, gid).compose(fresh -> {
            if (fresh == null) {
                return Future.failedFuture(notFound(gid.toString()));
            }
            if (!precondition.holds(fresh.row().version())) {
                return Future.failedFuture(precondition.failed("group", fresh.row().version(),
                        fresh.row().meta().etag()));
            }
            return Future.succeededFuture(fresh);
        });
    }

    private static ScimException changed(IndexedGroup current) {
        return Precondition.changed("group", current.row().meta().etag());
    }

    private Future<IndexedGroup> write(UUID orgId, UUID gid, ObjectNode attributes, Long expectedVersion,
                                       List<MemberOp> ops, Audit audit) {
        return store.update(orgId, gid, attributes, expectedVersion, ops, audit)
                .recover(GroupService::translate)
                .compose(w -> {
                    if (w.isPresent()) {
                        return committed(orgId, w.get());
                    }
                    if (expectedVersion == null) {
                        index.groups(orgId).deleteGroup(gid);
                        return Future.failedFuture(notFound(gid.toString()));
                    }
                    // Gone, or changed (on another instance) since the conditions were checked.
                    return reread(orgId, gid).compose(fresh -> Future.failedFuture(
                            fresh == null ? notFound(gid.toString()) : changed(fresh)));
                });
    }

    /**
     * The one place where this instance's committed group writes reach its index. A write whose
     * predecessor, committed on another instance, has not arrived through the feed yet cannot be
     * applied on its own; the group is then read again, so that this instance shows its own write at once.
     */
    private Future<IndexedGroup> committed(UUID orgId, GroupWrite write) {
        onCommitted.run();
        if (!write.skipped().isEmpty()) {
            List<String> shown = write.skipped().subList(0, Math.min(SKIPPED_IN_LOG, write.skipped().size()));
            LOG.warn("Group {} of organization {}: skipped {} member id(s) that name no user of the organization: {}{}",
                    write.row().id(), orgId, write.skipped().size(), shown, write.skipped().size() > shown.size() ? " ..." : "");
        }
        if (!write.written()) {
            return unchanged(orgId, write.row());
        }
        IndexedGroup g = indexed(write.row());
        // A user deleted right after this commit may have left the index already; it stays out.
        UserIndex users = index.users(orgId);
        GroupIndex.Outcome outcome = index.groups(orgId).apply(g, write, u -> !users.isDeleted(u));
        if (outcome != GroupIndex.Outcome.WAITING) {
            return Future.succeededFuture(g);
        }
        return reread(orgId, g.row().id()).map(fresh -> fresh != null && fresh.row().version() >= g.row().version() ? fresh : g);
    }

    /**
     * The answer to a write that changed nothing: the group at the version the database holds. There
     * is no change to apply, but the index may not hold that version yet (its write committed on
     * another instance and the feed has not brought it), and the answer shows the group's members
     * from the index; the group is then read again.
     */
    private Future<IndexedGroup> unchanged(UUID orgId, GroupRow row) {
        IndexedGroup held = index.groups(orgId).get(row.id());
        if (held != null && held.row().version() >= row.version()) {
            return Future.succeededFuture(held.row().version() == row.version() ? held : indexed(row));
        }
        return reread(orgId, row.id()).map(fresh -> fresh != null && fresh.row().version() >= row.version()
                ? fresh : indexed(row));
    }

    private IndexedGroup indexed(GroupRow row) {
        return new IndexedGroup(row, renderer.render(row.attributes(), row.meta()));
    }

    /**
     * Refuses a displayName the index says another group holds, once the database confirms it: the
     * index may still show a holder another instance deleted or renamed moments ago.
     */
    private Future<Void> displayNameFree(UUID orgId, UUID self, ObjectNode attributes) {
        String name = attributes.path("displayName").asText();
        UUID holder = index.groups(orgId).idByDisplayName(name);
        if (holder == null || holder.equals(self)) {
            return Future.succeededFuture();
        }
        return reread(orgId, holder).compose(fresh -> {
            UUID still = index.groups(orgId).idByDisplayName(name);
            if (still != null && !still.equals(self)) {
                return Future.failedFuture(
                        ScimException.uniqueness("A group named '" + name + "' already exists in this organisation."));
            }
            return Future.succeededFuture();
        });
    }

    private static <T> Future<T> translate(Throwable failure) {
        if (failure instanceof DuplicateKeyException) {
            return Future.failedFuture(ScimException.uniqueness("A group with this displayName already exists in the organisation."));
        }
        return Future.failedFuture(failure);
    }

    private static ScimException notFound(String id) {
        return ScimException.notFound("Group " + id + " not found.");
    }
}
