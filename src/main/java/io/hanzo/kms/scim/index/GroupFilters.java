package io.hanzo.kms.scim.index;

import io.hanzo.kms.scim.protocol.ScimException;
import io.hanzo.kms.scim.protocol.filter.AttributePath;
import io.hanzo.kms.scim.protocol.filter.CompareOp;
import io.hanzo.kms.scim.protocol.filter.Filter;
import io.hanzo.kms.scim.store.Ids;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Membership conditions inside group filters. Members are not part of the group representation the
 * evaluator sees, so {@code members[value eq "id"]}, {@code members.value eq "id"}, their {@code ne}
 * forms and {@code members pr} are answered from the membership sets instead.
 */
final class GroupFilters {
    private GroupFilters() {
    }

    static boolean isMembers(AttributePath path) {
        return path.schemaUrn() == null && path.attribute().equals("members");
    }

    /**
     * What a membership condition asks: a group matches when some member is one of {@link #members},
     * or differs from one of {@link #otherThan} (RFC 7644 §3.4.2.2, as {@code ne} on a user's
     * multi-valued attributes), or, with {@link #anyMember}, has any member. A group without members
     * matches none of these. Each id costs a lookup in the member set, whatever the group's size.
     */
    static final class Condition {
        private boolean anyMember;
        private final List<UUID> members = new ArrayList<>();
        private final List<UUID> otherThan = new ArrayList<>();

        boolean matches(Set<UUID> groupMembers) {
            if (groupMembers.isEmpty()) {
                return false;
            }
            if (anyMember) {
                return true;
            }
            for (UUID u : members) {
                if (groupMembers.contains(u)) {
                    return true;
                }
            }
            for (UUID u : otherThan) {
                if (groupMembers.size() > 1 || !groupMembers.contains(u)) {
                    return true;
                }
            }
            return false;
        }

        /** The users whose groups alone can match, or null when any group with members may. */
        List<UUID> onlyThrough() {
            return anyMember || !otherThan.isEmpty() ? null : members;
        }
    }

    /**
     * @throws ScimException invalidFilter for a membership condition other than by member id
     */
    static Condition condition(Filter f) {
        Condition out = new Condition();
        if (f instanceof Filter.Present) {
            out.anyMember = true;
        } else if (f instanceof Filter.Compare c) {
            collect(c, "value".equals(c.path().subAttribute()), out);
        } else if (f instanceof Filter.ValuePath vp) {
            collectInner(vp.inner(), out);
        } else {
            throw unsupported();
        }
        return out;
    }

    private static void collectInner(Filter f, Condition out) {
        if (f instanceof Filter.Or or) {
            collectInner(or.left(), out);
            collectInner(or.right(), out);
        } else if (f instanceof Filter.Compare c) {
            collect(c, c.path().attribute().equals("value"), out);
        } else {
            throw unsupported();
        }
    }

    private static void collect(Filter.Compare c, boolean onValue, Condition out) {
        if (!onValue || c.op() != CompareOp.EQ && c.op() != CompareOp.NE || c.value().isNull()) {
            throw unsupported();
        }
        // members.value is caseExact (as /Schemas says, and as id and a user's groups.value are), and
        // the resolver has lower-cased the text, as the server writes ids (a UUID's text has no case):
        // text that is no id in that form names no member, and every member differs from it.
        UUID id = Ids.parseOrNull(c.value().asText());
        boolean named = id != null && id.toString().equals(c.value().asText());
        if (c.op() == CompareOp.NE) {
            if (named) {
                out.otherThan.add(id);
            } else {
                out.anyMember = true;
            }
        } else if (named) {
            out.members.add(id);
        }
    }

    private static ScimException unsupported() {
        return ScimException.invalidFilter("Groups can be filtered by member with 'members[value eq \"<user id>\"]' "
                + "or 'members.value eq \"<user id>\"' (or 'ne'), or 'members pr', only.");
    }
}
