package io.hanzo.kms.scim.index;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hanzo.kms.scim.protocol.Json;
import io.hanzo.kms.scim.protocol.PartialTree;
import io.hanzo.kms.scim.protocol.filter.CompareOp;
import io.hanzo.kms.scim.protocol.filter.Filter;
import io.hanzo.kms.scim.protocol.filter.FilterCompiler;
import io.hanzo.kms.scim.protocol.filter.FilterEvaluator;
import io.hanzo.kms.scim.protocol.resource.ResourceSorter;

import java.util.AbstractCollection;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

/**
 * Answers a filtered, paged list from the index: equality lookups narrow the candidates through the
 * lookup maps (a group's members for {@code groups.value eq}), anything else scans the organisation's
 * users in id order.
 */
public final class UserQuery {
    /**
     * Above this many users to filter or sort, a list is answered on a worker thread: each user's
     * document is unpacked and the members tested are parsed out of it (one to a few microseconds),
     * so a scan of a large organisation takes tens of milliseconds, which an event loop must not
     * spend while lookups wait behind it.
     */
    public static final int SCAN_OFF_LOOP = 1_000;

    private final FilterEvaluator evaluator;
    private final GroupsAttribute groupsAttribute;

    public UserQuery(FilterEvaluator evaluator, GroupsAttribute groupsAttribute) {
        this.evaluator = evaluator;
        this.groupsAttribute = groupsAttribute;
    }

    /** One page of matches, and how many match in all. */
    public record Page(int totalResults, List<IndexedUser> users) {
    }

    /**
     * @param groups     the organisation's groups, whose memberships are the users' {@code groups}
     * @param filter     resolved filter, or null for all users
     * @param order      sort order, or null for creation order
     * @param startIndex 1-based index of the first result
     * @param count      most results to return; 0 returns the total only
     */
    public Page run(UserIndex index, GroupIndex groups, Filter filter, Comparator<JsonNode> order, int startIndex,
                    int count) {
        return run(index, groups, plan(index, groups, filter, order), filter, order, startIndex, count);
    }

    /** As {@link #run(UserIndex, GroupIndex, Filter, Comparator, int, int)}, with the candidates already planned. */
    public Page run(UserIndex index, GroupIndex groups, Plan plan, Filter filter, Comparator<JsonNode> order,
                    int startIndex, int count) {
        Collection<IndexedUser> candidates = Pages.candidates(plan.ids(), index.all(), index::get);
        if (order == null && (filter == null || answeredByLookup(filter))) {
            Pages.Result<IndexedUser> r = Pages.run(candidates, u -> true, null, startIndex, count);
            return new Page(r.total(), r.items());
        }
        // Compiled once for the whole scan, not interpreted again for every user; each candidate's
        // document is parsed once, whether it is tested, sorted or both, and only into the members the
        // filter and the sort read; a sort keeps only the value it sorts by, not even that tree.
        FilterCompiler.Reading compiled = filter == null ? null : evaluator.compileReading(filter);
        ResourceSorter.Order keyed = order instanceof ResourceSorter.Order o ? o : null;
        Comparator<Candidate> byKey = keyed != null ? (x, y) -> keyed.compareKeys(x.key, y.key)
                : order != null ? Comparator.comparing(c -> c.tree, order) : null;
        Function<IndexedUser, JsonNode> read = reader(compiled, order, keyed, groups);
        Pages.Result<Candidate> r = Pages.run(new Parsing(candidates, read), c -> {
            boolean matches = compiled == null || compiled.predicate().matches(c.tree);
            if (keyed != null) {
                c.key = keyed.key(c.tree);
                c.tree = null;
            }
            return matches;
        }, byKey, startIndex, count);
        List<IndexedUser> users = new ArrayList<>(r.items().size());
        r.items().forEach(c -> users.add(c.user));
        return new Page(r.total(), users);
    }

    /**
     * How a candidate's document becomes the tree the scan tests: only the members the filter and the
     * sort key read (their answers on that tree are those on the whole document), or the whole
     * document for an order that says not what it reads. The stored document has no {@code groups}:
     * when they are read, they come from the group index, as the rendered user gets them, and a
     * filter that reads nothing else reads no document at all.
     */
    private Function<IndexedUser, JsonNode> reader(FilterCompiler.Reading compiled, Comparator<JsonNode> order,
                                                   ResourceSorter.Order keyed, GroupIndex groups) {
        if (order != null && keyed == null) {
            return u -> groupsAttribute.addTo(u.resource(), groups, u.id());
        }
        Set<String> names = new HashSet<>();
        if (compiled != null) {
            names.addAll(compiled.members());
        }
        if (keyed != null) {
            names.add(keyed.member());
        }
        boolean readsGroups = names.remove(GroupsAttribute.NAME);
        PartialTree members = new PartialTree(names);
        Function<IndexedUser, ObjectNode> document = names.isEmpty() ? u -> Json.MAPPER.createObjectNode()
                : u -> members.read(u.json());
        return readsGroups ? u -> groupsAttribute.addTo(document.apply(u), groups, u.id()) : document::apply;
    }

    /**
     * True for a single equality the lookup maps answer exactly, as the evaluator would: userName and
     * emails.value fold letter case the same way, externalId matches exactly. Such a lookup, the one
     * IdPs make before every write, then reads no document.
     */
    static boolean answeredByLookup(Filter filter) {
        if (!(filter instanceof Filter.Compare c) || c.op() != CompareOp.EQ || !c.value().isTextual()
                || c.path().schemaUrn() != null) {
            return false;
        }
        String attr = c.path().attribute();
        String sub = c.path().subAttribute();
        return sub == null ? attr.equals("userName") || attr.equals("externalId")
                : attr.equals("emails") && sub.equals("value");
    }

    /** A user in a scan: its document as a tree while it is tested, then only its sort key. */
    private static final class Candidate {
        final IndexedUser user;
        JsonNode tree;
        JsonNode key;

        Candidate(IndexedUser user, JsonNode tree) {
            this.user = user;
            this.tree = tree;
        }
    }

    /** The candidates, each parsed as the scan reaches it. */
    private static final class Parsing extends AbstractCollection<Candidate> {
        private final Collection<IndexedUser> users;
        private final Function<IndexedUser, JsonNode> read;

        Parsing(Collection<IndexedUser> users, Function<IndexedUser, JsonNode> read) {
            this.users = users;
            this.read = read;
        }

        @Override
        public Iterator<Candidate> iterator() {
            Iterator<IndexedUser> it = users.iterator();
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return it.hasNext();
                }

                @Override
                public Candidate next() {
                    IndexedUser u = it.next();
                    return new Candidate(u, read.apply(u));
                }
            };
        }

        @Override
        public int size() {
            return users.size();
        }
    }

    /**
     * What a list will examine, worked out once: the candidates the lookup maps give (null: every
     * user), and whether filtering or sorting them means more than {@link #SCAN_OFF_LOOP} users, so
     * that the list belongs on a worker thread.
     */
    public record Plan(Set<UUID> ids, boolean scansMany) {
    }

    public Plan plan(UserIndex index, GroupIndex groups, Filter filter, Comparator<JsonNode> order) {
        Set<UUID> ids = filter == null ? null : filter.accept(new IndexPlanner(index, groups));
        if (order == null && (filter == null || answeredByLookup(filter))) {
            return new Plan(ids, false); // a page in creation order: counted, nothing tested
        }
        boolean many = index.size() > SCAN_OFF_LOOP && (ids == null || ids.size() > SCAN_OFF_LOOP);
        return new Plan(ids, many);
    }
}
