package io.hanzo.kms.scim.index;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/** The per-organisation user and group indexes of this server instance. */
public final class DirectoryIndex {
    /**
     * How often {@link #expireTombstones} runs: a tombstone goes at most this long after its TTL,
     * whatever its organisation does next.
     */
    public static final Duration TOMBSTONE_SWEEP = Duration.ofMinutes(1);
    private final Map<UUID, UserIndex> users = new ConcurrentHashMap<>();
    private final Map<UUID, GroupIndex> groups = new ConcurrentHashMap<>();

    public UserIndex users(UUID orgId) {
        return users.computeIfAbsent(orgId, k -> new UserIndex());
    }

    public GroupIndex groups(UUID orgId) {
        return groups.computeIfAbsent(orgId, k -> new GroupIndex(users(orgId)));
    }

    /** Users in all organisations' indexes (for metrics). */
    public long userCount() {
        return users.values().stream().mapToLong(UserIndex::size).sum();
    }

    /** Groups in all organisations' indexes (for metrics). */
    public long groupCount() {
        return groups.values().stream().mapToLong(GroupIndex::size).sum();
    }

    /** Memberships in all organisations' indexes (for metrics). */
    public long membershipCount() {
        return groups.values().stream().mapToLong(GroupIndex::membershipCount).sum();
    }

    /** Puts freshly loaded indexes of an organisation in place of the ones it had. */
    public void replace(UUID orgId, UserIndex newUsers, GroupIndex newGroups) {
        users.put(orgId, newUsers);
        groups.put(orgId, newGroups);
    }

    /**
     * Drops every organisation's tombstones older than their TTL. Its cost is a look at each
     * organisation's two sets and a walk over those holding deletions of the last minutes; it takes no
     * index lock.
     */
    public void expireTombstones(long nowNanos) {
        users.values().forEach(u -> u.expireTombstones(nowNanos));
        groups.values().forEach(g -> g.expireTombstones(nowNanos));
    }

    /** The organisations that have a group index. */
    public Set<UUID> groupOrganizations() {
        return Set.copyOf(groups.keySet());
    }
}
