package io.hanzo.kms.scim.index;

import com.fasterxml.jackson.databind.JsonNode;
import io.hanzo.kms.scim.protocol.filter.AttributePath;
import io.hanzo.kms.scim.protocol.filter.CompareOp;
import io.hanzo.kms.scim.protocol.filter.Filter;
import io.hanzo.kms.scim.protocol.filter.FilterVisitor;
import io.hanzo.kms.scim.store.Ids;

import java.util.Set;
import java.util.UUID;

/**
 * Reads a resolved filter for the equality lookups the index answers (id, userName, emails.value,
 * externalId) and returns the candidate ids, or null when the filter cannot be narrowed that way and
 * every user must be scanned. Candidates are a superset: the evaluator still checks each one.
 */
final class IndexPlanner implements FilterVisitor<Set<UUID>> {
    private final UserIndex index;

    IndexPlanner(UserIndex index) {
        this.index = index;
    }

    @Override
    public Set<UUID> visitAnd(Filter.And and) {
        return CandidateSets.and(and.left().accept(this), and.right().accept(this));
    }

    @Override
    public Set<UUID> visitOr(Filter.Or or) {
        Set<UUID> left = or.left().accept(this);
        return left == null ? null : CandidateSets.or(left, or.right().accept(this));
    }

    @Override
    public Set<UUID> visitNot(Filter.Not not) {
        return null;
    }

    @Override
    public Set<UUID> visitPresent(Filter.Present present) {
        return null;
    }

    @Override
    public Set<UUID> visitCompare(Filter.Compare c) {
        if (c.op() != CompareOp.EQ || !c.value().isTextual() || c.path().schemaUrn() != null) {
            return null;
        }
        return lookup(c.path(), c.value());
    }

    @Override
    public Set<UUID> visitValuePath(Filter.ValuePath vp) {
        if (!vp.path().attribute().equals("emails") || vp.path().schemaUrn() != null) {
            return null;
        }
        return vp.inner().accept(new FilterVisitor<Set<UUID>>() {
            @Override
            public Set<UUID> visitAnd(Filter.And and) {
                Set<UUID> l = and.left().accept(this);
                return l != null ? l : and.right().accept(this);
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
            public Set<UUID> visitCompare(Filter.Compare c) {
                boolean emailValue = c.op() == CompareOp.EQ && c.value().isTextual() && c.path().attribute().equals("value");
                return emailValue ? index.idsByEmail(c.value().asText()) : null;
            }

            @Override
            public Set<UUID> visitPresent(Filter.Present present) {
                return null;
            }

            @Override
            public Set<UUID> visitValuePath(Filter.ValuePath valuePath) {
                return null;
            }
        });
    }

    private Set<UUID> lookup(AttributePath path, JsonNode value) {
        String v = value.asText();
        String attr = path.attribute();
        String sub = path.subAttribute();
        if (sub == null) {
            switch (attr) {
                case "id": {
                    UUID id = Ids.parseOrNull(v);
                    return id == null ? Set.of() : Set.of(id);
                }
                case "userName": {
                    UUID id = index.idByUserName(v);
                    return id == null ? Set.of() : Set.of(id);
                }
                case "externalId":
                    return index.idsByExternalId(v);
                default:
                    return null;
            }
        }
        return attr.equals("emails") && sub.equals("value") ? index.idsByEmail(v) : null;
    }
}
