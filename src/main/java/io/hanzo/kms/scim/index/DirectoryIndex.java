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
    /** How long an erased organisation's index stays refused (see {@link #forget}). */
    static final Duration ERASED_KEPT = Duration.ofHours(1);
    private final Map<UUID, UserIndex> users = new ConcurrentHashMap<>();
    private final Map<UUID, GroupIndex> groups = new ConcurrentHashMap<>();
    /** Erased organisations, each with the time (System.nanoTime) from which it may have an index again. */
    private final Map<UUID, Long> erased = new ConcurrentHashMap<>();

    /** The organisation's users; for an erased one, an empty index that is kept nowhere. */
    public UserIndex users(UUID orgId) {
        UserIndex u = users.computeIfAbsent(orgId, k -> erased.containsKey(k) ? null : new UserIndex());
        return u != null ? u : new UserIndex();
    }

    public GroupIndex groups(UUID orgId) {
        GroupIndex g = groups.computeIfAbsent(orgId, k -> erased.containsKey(k) ? null : new GroupIndex(users(orgId)));
        return g != null ? g : new GroupIndex(users(orgId));
    }

    /**
     * Drops an erased organisation's indexes. For {@link #ERASED_KEPT} none is made for it again: a
     * request that passed its token's check a moment before, or a change read from the feed written
     * before the erasure, would otherwise make one that nothing drops.
     */
    public void forget(UUID orgId, long nowNanos) {
        erased.put(orgId, nowNanos + ERASED_KEPT.toNanos());
        users.remove(orgId);
        groups.remove(orgId);
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
        // In the maps' locks, as forget removes them: one or the other comes last.
        users.compute(orgId, (k, old) -> erased.containsKey(k) ? null : newUsers);
        groups.compute(orgId, (k, old) -> erased.containsKey(k) ? null : newGroups);
    }

    /**
     * Drops every organisation's tombstones older than their TTL, and the erased organisations kept
     * long enough (see {@link #forget}). Its cost is a look at each
     * organisation's two sets and a walk over those holding deletions of the last minutes; it takes no
     * index lock.
     */
    public void expireTombstones(long nowNanos) {
        erased.values().removeIf(until -> nowNanos - until >= 0);
        users.values().forEach(u -> u.expireTombstones(nowNanos));
        groups.values().forEach(g -> g.expireTombstones(nowNanos));
    }

    /** Whether the organisation has an index here, of its users or of its groups. */
    public boolean holds(UUID orgId) {
        return users.containsKey(orgId) || groups.containsKey(orgId);
    }

    /** The organisations that have a group index. */
    public Set<UUID> groupOrganizations() {
        return Set.copyOf(groups.keySet());
    }
}
