package io.hanzo.kms.scim.index;

import io.hanzo.kms.scim.protocol.ScimException;
import io.hanzo.kms.scim.protocol.filter.AttributePath;
import io.hanzo.kms.scim.protocol.filter.CompareOp;
import io.hanzo.kms.scim.protocol.filter.Filter;
import io.hanzo.kms.scim.store.Ids;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Membership conditions inside group filters. Members are not part of the group representation the
 * evaluator sees, so {@code members[value eq "id"]}, {@code members.value eq "id"} and
 * {@code members pr} are answered from the membership sets instead.
 */
final class GroupFilters {
    private GroupFilters() {
    }

    static boolean isMembers(AttributePath path) {
        return path.schemaUrn() == null && path.attribute().equals("members");
    }

    /**
     * The user ids a membership condition asks for, or null for {@code members pr}.
     *
     * @throws ScimException invalidFilter for a membership condition other than by member id
     */
    static List<UUID> memberIds(Filter f) {
        List<UUID> out = new ArrayList<>();
        if (f instanceof Filter.Present) {
            return null;
        }
        if (f instanceof Filter.Compare c) {
            collect(c, "value".equals(c.path().subAttribute()), out);
            return out;
        }
        if (f instanceof Filter.ValuePath vp) {
            collectInner(vp.inner(), out);
            return out;
        }
        throw unsupported();
    }

    private static void collectInner(Filter f, List<UUID> out) {
        if (f instanceof Filter.Or or) {
            collectInner(or.left(), out);
            collectInner(or.right(), out);
        } else if (f instanceof Filter.Compare c) {
            collect(c, c.path().attribute().equals("value"), out);
        } else {
            throw unsupported();
        }
    }

    private static void collect(Filter.Compare c, boolean onValue, List<UUID> out) {
        if (!onValue || c.op() != CompareOp.EQ || c.value().isNull()) {
            throw unsupported();
        }
        // members.value is caseExact (as /Schemas says, and as id and a user's groups.value are), and
        // the resolver has lower-cased the text, as the server writes ids (a UUID's text has no case):
        // text that is no id in that form names no member.
        UUID id = Ids.parseOrNull(c.value().asText());
        if (id != null && id.toString().equals(c.value().asText())) {
            out.add(id);
        }
    }

    private static ScimException unsupported() {
        return ScimException.invalidFilter("Groups can be filtered by member with 'members[value eq \"<user id>\"]' "
                + "or 'members.value eq \"<user id>\"' only.");
    }
}
