package io.hanzo.kms.scim.index;

import com.fasterxml.jackson.databind.JsonNode;
import io.hanzo.kms.scim.protocol.filter.AttributePath;
import io.hanzo.kms.scim.protocol.filter.CompareOp;
import io.hanzo.kms.scim.protocol.filter.Filter;
import io.hanzo.kms.scim.protocol.filter.FilterVisitor;
import io.hanzo.kms.scim.store.Ids;

import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

/**
 * Reads a resolved filter for the equality lookups the index answers (id, userName, emails.value,
 * externalId, and groups.value from the group index's members) and returns the candidate ids, or
 * null when the filter cannot be narrowed that way and every user must be scanned. Candidates are a
 * superset: the evaluator still checks each one.
 */
final class IndexPlanner implements FilterVisitor<Set<UUID>> {
    private final UserIndex index;
    private final GroupIndex groups;

    IndexPlanner(UserIndex index, GroupIndex groups) {
        this.index = index;
        this.groups = groups;
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
        if (vp.path().schemaUrn() != null) {
            return null;
        }
        return switch (vp.path().attribute()) {
            case "emails" -> valueLookup(vp.inner(), index::idsByEmail);
            case GroupsAttribute.NAME -> valueLookup(vp.inner(), this::members);
            default -> null;
        };
    }

    /** Inside {@code attribute[...]}: candidates for an equality on the value sub-attribute, or null. */
    private static Set<UUID> valueLookup(Filter inner, Function<String, Set<UUID>> byValue) {
        if (inner instanceof Filter.And and) {
            Set<UUID> l = valueLookup(and.left(), byValue);
            return l != null ? l : valueLookup(and.right(), byValue);
        }
        if (inner instanceof Filter.Or or) {
            Set<UUID> l = valueLookup(or.left(), byValue);
            return l == null ? null : CandidateSets.or(l, valueLookup(or.right(), byValue));
        }
        if (inner instanceof Filter.Compare c && c.op() == CompareOp.EQ && c.value().isTextual()
                && c.path().attribute().equals("value")) {
            return byValue.apply(c.value().asText());
        }
        return null;
    }

    /** The users of the group the text names, none for text that is no group id. */
    private Set<UUID> members(String groupId) {
        UUID id = Ids.parseOrNull(groupId);
        return id == null ? Set.of() : groups.members(id);
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
        if (!sub.equals("value")) {
            return null;
        }
        return switch (attr) {
            case "emails" -> index.idsByEmail(v);
            case GroupsAttribute.NAME -> members(v);
            default -> null;
        };
    }
}
