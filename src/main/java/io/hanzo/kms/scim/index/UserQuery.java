package io.hanzo.kms.scim.index;

import com.fasterxml.jackson.databind.JsonNode;
import io.hanzo.kms.scim.protocol.filter.Filter;
import io.hanzo.kms.scim.protocol.filter.FilterEvaluator;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Answers a filtered, paged list from the index: equality lookups narrow the candidates through the
 * lookup maps, anything else scans the organisation's users in id order.
 */
public final class UserQuery {
    private final FilterEvaluator evaluator;

    public UserQuery(FilterEvaluator evaluator) {
        this.evaluator = evaluator;
    }

    /** One page of matches, and how many match in all. */
    public record Page(int totalResults, List<IndexedUser> users) {
    }

    /**
     * @param filter     resolved filter, or null for all users
     * @param order      sort order, or null for creation order
     * @param startIndex 1-based index of the first result
     * @param count      most results to return; 0 returns the total only
     */
    public Page run(UserIndex index, Filter filter, Comparator<JsonNode> order, int startIndex, int count) {
        Collection<IndexedUser> candidates = candidates(index, filter);
        if (order != null) {
            List<IndexedUser> all = new ArrayList<>();
            for (IndexedUser u : candidates) {
                if (filter == null || evaluator.matches(filter, u.resource())) {
                    all.add(u);
                }
            }
            // A stable sort over candidates in id order: ties stay in creation order.
            all.sort(Comparator.comparing(IndexedUser::resource, order));
            return new Page(all.size(), Pages.slice(all, startIndex, count));
        }
        List<IndexedUser> page = new ArrayList<>(Math.min(count, 64));
        int matched = 0;
        for (IndexedUser u : candidates) {
            if (filter != null && !evaluator.matches(filter, u.resource())) {
                continue;
            }
            matched++;
            if (matched >= startIndex && page.size() < count) {
                page.add(u);
            }
        }
        return new Page(matched, page);
    }

    private static Collection<IndexedUser> candidates(UserIndex index, Filter filter) {
        Set<UUID> ids = filter == null ? null : filter.accept(new IndexPlanner(index));
        if (ids == null) {
            return index.all();
        }
        List<UUID> sorted = new ArrayList<>(ids);
        sorted.sort(null);
        List<IndexedUser> out = new ArrayList<>(sorted.size());
        for (UUID id : sorted) {
            IndexedUser u = index.get(id);
            if (u != null) {
                out.add(u);
            }
        }
        return out;
    }
}
