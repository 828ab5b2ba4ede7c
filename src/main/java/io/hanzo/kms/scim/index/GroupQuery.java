package io.hanzo.kms.scim.index;

import com.fasterxml.jackson.databind.JsonNode;
import io.hanzo.kms.scim.protocol.filter.CompareOp;
import io.hanzo.kms.scim.protocol.filter.Filter;
import io.hanzo.kms.scim.protocol.filter.FilterEvaluator;
import io.hanzo.kms.scim.protocol.filter.FilterVisitor;
import io.hanzo.kms.scim.store.Ids;

import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Answers a filtered, paged list of groups from the index. Equality on id, displayName, externalId
 * and member id narrows the candidates through lookup maps; anything else scans in id order.
 */
public final class GroupQuery {
    private final FilterEvaluator evaluator;

    public GroupQuery(FilterEvaluator evaluator) {
        this.evaluator = evaluator;
    }

    public record Page(int totalResults, List<IndexedGroup> groups) {
    }

    public Page run(GroupIndex index, Filter filter, Comparator<JsonNode> order, int startIndex, int count) {
        if (filter != null) {
            filter.accept(new MembershipCheck());
        }
        Set<UUID> ids = filter == null ? null : filter.accept(new Planner(index));
        Pages.Result<IndexedGroup> r = Pages.run(Pages.candidates(ids, index.all(), index::get),
                g -> filter == null || filter.accept(new Matcher(index, g)),
                order == null ? null : Comparator.comparing(IndexedGroup::resource, order), startIndex, count);
        return new Page(r.total(), r.items());
    }

    /** Rejects membership conditions the index cannot answer before any work is done. */
    private static final class MembershipCheck extends Walker<Void> {
        @Override
        Void leaf(Filter f, boolean members) {
            if (members) {
                GroupFilters.condition(f);
            }
            return null;
        }
    }

    /** Evaluates a filter on one group: membership from the sets, everything else by the evaluator. */
    private final class Matcher extends Walker<Boolean> {
        private final GroupIndex index;
        private final IndexedGroup group;

        Matcher(GroupIndex index, IndexedGroup group) {
            this.index = index;
            this.group = group;
        }

        @Override
        public Boolean visitAnd(Filter.And and) {
            return and.left().accept(this) && and.right().accept(this);
        }

        @Override
        public Boolean visitOr(Filter.Or or) {
            return or.left().accept(this) || or.right().accept(this);
        }

        @Override
        public Boolean visitNot(Filter.Not not) {
            return !not.inner().accept(this);
        }

        @Override
        Boolean leaf(Filter f, boolean members) {
            if (!members) {
                return evaluator.matches(f, group.resource());
            }
            return GroupFilters.condition(f).matches(index.members(group.row().id()));
        }
    }

    /** Candidate ids from lookup maps, or null when the filter needs a scan. */
    private static final class Planner extends Walker<Set<UUID>> {
        private final GroupIndex index;

        Planner(GroupIndex index) {
            this.index = index;
        }

        @Override
        public Set<UUID> visitAnd(Filter.And and) {
            return CandidateSets.and(and.left().accept(this), and.right().accept(this));
        }

        @Override
        public Set<UUID> visitOr(Filter.Or or) {
            Set<UUID> l = or.left().accept(this);
            return l == null ? null : CandidateSets.or(l, or.right().accept(this));
        }

        @Override
        public Set<UUID> visitNot(Filter.Not not) {
            return null;
        }

        @Override
        Set<UUID> leaf(Filter f, boolean members) {
            if (members) {
                List<UUID> users = GroupFilters.condition(f).onlyThrough();
                if (users == null) {
                    return null;
                }
                Set<UUID> out = new HashSet<>();
                users.forEach(u -> out.addAll(index.groupsOf(u)));
                return out;
            }
            if (!(f instanceof Filter.Compare c) || c.op() != CompareOp.EQ || !c.value().isTextual()
                    || c.path().schemaUrn() != null || c.path().subAttribute() != null) {
                return null;
            }
            String v = c.value().asText();
            switch (c.path().attribute()) {
                case "id": {
                    UUID id = Ids.parseOrNull(v);
                    return id == null ? Set.of() : Set.of(id);
                }
                case "displayName": {
                    UUID id = index.idByDisplayName(v);
                    return id == null ? Set.of() : Set.of(id);
                }
                case "externalId":
                    return index.idsByExternalId(v);
                default:
                    return null;
            }
        }
    }

    /** Recurses through and/or/not and hands each condition to {@link #leaf}. */
    private abstract static class Walker<R> implements FilterVisitor<R> {
        abstract R leaf(Filter f, boolean members);

        @Override
        public R visitAnd(Filter.And and) {
            and.left().accept(this);
            return and.right().accept(this);
        }

        @Override
        public R visitOr(Filter.Or or) {
            or.left().accept(this);
            return or.right().accept(this);
        }

        @Override
        public R visitNot(Filter.Not not) {
            return not.inner().accept(this);
        }

        @Override
        public R visitCompare(Filter.Compare compare) {
            return leaf(compare, GroupFilters.isMembers(compare.path()));
        }

        @Override
        public R visitPresent(Filter.Present present) {
            return leaf(present, GroupFilters.isMembers(present.path()));
        }

        @Override
        public R visitValuePath(Filter.ValuePath valuePath) {
            return leaf(valuePath, GroupFilters.isMembers(valuePath.path()));
        }
    }
}
