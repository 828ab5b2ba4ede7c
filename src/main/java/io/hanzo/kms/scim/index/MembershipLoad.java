package io.hanzo.kms.scim.index;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Loading every membership of an organisation into a group index that has none yet, one user at a
 * time with all of the user's groups. Users read in id order append themselves to each of their
 * groups' member lists, which so come in the database's uuid order and are put into id order by one
 * rotation ({@link MemberIds#toIdOrder}) rather than sorted. Per membership the only lookup is in the
 * map of the organisation's groups, a few thousand entries that stay in cache; the user's shared id
 * instance is looked up once per user, not once per membership.
 *
 * <p>Not thread-safe: {@link #add} and {@link #finish} are called one at a time, in order (the
 * loading runs them as ordered blocking tasks, which run one after the other).
 */
public final class MembershipLoad {
    private final GroupIndex index;
    /** Each group's members so far, by group id. */
    private final Map<UUID, Members> groups;
    /** False when the index held memberships already: they are then added one by one. */
    private final boolean fresh;

    MembershipLoad(GroupIndex index, Iterable<IndexedGroup> known, int groupCount, boolean fresh) {
        this.index = index;
        this.fresh = fresh;
        this.groups = new HashMap<>(Math.max(16, groupCount * 2));
        for (IndexedGroup g : known) {
            UUID gid = g.row().id();
            groups.put(gid, new Members(gid));
        }
    }

    /**
     * One user's groups. Each user is added once.
     *
     * @param groupIds in any order, each once; the array is not kept
     */
    public void add(UUID userId, UUID[] groupIds) {
        if (groupIds.length == 0) {
            return;
        }
        if (!fresh) {
            for (UUID g : groupIds) {
                index.addMembership(g, userId);
            }
            return;
        }
        UUID user = index.shared(userId);
        UUID[] entry = new UUID[groupIds.length + 1];
        entry[0] = user;
        for (int i = 0; i < groupIds.length; i++) {
            Members m = groups.get(groupIds[i]);
            if (m == null) {
                // A group created after the groups were read: its members are kept all the same,
                // as a change to it follows on the change feed.
                m = new Members(groupIds[i]);
                groups.put(m.gid, m);
            }
            m.add(user);
            entry[i + 1] = m.gid;
        }
        MemberIds.toIdOrder(entry, 1, entry.length);
        index.putLoadedGroups(user, entry);
    }

    /** Puts each group's members in place. */
    public void finish() {
        if (!fresh) {
            return;
        }
        for (Members m : groups.values()) {
            if (m.count > 0) {
                MemberIds.toIdOrder(m.ids, 0, m.count);
                int n = 0;
                for (int i = 0; i < m.count; i++) {
                    if (n == 0 || !m.ids[n - 1].equals(m.ids[i])) {
                        m.ids[n++] = m.ids[i];
                    }
                }
                index.putLoadedMembers(m.gid, MemberIds.ofSorted(m.ids, n));
            }
        }
        groups.clear();
    }

    /** A group's members as they are added, with room to grow. */
    private static final class Members {
        final UUID gid;
        UUID[] ids = new UUID[16];
        int count;

        Members(UUID gid) {
            this.gid = gid;
        }

        void add(UUID user) {
            if (count == ids.length) {
                ids = Arrays.copyOf(ids, ids.length * 2);
            }
            ids[count++] = user;
        }
    }
}
