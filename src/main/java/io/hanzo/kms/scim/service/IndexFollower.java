package io.hanzo.kms.scim.service;

import io.hanzo.kms.scim.concurrent.OneAfterAnother;
import io.hanzo.kms.scim.index.DirectoryIndex;
import io.hanzo.kms.scim.index.GroupIndex;
import io.hanzo.kms.scim.index.UserIndex;
import io.hanzo.kms.scim.store.ResourceChange;
import io.hanzo.kms.scim.store.pg.ResourceChangeFeed;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Brings the change feed into this instance's index: each committed user or group change, this
 * instance's own included (applying them again changes nothing, as versions are compared), and
 * whole organisations when the feed no longer holds what this instance missed.
 */
public final class IndexFollower implements ResourceChangeFeed.Sink {
    private static final Logger LOG = LoggerFactory.getLogger(IndexFollower.class);
    /**
     * A group write that waited this long for the one before it is not left waiting further: the
     * group is read again from the database. (Writes wait while a transaction that committed before
     * them is still below the feed's horizon, which normally takes milliseconds.)
     */
    private static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(5);
    /**
     * How often the feed's rounds look for stalled groups: a look visits every organisation's group
     * index, and at every round (each 50 ms while idle) that took 13% of a core with 19,000
     * organisations. A stall is one of seconds, so a look a second is soon enough.
     */
    static final long STALL_CHECK_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final DirectoryIndex index;
    private final UserService users;
    private final GroupService groups;
    /** When the next look for stalled groups is due (System.nanoTime); the feed's rounds run one at a time. */
    private long stallCheckDue = System.nanoTime();

    public IndexFollower(DirectoryIndex index, UserService users, GroupService groups) {
        this.index = index;
        this.users = users;
        this.groups = groups;
    }

    @Override
    public Future<Void> apply(List<ResourceChange> changes) {
        List<Future<?>> repairs = new ArrayList<>();
        for (ResourceChange c : changes) {
            try {
                switch (c.kind()) {
                    case USER, USER_DELETED -> users.applyChange(c);
                    default -> groups.applyChange(c);
                }
            } catch (RuntimeException e) {
                // One change this instance cannot apply must not stop the feed for every other one:
                // the resource is read again from the database instead.
                LOG.error("Change {} of {} {} in organization {} could not be applied; reading it again", c.version(),
                        c.kind().wireName(), c.id(), c.orgId(), e);
                repairs.add(c.kind() == ResourceChange.Kind.GROUP ? groups.reread(c.orgId(), c.id())
                        : users.lookup(c.orgId(), c.id().toString()).otherwiseEmpty());
            }
        }
        Future<Void> repaired = repairs.isEmpty() ? Future.succeededFuture() : Future.join(repairs).mapEmpty();
        return repaired.compose(v -> rereadStalled());
    }

    /** This instance's own creations and updates come back through the feed; they are in the index already. */
    @Override
    public boolean holdsUser(UUID orgId, UUID userId, long version) {
        return users.holds(orgId, userId, version);
    }

    /** This instance's own group writes come back through the feed too; the index applied them at commit. */
    @Override
    public boolean holdsGroup(UUID orgId, UUID groupId, long version) {
        return index.groups(orgId).holds(groupId, version);
    }

    /** Whether a round at {@code nowNanos} looks for stalled groups: at most once per {@link #STALL_CHECK_NANOS}. */
    boolean stallCheckDue(long nowNanos) {
        if (nowNanos - stallCheckDue < 0) {
            return false;
        }
        stallCheckDue = nowNanos + STALL_CHECK_NANOS;
        return true;
    }

    private Future<Void> rereadStalled() {
        if (!stallCheckDue(System.nanoTime())) {
            return Future.succeededFuture();
        }
        List<Future<?>> rereads = new ArrayList<>();
        for (UUID orgId : index.groupOrganizations()) {
            for (UUID gid : index.groups(orgId).stalled(STALL_NANOS)) {
                LOG.info("Group {} of organization {} waited too long for an earlier change; reading it again", gid, orgId);
                rereads.add(groups.reread(orgId, gid));
            }
        }
        return rereads.isEmpty() ? Future.succeededFuture() : Future.all(rereads).mapEmpty();
    }

    /** Loads the organisations anew and puts them in place of what the index held. */
    @Override
    public Future<Void> reload(Set<UUID> orgIds) {
        return OneAfterAnother.forEach(orgIds, orgId -> {
            UserIndex freshUsers = new UserIndex();
            GroupIndex freshGroups = new GroupIndex(freshUsers);
            freshUsers.inheritDeletions(index.users(orgId));
            freshGroups.inheritDeletions(index.groups(orgId));
            return users.loadInto(orgId, freshUsers)
                    .compose(x -> groups.loadInto(orgId, freshGroups))
                    .map(x -> {
                        index.replace(orgId, freshUsers, freshGroups);
                        return null;
                    });
        });
    }
}
