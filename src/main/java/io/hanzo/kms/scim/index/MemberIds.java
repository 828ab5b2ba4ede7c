package io.hanzo.kms.scim.index;

import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.UUID;

/**
 * A group's member ids in id order, as sorted chunks of at most {@link #CHUNK} ids: four bytes per
 * member. Never changed: {@link #with} and {@link #without} return a new set that shares every chunk
 * but one, so a change costs a chunk and the chunk directory, not the group, and readers iterate a
 * set that no write disturbs.
 */
public final class MemberIds extends AbstractSet<UUID> {
    static final int CHUNK = 256;
    static final MemberIds EMPTY = new MemberIds(new UUID[0][], 0);

    private final UUID[][] chunks;
    private final int size;

    private MemberIds(UUID[][] chunks, int size) {
        this.chunks = chunks;
        this.size = size;
    }

    /** The ids of a sorted array without repeats (the array is not kept). */
    static MemberIds ofSorted(UUID[] sorted, int length) {
        if (length == 0) {
            return EMPTY;
        }
        UUID[][] chunks = new UUID[(length + CHUNK - 1) / CHUNK][];
        for (int c = 0; c < chunks.length; c++) {
            chunks[c] = Arrays.copyOfRange(sorted, c * CHUNK, Math.min(length, (c + 1) * CHUNK));
        }
        return new MemberIds(chunks, length);
    }

    /**
     * Puts ids into id order ({@link UUID#compareTo}: two signed longs) in place. PostgreSQL orders
     * uuids by unsigned bytes, so ids it sorted differ from id order only in where the ids whose first
     * byte has its high bit set go: last there, first here. That run is moved in one rotation rather
     * than sorted; an array in any other order (or with ids that differ only in their last eight
     * bytes across that bit) is sorted.
     */
    static void toIdOrder(UUID[] ids, int from, int to) {
        if (ascending(ids, from, to)) {
            return;
        }
        int split = from;
        while (split < to && ids[split].getMostSignificantBits() >= 0) {
            split++;
        }
        if (split > from && split < to) {
            UUID[] low = Arrays.copyOfRange(ids, from, split);
            System.arraycopy(ids, split, ids, from, to - split);
            System.arraycopy(low, 0, ids, to - low.length, low.length);
            if (ascending(ids, from, to)) {
                return;
            }
        }
        Arrays.sort(ids, from, to);
    }

    static boolean ascending(UUID[] ids, int from, int to) {
        for (int i = from + 1; i < to; i++) {
            if (ids[i - 1].compareTo(ids[i]) > 0) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public boolean contains(Object o) {
        if (!(o instanceof UUID id) || size == 0) {
            return false;
        }
        return Arrays.binarySearch(chunks[chunkOf(id)], id) >= 0;
    }

    /** The set with the id added (this set when it holds the id already). */
    MemberIds with(UUID id) {
        if (size == 0) {
            return new MemberIds(new UUID[][] {{id}}, 1);
        }
        int c = chunkOf(id);
        UUID[] chunk = chunks[c];
        int at = Arrays.binarySearch(chunk, id);
        if (at >= 0) {
            return this;
        }
        at = -at - 1;
        UUID[] grown = new UUID[chunk.length + 1];
        System.arraycopy(chunk, 0, grown, 0, at);
        grown[at] = id;
        System.arraycopy(chunk, at, grown, at + 1, chunk.length - at);
        if (grown.length <= CHUNK) {
            UUID[][] next = chunks.clone();
            next[c] = grown;
            return new MemberIds(next, size + 1);
        }
        // A full chunk splits in two halves, which leaves room on both sides for later ids.
        int half = grown.length / 2;
        UUID[][] next = new UUID[chunks.length + 1][];
        System.arraycopy(chunks, 0, next, 0, c);
        next[c] = Arrays.copyOfRange(grown, 0, half);
        next[c + 1] = Arrays.copyOfRange(grown, half, grown.length);
        System.arraycopy(chunks, c + 1, next, c + 2, chunks.length - c - 1);
        return new MemberIds(next, size + 1);
    }

    /** The set without the id (this set when it does not hold the id). */
    MemberIds without(UUID id) {
        if (size == 0) {
            return this;
        }
        int c = chunkOf(id);
        UUID[] chunk = chunks[c];
        int at = Arrays.binarySearch(chunk, id);
        if (at < 0) {
            return this;
        }
        if (chunk.length == 1) {
            UUID[][] next = new UUID[chunks.length - 1][];
            System.arraycopy(chunks, 0, next, 0, c);
            System.arraycopy(chunks, c + 1, next, c, chunks.length - c - 1);
            return next.length == 0 ? EMPTY : new MemberIds(next, size - 1);
        }
        UUID[] shrunk = new UUID[chunk.length - 1];
        System.arraycopy(chunk, 0, shrunk, 0, at);
        System.arraycopy(chunk, at + 1, shrunk, at, chunk.length - at - 1);
        UUID[][] next = chunks.clone();
        next[c] = shrunk;
        return new MemberIds(next, size - 1);
    }

    /** The chunk an id belongs in: the last whose first id is not greater, else the first. */
    private int chunkOf(UUID id) {
        int lo = 0;
        int hi = chunks.length - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (chunks[mid][0].compareTo(id) <= 0) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    /** Ids in id order. */
    @Override
    public Iterator<UUID> iterator() {
        return new Iterator<>() {
            private int chunk;
            private int at;

            @Override
            public boolean hasNext() {
                return chunk < chunks.length;
            }

            @Override
            public UUID next() {
                if (chunk >= chunks.length) {
                    throw new NoSuchElementException();
                }
                UUID id = chunks[chunk][at++];
                if (at == chunks[chunk].length) {
                    chunk++;
                    at = 0;
                }
                return id;
            }
        };
    }
}
