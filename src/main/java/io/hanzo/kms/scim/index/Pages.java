package io.hanzo.kms.scim.index;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Predicate;

/** Candidates, matching, ordering and one page of the result: the shape every list query shares. */
final class Pages {
    private Pages() {
    }

    /** How many matched in all, and the page. */
    record Result<T>(int total, List<T> items) {
    }

    /**
     * The resources of the candidate ids, in id order (creation order), skipping any gone meanwhile;
     * null ids (no narrowing possible) gives every resource.
     */
    static <T> Collection<T> candidates(Set<UUID> ids, Collection<T> all, Function<UUID, T> lookup) {
        if (ids == null) {
            return all;
        }
        List<UUID> sorted = new ArrayList<>(ids);
        sorted.sort(null);
        List<T> out = new ArrayList<>(sorted.size());
        for (UUID id : sorted) {
            T item = lookup.apply(id);
            if (item != null) {
                out.add(item);
            }
        }
        return out;
    }

    /**
     * @param order      null for candidate order; else a stable sort, so ties keep creation order
     * @param startIndex 1-based index of the first result
     * @param count      most results to return; 0 returns the total only
     */
    static <T> Result<T> run(Collection<T> candidates, Predicate<T> matches, Comparator<T> order, int startIndex,
                             int count) {
        if (order != null) {
            List<T> all = new ArrayList<>();
            for (T item : candidates) {
                if (matches.test(item)) {
                    all.add(item);
                }
            }
            all.sort(order);
            return new Result<>(all.size(), slice(all, startIndex, count));
        }
        // Without an order the page is taken while counting, never holding every match.
        List<T> page = new ArrayList<>(Math.min(count, 64));
        int matched = 0;
        for (T item : candidates) {
            if (!matches.test(item)) {
                continue;
            }
            matched++;
            if (matched >= startIndex && page.size() < count) {
                page.add(item);
            }
        }
        return new Result<>(matched, page);
    }

    /** Items {@code startIndex} (1-based) onwards, at most {@code count} of them. */
    private static <T> List<T> slice(List<T> all, int startIndex, int count) {
        int from = Math.min(all.size(), startIndex - 1);
        int to = (int) Math.min(all.size(), (long) from + count);
        return List.copyOf(all.subList(from, to));
    }
}
