package io.hanzo.kms.scim.index;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.UUID;

/**
 * Loading every membership of an organisation into a group index that has none yet, one user at a
 * time with all of the user's groups. Users read in id order append themselves to each of their
 * groups' member lists, which so come in the database's uuid order and are put into id order by one
 * rotation ({@link MemberIds#toIdOrder}) rather than sorted. Per membership the only lookup is in a
 * table of the organisation's groups, a few thousand entries that stay in cache, by the id's two
 * longs as read from the row's bytes (no UUID made per membership); the user's shared id instance is
 * looked up once per user, not once per membership.
 *
 * <p>Not thread-safe: {@link #add} and {@link #finish} are called one at a time, in order (the
 * loading runs them as ordered blocking tasks, which run one after the other).
 */
public final class MembershipLoad {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private final GroupIndex index;
    /** Each group's members so far, by group id. */
    private final GroupTable groups;
    /** False when the index held memberships already: they are then added one by one. */
    private final boolean fresh;

    MembershipLoad(GroupIndex index, Iterable<IndexedGroup> known, int groupCount, boolean fresh) {
        this.index = index;
        this.fresh = fresh;
        this.groups = new GroupTable(groupCount);
        for (IndexedGroup g : known) {
            groups.put(new Members(g.row().id()));
        }
    }

    /**
     * One user's groups. Each user is added once.
     *
     * @param groupIds the group ids, sixteen bytes each as PostgreSQL sends a uuid (big-endian), in any
     *                 order, each once; the array is not kept
     */
    public void add(UUID userId, byte[] groupIds) {
        int count = groupIds.length / 16;
        if (count == 0) {
            return;
        }
        if (!fresh) {
            for (int i = 0; i < count; i++) {
                index.addMembership(groupId(groupIds, i), userId);
            }
            return;
        }
        UUID user = index.shared(userId);
        UUID[] entry = new UUID[count + 1];
        entry[0] = user;
        for (int i = 0; i < count; i++) {
            long msb = (long) LONGS.get(groupIds, i * 16);
            long lsb = (long) LONGS.get(groupIds, i * 16 + 8);
            Members m = groups.get(msb, lsb);
            if (m == null) {
                // A group created after the groups were read: its members are kept all the same,
                // as a change to it follows on the change feed.
                m = groups.put(new Members(new UUID(msb, lsb)));
            }
            m.add(user);
            entry[i + 1] = m.gid;
        }
        MemberIds.toIdOrder(entry, 1, entry.length);
        index.putLoadedGroups(user, entry);
    }

    private static UUID groupId(byte[] groupIds, int i) {
        return new UUID((long) LONGS.get(groupIds, i * 16), (long) LONGS.get(groupIds, i * 16 + 8));
    }

    /** Puts each group's members in place. */
    public void finish() {
        if (!fresh) {
            return;
        }
        for (Members m : groups.all()) {
            if (m != null && m.count > 0) {
                // No repeats to drop: each user is added once, with each of its groups once.
                MemberIds.toIdOrder(m.ids, 0, m.count);
                index.putLoadedMembers(m.gid, MemberIds.ofSorted(m.ids, m.count));
            }
        }
    }

    /**
     * Groups by id, open addressing on the id's two longs: found without making a UUID. Kept at most
     * half full.
     */
    private static final class GroupTable {
        private Members[] slots;
        private int size;

        GroupTable(int expected) {
            slots = new Members[Integer.highestOneBit(Math.max(8, expected) * 4 - 1)];
        }

        Members get(long msb, long lsb) {
            int mask = slots.length - 1;
            for (int i = slot(msb, lsb, mask); ; i = (i + 1) & mask) {
                Members m = slots[i];
                if (m == null || (m.msb == msb && m.lsb == lsb)) {
                    return m;
                }
            }
        }

        Members put(Members m) {
            if (2 * (size + 1) > slots.length) {
                Members[] old = slots;
                slots = new Members[old.length * 2];
                size = 0;
                for (Members o : old) {
                    if (o != null) {
                        put(o);
                    }
                }
            }
            int mask = slots.length - 1;
            int i = slot(m.msb, m.lsb, mask);
            while (slots[i] != null) {
                if (slots[i].msb == m.msb && slots[i].lsb == m.lsb) {
                    return slots[i];
                }
                i = (i + 1) & mask;
            }
            slots[i] = m;
            size++;
            return m;
        }

        Members[] all() {
            return slots;
        }

        private static int slot(long msb, long lsb, int mask) {
            long h = (msb ^ lsb) * 0x9E3779B97F4A7C15L;
            return (int) (h >>> 32) & mask;
        }
    }

    /** A group's members as they are added, with room to grow. */
    private static final class Members {
        final UUID gid;
        final long msb;
        final long lsb;
        UUID[] ids = new UUID[16];
        int count;

        Members(UUID gid) {
            this.gid = gid;
            this.msb = gid.getMostSignificantBits();
            this.lsb = gid.getLeastSignificantBits();
        }

        void add(UUID user) {
            if (count == ids.length) {
                ids = Arrays.copyOf(ids, ids.length * 2);
            }
            ids[count++] = user;
        }
    }
}
