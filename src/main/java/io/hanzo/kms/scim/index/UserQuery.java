package io.hanzo.kms.scim.index;

import com.fasterxml.jackson.databind.JsonNode;
import io.hanzo.kms.scim.protocol.filter.CompiledFilter;
import io.hanzo.kms.scim.protocol.filter.Filter;
import io.hanzo.kms.scim.protocol.filter.FilterEvaluator;

import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Answers a filtered, paged list from the index: equality lookups narrow the candidates through the
 * lookup maps, anything else scans the organisation's users in id order.
 */
public final class UserQuery {
    /**
     * Above this many users to filter or sort, a list is answered on a worker thread: a scan of a
     * large organisation takes tens of milliseconds, which an event loop must not spend while
     * lookups wait behind it.
     */
    public static final int SCAN_OFF_LOOP = 5_000;

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
        Set<UUID> ids = filter == null ? null : filter.accept(new IndexPlanner(index));
        // Compiled once for the whole scan, not interpreted again for every user.
        CompiledFilter compiled = filter == null ? null : evaluator.compile(filter);
        Pages.Result<IndexedUser> r = Pages.run(Pages.candidates(ids, index.all(), index::get),
                u -> compiled == null || compiled.matches(u.resource()),
                order == null ? null : Comparator.comparing(IndexedUser::resource, order), startIndex, count);
        return new Page(r.total(), r.items());
    }

    /**
     * True when {@link #run} would filter or sort more than {@link #SCAN_OFF_LOOP} users: the index
     * cannot narrow the filter to a few candidates.
     */
    public boolean scansMany(UserIndex index, Filter filter, Comparator<JsonNode> order) {
        if (filter == null && order == null) {
            return false; // a page in creation order: counted, nothing tested
        }
        if (index.size() <= SCAN_OFF_LOOP) {
            return false;
        }
        Set<UUID> ids = filter == null ? null : filter.accept(new IndexPlanner(index));
        return ids == null || ids.size() > SCAN_OFF_LOOP;
    }
}
