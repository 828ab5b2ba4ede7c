package io.hanzo.kms.scim.index;

import java.util.List;

/** One page of an ordered list of matches. */
final class Pages {
    private Pages() {
    }

    /** Items {@code startIndex} (1-based) onwards, at most {@code count} of them. */
    static <T> List<T> slice(List<T> all, int startIndex, int count) {
        int from = Math.min(all.size(), startIndex - 1);
        int to = (int) Math.min(all.size(), (long) from + count);
        return List.copyOf(all.subList(from, to));
    }
}
