package io.hanzo.kms.scim.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hanzo.kms.scim.admin.Organization;
import io.hanzo.kms.scim.index.DirectoryIndex;
import io.hanzo.kms.scim.index.GroupIndex;
import io.hanzo.kms.scim.index.GroupQuery;
import io.hanzo.kms.scim.index.IndexedGroup;
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
import io.hanzo.kms.scim.protocol.resource.ETags;
import io.hanzo.kms.scim.protocol.resource.ResourceNormalizer;
import io.hanzo.kms.scim.protocol.resource.ResourceRenderer;
import io.hanzo.kms.scim.protocol.schema.GroupSchemas;
import io.hanzo.kms.scim.store.Audit;
import io.hanzo.kms.scim.store.DuplicateKeyException;
import io.hanzo.kms.scim.store.GroupRow;
import io.hanzo.kms.scim.store.GroupStore;
import io.hanzo.kms.scim.store.GroupWrite;
import io.hanzo.kms.scim.store.Ids;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Comparator;
import java.util.List;
import java.util.UUID;

/**
 * SCIM Groups of every organisation. Memberships are rows, changed by set operations that cost in
 * proportion to the change. Writes to one group run one at a time on this instance (the database's
 * row lock would serialise them anyway), so the index applies their membership deltas in commit order.
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

    public GroupService(GroupStore store, DirectoryIndex index, ResourceRenderer renderer) {
        this.store = store;
        this.index = index;
        this.renderer = renderer;
    }

    public Future<Void> load(List<Organization> orgs) {
        Future<Void> chain = Future.succeededFuture();
        for (Organization org : orgs) {
            GroupIndex groups = index.groups(org.id());
            chain = chain
                    .compose(v -> store.all(org.id()))
                    .compose(rows -> {
                        rows.forEach(r -> groups.putGroup(indexed(r)));
                        return store.memberships(org.id(), groups::addMembership);
                    });
        }
        return chain;
    }

    public IndexedGroup get(UUID orgId, String id) {
        UUID uuid = Ids.parseOrNull(id);
        IndexedGroup g = uuid == null ? null : index.groups(orgId).get(uuid);
        if (g == null) {
            throw notFound(id);
        }
        return g;
    }

    public GroupIndex groups(UUID orgId) {
        return index.groups(orgId);
    }

    public GroupQuery.Page list(UUID orgId, Filter filter, Comparator<JsonNode> order, int startIndex, int count) {
        return query.run(index.groups(orgId), filter, order, startIndex, count);
    }

    public Future<IndexedGroup> create(UUID orgId, JsonNode body, Audit audit) {
        GroupBody parts = GroupBody.split(body);
        ObjectNode attributes = normalizer.normalize(parts.attributes());
        checkDisplayNameFree(orgId, null, attributes);
        UUID id = Ids.newId();
        return perGroup.submit(id, () -> store.insert(orgId, id, attributes, parts.memberIds(), audit)
                .recover(GroupService::translate)
                .map(w -> committed(orgId, w)));
    }

    /** Full replace (PUT), members included: a body without members leaves the group empty. */
    public Future<IndexedGroup> replace(UUID orgId, String id, JsonNode body, String ifMatch, Audit audit) {
        GroupBody parts = GroupBody.split(body);
        ObjectNode attributes = normalizer.normalize(parts.attributes());
        UUID gid = existing(orgId, id);
        checkDisplayNameFree(orgId, gid, attributes);
        List<MemberOp> ops = List.of(new MemberOp(MemberOp.Kind.REPLACE_ALL, parts.memberIds()));
        return perGroup.submit(gid, () -> {
            ScimException stale = precondition(orgId, gid, ifMatch);
            return stale != null ? Future.failedFuture(stale) : write(orgId, gid, attributes, ops, audit);
        });
    }

    public Future<IndexedGroup> patch(UUID orgId, String id, PatchRequest request, String ifMatch, Audit audit) {
        GroupPatchPlan plan = GroupPatchPlanner.plan(request);
        UUID gid = existing(orgId, id);
        return perGroup.submit(gid, () -> {
            IndexedGroup current = index.groups(orgId).get(gid);
            if (current == null) {
                return Future.failedFuture(notFound(id));
            }
            ScimException stale = precondition(orgId, gid, ifMatch);
            if (stale != null) {
                return Future.failedFuture(stale);
            }
            ObjectNode attributes = null;
            if (plan.changesAttributes()) {
                try {
                    attributes = patchEngine.apply(current.row().attributes(), PatchRequest.of(plan.attributeOps()));
                    checkDisplayNameFree(orgId, gid, attributes);
                } catch (ScimException e) {
                    return Future.failedFuture(e);
                }
            }
            return write(orgId, gid, attributes, plan.memberOps(), audit);
        });
    }

    public Future<Void> delete(UUID orgId, String id, String ifMatch, Audit audit) {
        UUID gid = existing(orgId, id);
        return perGroup.submit(gid, () -> {
            ScimException stale = precondition(orgId, gid, ifMatch);
            return stale != null ? Future.<Boolean>failedFuture(stale) : store.delete(orgId, gid, audit);
        }).map(found -> {
            index.groups(orgId).removeGroup(gid);
            if (!found) {
                throw notFound(id);
            }
            return null;
        });
    }

    /** The 412 to answer when If-Match names another version than the group's current one, else null. */
    private ScimException precondition(UUID orgId, UUID gid, String ifMatch) {
        IndexedGroup current = index.groups(orgId).get(gid);
        if (ifMatch == null || current == null || ETags.matches(ifMatch, current.row().version())) {
            return null;
        }
        return ScimException.preconditionFailed("The group has changed: its version is now "
                + current.row().meta().etag() + ".");
    }

    private Future<IndexedGroup> write(UUID orgId, UUID gid, ObjectNode attributes, List<MemberOp> ops, Audit audit) {
        return store.update(orgId, gid, attributes, ops, audit)
                .recover(GroupService::translate)
                .map(w -> {
                    if (w.isEmpty()) {
                        index.groups(orgId).removeGroup(gid);
                        throw notFound(gid.toString());
                    }
                    return committed(orgId, w.get());
                });
    }

    /** The one place where committed group writes reach the index. */
    private IndexedGroup committed(UUID orgId, GroupWrite write) {
        IndexedGroup g = indexed(write.row());
        // A user deleted right after this commit may have left the index already; it stays out.
        UserIndex users = index.users(orgId);
        index.groups(orgId).apply(g, write, u -> !users.isDeleted(u));
        if (!write.skipped().isEmpty()) {
            List<String> shown = write.skipped().subList(0, Math.min(SKIPPED_IN_LOG, write.skipped().size()));
            LOG.warn("Group {} of organization {}: skipped {} member id(s) that name no user of the organization: {}{}",
                    g.row().id(), orgId, write.skipped().size(), shown, write.skipped().size() > shown.size() ? " ..." : "");
        }
        return g;
    }

    private IndexedGroup indexed(GroupRow row) {
        return new IndexedGroup(row, renderer.render(row.attributes(), row.meta()));
    }

    private UUID existing(UUID orgId, String id) {
        UUID uuid = Ids.parseOrNull(id);
        if (uuid == null || index.groups(orgId).get(uuid) == null) {
            throw notFound(id);
        }
        return uuid;
    }

    private void checkDisplayNameFree(UUID orgId, UUID self, ObjectNode attributes) {
        String name = attributes.path("displayName").asText();
        UUID holder = index.groups(orgId).idByDisplayName(name);
        if (holder != null && !holder.equals(self)) {
            throw ScimException.uniqueness("A group named '" + name + "' already exists in this organisation.");
        }
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
