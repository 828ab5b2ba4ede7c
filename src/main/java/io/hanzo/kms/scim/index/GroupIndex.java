package io.hanzo.kms.scim.index;

import io.hanzo.kms.scim.protocol.CaseFold;
import io.hanzo.kms.scim.store.GroupRow;
import io.hanzo.kms.scim.store.GroupWrite;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
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
    /** Each group's members; a change puts a new set in place, so readers never see one half-made. */
    private final Map<UUID, MemberIds> members = new ConcurrentHashMap<>();
    /**
     * Each user's groups, as {@link UserGroups} entries. Replaced only by {@link #membershipLoad}, with
     * one sized for the users, while the index is empty.
     */
    private volatile Map<UUID, UUID[]> groupsOfUser = new ConcurrentHashMap<>();
    /** Where a user id seen for the first time finds the instance the user index holds; may be null. */
    private final UserIndex users;
    /** Per group, writes waiting for an earlier version, by version. Guarded by this. */
    private final Map<UUID, TreeMap<Long, Waiting>> waiting = new HashMap<>();
    /**
     * Odd while a writer changes a group's row and members together, counting up (see {@link #view}).
     * Written only under this index's lock.
     */
    private volatile long changes;
    /** Deleted groups, with when; like the user index's tombstones, they expire. */
    private final Map<UUID, Long> deleted = new ConcurrentHashMap<>();

    public GroupIndex() {
        this(null);
    }

    /**
     * @param users the organisation's user index, whose id instances the member sets share (one
     *              UUID object per user however many groups it is in); null keeps ids as given
     */
    public GroupIndex(UserIndex users) {
        this.users = users;
    }

    public int size() {
        return byId.size();
    }

    /** Direct memberships, counted over the groups (for metrics). */
    public long membershipCount() {
        long n = 0;
        for (MemberIds m : members.values()) {
            n += m.size();
        }
        return n;
    }

    public IndexedGroup get(UUID id) {
        return byId.get(id);
    }

    public UUID idByDisplayName(String displayName) {
        return byDisplayName.get(CaseFold.lowerValue(displayName));
    }

    public Set<UUID> idsByExternalId(String externalId) {
        return byExternalId.getOrDefault(externalId, Set.of());
    }

    public Collection<IndexedGroup> all() {
        return Collections.unmodifiableCollection(byId.values());
    }

    /**
     * The group's members, iterated in id order: the set as it is now, which later commits do not
     * change (they put a new set in its place).
     */
    public Set<UUID> members(UUID groupId) {
        MemberIds m = members.get(groupId);
        return m == null ? MemberIds.EMPTY : m;
    }

    public boolean isMember(UUID groupId, UUID userId) {
        MemberIds m = members.get(groupId);
        return m != null && m.contains(userId);
    }

    /** The groups the user is directly in, iterated in id order. */
    public Set<UUID> groupsOf(UUID userId) {
        UUID[] entry = groupsOfUser.get(userId);
        return entry == null ? Set.of() : UserGroups.groups(entry);
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
        if (holds(gid, version)) {
            return Outcome.STALE;
        }
        long current = versionOf(gid);
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
     * True when {@link #offer} would drop this version of the group as old: the index holds it or a
     * newer one, or saw the group deleted.
     */
    public synchronized boolean holds(UUID gid, long version) {
        return deleted.containsKey(gid) || version <= versionOf(gid);
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
        List<UUID> target = new ArrayList<>(memberIds.size());
        for (UUID u : memberIds) {
            if (live.test(u)) {
                target.add(u);
            }
        }
        changing();
        try {
            putGroup(group);
            replaceMembers(gid, target.toArray(new UUID[0]));
        } finally {
            changed();
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

    /**
     * The group's new row and its members after the write, published together (see {@link #view}):
     * users that join are linked to the group first, the new member set is made aside and put in
     * place once, then users that left are unlinked.
     */
    private void applyNow(IndexedGroup group, Set<UUID> added, Set<UUID> removed, Predicate<UUID> live) {
        UUID gid = group.row().id();
        MemberIds next = members.getOrDefault(gid, MemberIds.EMPTY);
        for (UUID u : removed) {
            next = next.without(u);
        }
        for (UUID u : added) {
            if (live.test(u)) {
                next = next.with(link(u, gid));
            }
        }
        changing();
        try {
            putGroup(group);
            members.put(gid, next);
        } finally {
            changed();
        }
        for (UUID u : removed) {
            if (!next.contains(u)) {
                unlinkUser(u, gid);
            }
        }
    }

    /** The group's members get the user, and the user the group; the user's groups first. */
    private void addMember(UUID gid, UUID userId) {
        UUID user = link(userId, gid);
        members.put(gid, members.getOrDefault(gid, MemberIds.EMPTY).with(user));
    }

    /**
     * A group and its members as one version of it: {@code group} is null when the index does not
     * hold the group.
     */
    public record View(IndexedGroup group, Set<UUID> members) {
    }

    /**
     * The group's row and its members as they were at one moment, never the row of one version with
     * the members of another (an ETag must name what is shown). Readers take no lock: a write of a
     * row and its members together marks the index as changing meanwhile ({@link #changing}), and a
     * read that overlapped one is made again, under the writers' lock if it keeps overlapping.
     */
    public View view(UUID gid) {
        for (int attempt = 0; attempt < 3; attempt++) {
            long before = changes;
            if ((before & 1) == 0) {
                IndexedGroup g = byId.get(gid);
                MemberIds m = members.get(gid);
                if (changes == before) {
                    return new View(g, m == null ? MemberIds.EMPTY : m);
                }
            }
            Thread.onSpinWait();
        }
        synchronized (this) {
            MemberIds m = members.get(gid);
            return new View(byId.get(gid), m == null ? MemberIds.EMPTY : m);
        }
    }

    /** Called by a writer (holding this index's lock) before it changes a group's row and members together. */
    private void changing() {
        changes++;
    }

    /** ... and after: {@link #changes} is even again. */
    private void changed() {
        changes++;
    }

    /** Adds the group to the user's groups; answers the user's id as every member set holds it. */
    private UUID link(UUID userId, UUID gid) {
        UUID[] entry = groupsOfUser.get(userId);
        if (entry == null) {
            UUID user = shared(userId);
            groupsOfUser.put(user, entry = UserGroups.of(user, gid));
        } else {
            UUID[] next = UserGroups.with(entry, gid);
            if (next != entry) {
                groupsOfUser.put(userId, next);
            }
        }
        return UserGroups.user(entry);
    }

    /** The id instance the user index holds for this user, so that no user's id is kept twice. */
    UUID shared(UUID userId) {
        IndexedUser u = users == null ? null : users.get(userId);
        return u != null && u.id().equals(userId) ? u.id() : userId;
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
        addMember(canonicalGroup(groupId), userId);
    }

    /**
     * Loading: a group's members read from the database, in any order. A group that has no members
     * yet gets them in one sorted set at once.
     */
    public synchronized void addMembers(UUID groupId, UUID[] userIds) {
        UUID gid = canonicalGroup(groupId);
        MemberIds held = members.get(gid);
        if (held == null || held.isEmpty()) {
            replaceMembers(gid, userIds);
            return;
        }
        UUID[] all = Arrays.copyOf(held.toArray(new UUID[0]), held.size() + userIds.length);
        System.arraycopy(userIds, 0, all, held.size(), userIds.length);
        replaceMembers(gid, all);
    }

    /**
     * Puts the group's members in place at once, sorted here, rather than one by one: users that
     * join are linked to the group first, the new set is published, then users that left are unlinked.
     */
    private void replaceMembers(UUID gid, UUID[] userIds) {
        MemberIds old = members.getOrDefault(gid, MemberIds.EMPTY);
        UUID[] sorted = userIds.clone();
        MemberIds.toIdOrder(sorted, 0, sorted.length);
        int n = 0;
        for (int i = 0; i < sorted.length; i++) {
            if (n == 0 || !sorted[n - 1].equals(sorted[i])) {
                sorted[n++] = link(sorted[i], gid);
            }
        }
        MemberIds next = MemberIds.ofSorted(sorted, n);
        members.put(gid, next);
        for (UUID u : old) {
            if (!next.contains(u)) {
                unlinkUser(u, gid);
            }
        }
    }

    /**
     * Loading: every membership at once, user by user (see {@link MembershipLoad}). Into an index
     * that has memberships already, they are added one by one.
     */
    public synchronized MembershipLoad membershipLoad() {
        boolean fresh = groupsOfUser.isEmpty() && members.isEmpty();
        if (fresh && users != null) {
            // Sized for every user at once, rather than doubled as users come (see UserIndex#expect).
            groupsOfUser = UserIndex.sized(Math.max(16, users.size()));
        }
        return new MembershipLoad(this, byId.values(), byId.size(), fresh);
    }

    /** Loading: a user's groups, as a {@link UserGroups} entry. */
    void putLoadedGroups(UUID user, UUID[] entry) {
        groupsOfUser.put(user, entry);
    }

    /** Loading: a group's members, whose users' entries are in place already. */
    synchronized void putLoadedMembers(UUID gid, MemberIds ids) {
        members.put(gid, ids);
    }

    /** The id instance the group index holds for this group. */
    private UUID canonicalGroup(UUID groupId) {
        IndexedGroup g = byId.get(groupId);
        return g != null ? g.row().id() : groupId;
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
        String name = CaseFold.lowerValue(row.displayName());
        byId.put(row.id(), group);
        byDisplayName.put(name, row.id());
        if (row.externalId() != null) {
            byExternalId.computeIfAbsent(row.externalId(), k -> ConcurrentHashMap.newKeySet()).add(row.id());
        }
        if (old != null) {
            String oldName = CaseFold.lowerValue(old.row().displayName());
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
        deleted.put(id, System.nanoTime());
        waiting.remove(id);
        removeGroup(id);
    }

    /** Drops tombstones past their time, without a lock, as {@link UserIndex#expireTombstones} does. */
    void expireTombstones(long nowNanos) {
        deleted.values().removeIf(at -> nowNanos - at > UserIndex.TOMBSTONE_TTL_NANOS);
    }

    int tombstones() {
        return deleted.size();
    }

    /** Keeps what another index of the organisation knew of deleted groups (a reload). */
    public synchronized void inheritDeletions(GroupIndex previous) {
        deleted.putAll(previous.deleted);
    }

    private void removeGroup(UUID id) {
        IndexedGroup old;
        changing();
        try {
            old = byId.remove(id);
        } finally {
            changed();
        }
        if (old == null) {
            return;
        }
        byDisplayName.remove(CaseFold.lowerValue(old.row().displayName()), id);
        if (old.row().externalId() != null) {
            removeExternalId(old.row().externalId(), id);
        }
        MemberIds m = members.remove(id);
        if (m != null) {
            for (UUID u : m) {
                unlinkUser(u, id);
            }
        }
    }

    /** A deleted user leaves every group (the database cascades the same way). */
    public synchronized void removeUser(UUID userId) {
        UUID[] entry = groupsOfUser.remove(userId);
        if (entry != null) {
            for (int i = 0; i < UserGroups.count(entry); i++) {
                UUID g = UserGroups.group(entry, i);
                MemberIds m = members.get(g);
                if (m != null) {
                    members.put(g, m.without(userId));
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
        UUID[] entry = groupsOfUser.get(userId);
        if (entry != null) {
            UUID[] next = UserGroups.without(entry, groupId);
            if (next == null) {
                groupsOfUser.remove(userId);
            } else if (next != entry) {
                groupsOfUser.put(userId, next);
            }
        }
    }
}
