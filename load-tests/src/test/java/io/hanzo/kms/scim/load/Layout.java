package io.hanzo.kms.scim.load;

import java.util.ArrayList;
import java.util.List;

/**
 * Who belongs to which group, the same in the PATCH and the /Bulk simulations. Group 0 holds the
 * first min(users, 100,000) users (everyone at large scale); the other memberships are spread evenly
 * over groups 1..G-1, each holding a contiguous run of users, the runs starting at even steps so that
 * every user is in about the same number of groups. Contiguous runs keep a /Bulk request of
 * consecutive users down to a handful of group operations.
 */
public final class Layout {
    private final int users;
    private final int groups;
    private final int[] start;
    private final int[] size;

    public Layout(int users, int groups, long memberships) {
        if (users < 1 || groups < 1) {
            throw new IllegalArgumentException("Need at least one user and one group.");
        }
        this.users = users;
        this.groups = groups;
        this.start = new int[groups];
        this.size = new int[groups];
        int big = (int) Math.min(Math.min(users, Scale.BIG_GROUP_MAX), Math.max(memberships, 1));
        size[0] = big;
        if (groups > 1) {
            long extra = Math.max(0, memberships - big);
            int others = groups - 1;
            long each = extra / others;
            long rest = extra % others;
            int largest = (int) (each + (rest > 0 ? 1 : 0));
            if (largest > users) {
                throw new IllegalArgumentException(memberships + " memberships over " + groups
                        + " groups need groups larger than the " + users + " users.");
            }
            int room = users - largest;
            for (int g = 1; g < groups; g++) {
                size[g] = (int) (each + (g - 1 < rest ? 1 : 0));
                start[g] = others == 1 ? 0 : (int) ((long) (g - 1) * room / (others - 1));
            }
        }
    }

    public int users() {
        return users;
    }

    public int groups() {
        return groups;
    }

    public int start(int group) {
        return start[group];
    }

    public int size(int group) {
        return size[group];
    }

    public long memberships() {
        long n = 0;
        for (int s : size) {
            n += s;
        }
        return n;
    }

    /** A group's users from {@code from} (inclusive) to {@code to} (exclusive). */
    public record Slice(int group, int from, int to) {
        public int count() {
            return to - from;
        }
    }

    /** The part of every group that falls among users [from, to), group by group. */
    public List<Slice> slices(int from, int to) {
        List<Slice> out = new ArrayList<>();
        for (int g = 0; g < groups; g++) {
            int a = Math.max(from, start[g]);
            int b = Math.min(to, start[g] + size[g]);
            if (a < b) {
                out.add(new Slice(g, a, b));
            }
        }
        return out;
    }

    /**
     * Every group's members cut into PATCH batches of at most {@code perPatch}, interleaved so that
     * consecutive batches go to different groups while several groups still have some left.
     */
    public List<Slice> patchBatches(int perPatch) {
        List<List<Slice>> perGroup = new ArrayList<>();
        int rounds = 0;
        for (int g = 0; g < groups; g++) {
            List<Slice> batches = new ArrayList<>();
            for (int a = start[g]; a < start[g] + size[g]; a += perPatch) {
                batches.add(new Slice(g, a, Math.min(a + perPatch, start[g] + size[g])));
            }
            perGroup.add(batches);
            rounds = Math.max(rounds, batches.size());
        }
        List<Slice> out = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            for (List<Slice> batches : perGroup) {
                if (r < batches.size()) {
                    out.add(batches.get(r));
                }
            }
        }
        return out;
    }
}
