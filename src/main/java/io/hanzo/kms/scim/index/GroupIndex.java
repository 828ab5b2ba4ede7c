package io.hanzo.kms.scim.index;

import io.hanzo.kms.scim.protocol.CaseFold;
import io.hanzo.kms.scim.store.GroupRow;
import io.hanzo.kms.scim.store.GroupWrite;

import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.function.Predicate;

/**
 * One organisation's groups and memberships in memory: groups by id, displayName (any letter case)
 * and externalId; each group's members in id order; each user's groups. Written only after commits,
 * one write per group at a time in commit order (see {@code GroupService}), so membership deltas
 * apply in the order the database applied them.
 */
public final class GroupIndex {
    private final ConcurrentSkipListMap<UUID, IndexedGroup> byId = new ConcurrentSkipListMap<>();
    private final Map<String, UUID> byDisplayName = new ConcurrentHashMap<>();
    private final Map<String, Set<UUID>> byExternalId = new ConcurrentHashMap<>();
    private final Map<UUID, NavigableSet<UUID>> members = new ConcurrentHashMap<>();
    private final Map<UUID, Set<UUID>> groupsOfUser = new ConcurrentHashMap<>();

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

    /**
     * @param live whether a user may still be added: false for users deleted meanwhile
     */
    public synchronized void apply(IndexedGroup group, GroupWrite write, Predicate<UUID> live) {
        putGroup(group);
        UUID gid = group.row().id();
        NavigableSet<UUID> m = members.computeIfAbsent(gid, k -> new ConcurrentSkipListSet<>());
        for (UUID u : write.removed()) {
            m.remove(u);
            unlinkUser(u, gid);
        }
        for (UUID u : write.added()) {
            if (!live.test(u)) {
                continue;
            }
            m.add(u);
            groupsOfUser.computeIfAbsent(u, k -> ConcurrentHashMap.newKeySet()).add(gid);
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

    public synchronized void removeGroup(UUID id) {
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
