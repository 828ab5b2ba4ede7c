package io.hanzo.kms.scim.index;

import io.hanzo.kms.scim.protocol.CaseFold;
import io.hanzo.kms.scim.store.GroupRow;
import io.hanzo.kms.scim.store.GroupWrite;

import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.function.Predicate;

/**
 * One organisation's groups and memberships in memory: groups by id, displayName (any letter case)
 * and externalId; each group's members in id order; each user's groups. Written only after commits;
 * each group's writes are applied in version order (see {@link #offer}), so membership deltas apply
 * in the order the database applied them, whichever instance made them.
 */
public final class GroupIndex {
    private final ConcurrentSkipListMap<UUID, IndexedGroup> byId = new ConcurrentSkipListMap<>();
    private final Map<String, UUID> byDisplayName = new ConcurrentHashMap<>();
    private final Map<String, Set<UUID>> byExternalId = new ConcurrentHashMap<>();
    private final Map<UUID, NavigableSet<UUID>> members = new ConcurrentHashMap<>();
    private final Map<UUID, Set<UUID>> groupsOfUser = new ConcurrentHashMap<>();
    /** Per group, writes waiting for an earlier version, by version. Guarded by this. */
    private final Map<UUID, TreeMap<Long, Waiting>> waiting = new HashMap<>();
    /** Deleted groups, with when; like the user index's tombstones, they expire. */
    private final Map<UUID, Long> deleted = new ConcurrentHashMap<>();
    private static final int SWEEP_EVERY = 1024;
    private int deletesSinceSweep;

    public int size() {
        return byId.size();
    }

    /** Direct memberships, counted over the groups (for metrics). */
    public long membershipCount() {
        long n = 0;
        for (NavigableSet<UUID> m : members.values()) {
            n += m.size();
        }
        return n;
    }

    public IndexedGroup get(UUID id) {
        return byId.get(id);
    }

    public UUID idByDisplayName(String displayName) {
        return byDisplayName.get(CaseFold.lower(displayName));
    }

    public Set<UUID> idsByExternalId(String externalId) {
        return byExternalId.getOrDefault(externalId, Set.of());
    }

    public Collection<IndexedGroup> all() {
        return Collections.unmodifiableCollection(byId.values());
    }

    /** The group's members in id order; a live view that later commits may change while it is read. */
    public NavigableSet<UUID> members(UUID groupId) {
        NavigableSet<UUID> m = members.get(groupId);
        return m == null ? Collections.emptyNavigableSet() : Collections.unmodifiableNavigableSet(m);
    }

    public boolean isMember(UUID groupId, UUID userId) {
        NavigableSet<UUID> m = members.get(groupId);
        return m != null && m.contains(userId);
    }

    /** The groups the user is directly in. */
    public Set<UUID> groupsOf(UUID userId) {
        Set<UUID> g = groupsOfUser.get(userId);
        return g == null ? Set.of() : Collections.unmodifiableSet(g);
    }

    /** What became of a committed group write offered to the index. */
    public enum Outcome {
        /** Applied, with any buffered writes that followed it. */
        APPLIED,
        /** The index already holds this version or a later one, or the group was deleted. */
        STALE,
        /** An earlier version has not arrived yet; the write waits for it. */
        WAITING
    }

    /** A write that arrived before the one preceding it. */
    private record Waiting(IndexedGroup group, Set<UUID> added, Set<UUID> removed, long sinceNanos) {
    }

    /**
     * @param live whether a user may still be added: false for users deleted meanwhile
     */
    public Outcome apply(IndexedGroup group, GroupWrite write, Predicate<UUID> live) {
        return offer(group, write.added(), write.removed(), live);
    }

    /**
     * Applies a committed group write in version order. Member deltas only make sense on the state
     * they were made on, and writes reach an instance in another order than they committed (from this
     * instance's writers and from the change feed), so a write is applied when the index holds the
     * version just before it, waits when an earlier one is missing, and is dropped when it is old.
     */
    public synchronized Outcome offer(IndexedGroup group, Set<UUID> added, Set<UUID> removed, Predicate<UUID> live) {
        UUID gid = group.row().id();
        long version = group.row().version();
        long current = versionOf(gid);
        if (deleted.containsKey(gid) || version <= current) {
            return Outcome.STALE;
        }
        if (version > current + 1) {
            waiting.computeIfAbsent(gid, k -> new TreeMap<>())
                    .putIfAbsent(version, new Waiting(group, added, removed, System.nanoTime()));
            return Outcome.WAITING;
        }
        applyNow(group, added, removed, live);
        drain(gid, live);
        return Outcome.APPLIED;
    }

    /**
     * Sets a group and its members from one database snapshot, unless the index is already at that
     * version or later; waiting writes that follow it are applied.
     */
    public synchronized void reset(IndexedGroup group, Collection<UUID> memberIds, Predicate<UUID> live) {
        UUID gid = group.row().id();
        if (deleted.containsKey(gid) || versionOf(gid) >= group.row().version()) {
            return;
        }
        putGroup(group);
        NavigableSet<UUID> m = members.computeIfAbsent(gid, k -> new ConcurrentSkipListSet<>());
        Set<UUID> target = new HashSet<>();
        for (UUID u : memberIds) {
            if (live.test(u)) {
                target.add(u);
                m.add(u);
                groupsOfUser.computeIfAbsent(u, k -> ConcurrentHashMap.newKeySet()).add(gid);
            }
        }
        for (UUID u : List.copyOf(m)) {
            if (!target.contains(u)) {
                m.remove(u);
                unlinkUser(u, gid);
            }
        }
        drain(gid, live);
    }

    /** The version the index holds, 0 for a group it does not hold. */
    public synchronized long versionOf(UUID gid) {
        IndexedGroup g = byId.get(gid);
        return g == null ? 0 : g.row().version();
    }

    /** Groups with a write that has waited longer than the given time for the one before it. */
    public synchronized Set<UUID> stalled(long olderThanNanos) {
        if (waiting.isEmpty()) {
            return Set.of();
        }
        long now = System.nanoTime();
        Set<UUID> out = new HashSet<>();
        waiting.forEach((gid, writes) -> {
            if (!writes.isEmpty() && now - writes.firstEntry().getValue().sinceNanos() > olderThanNanos) {
                out.add(gid);
            }
        });
        return out;
    }

    private void applyNow(IndexedGroup group, Set<UUID> added, Set<UUID> removed, Predicate<UUID> live) {
        putGroup(group);
        UUID gid = group.row().id();
        NavigableSet<UUID> m = members.computeIfAbsent(gid, k -> new ConcurrentSkipListSet<>());
        for (UUID u : removed) {
            m.remove(u);
            unlinkUser(u, gid);
        }
        for (UUID u : added) {
            if (!live.test(u)) {
                continue;
            }
            m.add(u);
            groupsOfUser.computeIfAbsent(u, k -> ConcurrentHashMap.newKeySet()).add(gid);
        }
    }

    /** Applies the waiting writes that now follow the held version, and drops those it passed. */
    private void drain(UUID gid, Predicate<UUID> live) {
        TreeMap<Long, Waiting> writes = waiting.get(gid);
        while (writes != null && !writes.isEmpty()) {
            long next = versionOf(gid) + 1;
            while (!writes.isEmpty() && writes.firstKey() < next) {
                writes.pollFirstEntry();
            }
            if (writes.isEmpty() || writes.firstKey() != next) {
                break;
            }
            Waiting w = writes.pollFirstEntry().getValue();
            applyNow(w.group(), w.added(), w.removed(), live);
        }
        if (writes != null && writes.isEmpty()) {
            waiting.remove(gid);
        }
    }

    /** Loading: one membership read from the database. */
    public synchronized void addMembership(UUID groupId, UUID userId) {
        members.computeIfAbsent(groupId, k -> new ConcurrentSkipListSet<>()).add(userId);
        groupsOfUser.computeIfAbsent(userId, k -> ConcurrentHashMap.newKeySet()).add(groupId);
    }

    /**
     * Adds or replaces a group's own attributes. Readers are not locked out, so the new keys go in
     * before stale ones come out, and keys that did not change are not touched: a lookup by name
     * during a member change or a rename always finds the group.
     */
    public synchronized void putGroup(IndexedGroup group) {
        GroupRow row = group.row();
        IndexedGroup old = byId.get(row.id());
        if (old != null && old.row().version() > row.version()) {
            return;
        }
        String name = CaseFold.lower(row.displayName());
        byId.put(row.id(), group);
        byDisplayName.put(name, row.id());
        if (row.externalId() != null) {
            byExternalId.computeIfAbsent(row.externalId(), k -> ConcurrentHashMap.newKeySet()).add(row.id());
        }
        if (old != null) {
            String oldName = CaseFold.lower(old.row().displayName());
            if (!oldName.equals(name)) {
                byDisplayName.remove(oldName, row.id());
            }
            String oldExternalId = old.row().externalId();
            if (oldExternalId != null && !oldExternalId.equals(row.externalId())) {
                removeExternalId(oldExternalId, row.id());
            }
        }
    }

    /**
     * A group the database deleted: it leaves the index for good (ids are never reused), and writes
     * that arrive late for it are dropped.
     */
    public synchronized void deleteGroup(UUID id) {
        long now = System.nanoTime();
        deleted.put(id, now);
        waiting.remove(id);
        if (++deletesSinceSweep >= SWEEP_EVERY) {
            deletesSinceSweep = 0;
            deleted.values().removeIf(at -> now - at > UserIndex.TOMBSTONE_TTL_NANOS);
        }
        removeGroup(id);
    }

    /** Keeps what another index of the organisation knew of deleted groups (a reload). */
    public synchronized void inheritDeletions(GroupIndex previous) {
        deleted.putAll(previous.deleted);
    }

    private void removeGroup(UUID id) {
        IndexedGroup old = byId.remove(id);
        if (old == null) {
            return;
        }
        byDisplayName.remove(CaseFold.lower(old.row().displayName()), id);
        if (old.row().externalId() != null) {
            removeExternalId(old.row().externalId(), id);
        }
        NavigableSet<UUID> m = members.remove(id);
        if (m != null) {
            for (UUID u : m) {
                unlinkUser(u, id);
            }
        }
    }

    /** A deleted user leaves every group (the database cascades the same way). */
    public synchronized void removeUser(UUID userId) {
        Set<UUID> groups = groupsOfUser.remove(userId);
        if (groups != null) {
            for (UUID g : groups) {
                NavigableSet<UUID> m = members.get(g);
                if (m != null) {
                    m.remove(userId);
                }
            }
        }
    }

    private void removeExternalId(String externalId, UUID id) {
        Set<UUID> ids = byExternalId.get(externalId);
        if (ids != null) {
            ids.remove(id);
            if (ids.isEmpty()) {
                byExternalId.remove(externalId, ids);
            }
        }
    }

    private void unlinkUser(UUID userId, UUID groupId) {
        Set<UUID> g = groupsOfUser.get(userId);
        if (g != null) {
            g.remove(groupId);
            if (g.isEmpty()) {
                groupsOfUser.remove(userId, g);
            }
        }
    }
}
