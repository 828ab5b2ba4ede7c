package io.hanzo.kms.scim.protocol.filter;

import io.hanzo.kms.scim.protocol.CaseFold;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.hanzo.kms.scim.protocol.ScimException;
import io.hanzo.kms.scim.protocol.schema.AttributeDef;
import io.hanzo.kms.scim.protocol.schema.Mutability;
import io.hanzo.kms.scim.protocol.schema.ResolvedAttribute;
import io.hanzo.kms.scim.protocol.schema.ResourceType;
import io.hanzo.kms.scim.protocol.schema.Returned;

import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BinaryOperator;

/**
 * Checks a parsed filter against a resource type and rewrites it into canonical form: every path
 * spelled as the schema spells it, {@code emails eq "x"} made {@code emails.value eq "x"}, and values
 * coerced where the client's meaning is plain ({@code active eq "False"}). An unknown attribute or an
 * operator that cannot apply is a 400 {@code invalidFilter}: answering with an unfiltered list would
 * make an IdP bind the wrong person.
 */
public final class FilterResolver {
    private final ResourceType type;
    /** The types searched together with {@link #type}, it included. */
    private final List<ResourceType> searched;
    /** The conditions {@link #fold} met on attributes the type lacks. */
    private final Set<Filter> lacked = new LinkedHashSet<>();

    private FilterResolver(ResourceType type, List<ResourceType> searched) {
        this.type = type;
        this.searched = searched;
    }

    public static Filter resolve(Filter filter, ResourceType type) {
        return new FilterResolver(type, List.of(type)).top(filter);
    }

    /** Parses and resolves in one step; null text (no filter) gives null. */
    public static Filter parse(String text, ResourceType type) {
        return text == null ? null : resolve(FilterParser.parse(text), type);
    }

    /**
     * One resource type's reading of a filter searched with other types as one list (RFC 7644 §3.4.3).
     *
     * @param filter the resolved filter; null when the type's every resource matches, or none does
     * @param none   true when no resource of the type can match
     */
    public record ForType(Filter filter, boolean none) {
        static final ForType ALL = new ForType(null, false);
        static final ForType NONE = new ForType(null, true);
    }

    /**
     * Parses a filter searched across {@code types} and resolves it for each, in their order; null text
     * (no filter) matches every resource of every type. A type evaluates a condition on an attribute
     * it lacks as one on an unassigned attribute (RFC 7644 §3.4.2.2): {@code displayName eq "sales" or
     * userName eq "bob"} finds the group as well as the user, {@code not (userName eq "x")} every
     * group. Only an attribute no type has is a 400 {@code invalidFilter}, as is whatever a type that
     * has the attribute refuses.
     */
    public static List<ForType> parseEach(String text, List<ResourceType> types) {
        List<ForType> out = new ArrayList<>(types.size());
        if (text == null) {
            types.forEach(t -> out.add(ForType.ALL));
            return out;
        }
        Filter parsed = FilterParser.parse(text);
        Set<Filter> lackedByAll = null;
        for (ResourceType type : types) {
            FilterResolver resolver = new FilterResolver(type, types);
            Folded folded = resolver.fold(parsed);
            out.add(!folded.isConstant() ? new ForType(folded.filter(), false)
                    : folded.holds() ? ForType.ALL : ForType.NONE);
            if (lackedByAll == null) {
                lackedByAll = resolver.lacked;
            } else {
                lackedByAll.retainAll(resolver.lacked);
            }
        }
        if (lackedByAll != null && !lackedByAll.isEmpty()) {
            StringBuilder names = new StringBuilder();
            types.forEach(t -> names.append(names.length() == 0 ? "" : " or ").append(t.name()));
            throw ScimException.invalidFilter("Cannot filter on '" + leafPath(lackedByAll.iterator().next())
                    + "': no " + names + " has that attribute.");
        }
        return out;
    }

    /** A filter after conditions on attributes the type lacks are decided: what remains, or a constant. */
    private record Folded(Filter filter, boolean holds) {
        static Folded of(Filter f) {
            return new Folded(f, false);
        }

        static Folded constant(boolean holds) {
            return new Folded(null, holds);
        }

        boolean isConstant() {
            return filter == null;
        }
    }

    /**
     * As {@link #top}, with each condition on an attribute the type lacks replaced by what it answers
     * on a resource without that attribute, and the constants folded away. Both sides of and/or are
     * always resolved, so that whatever either gets wrong is refused.
     */
    private Folded fold(Filter f) {
        if (f instanceof Filter.And a) {
            return join(fold(a.left()), fold(a.right()), false, Filter.And::new);
        }
        if (f instanceof Filter.Or o) {
            return join(fold(o.left()), fold(o.right()), true, Filter.Or::new);
        }
        if (f instanceof Filter.Not n) {
            Folded inner = fold(n.inner());
            return inner.isConstant() ? Folded.constant(!inner.holds()) : Folded.of(new Filter.Not(inner.filter()));
        }
        AttributePath path = leafPath(f);
        if (!has(path)) {
            lacked.add(f);
            return Folded.constant(onUnassigned(f));
        }
        return Folded.of(top(f));
    }

    /** {@code l} and {@code r} joined: a constant equal to {@code decisive} decides, the other one drops out. */
    private static Folded join(Folded l, Folded r, boolean decisive, BinaryOperator<Filter> op) {
        if (l.isConstant()) {
            return l.holds() == decisive ? l : r;
        }
        if (r.isConstant()) {
            return r.holds() == decisive ? r : l;
        }
        return Folded.of(op.apply(l.filter(), r.filter()));
    }

    private static AttributePath leafPath(Filter leaf) {
        if (leaf instanceof Filter.Compare c) {
            return c.path();
        }
        if (leaf instanceof Filter.Present p) {
            return p.path();
        }
        return ((Filter.ValuePath) leaf).path();
    }

    /** Whether the type has the path's attribute; whether it has the sub-attribute too, resolving tells. */
    private boolean has(AttributePath path) {
        try {
            type.resolve(new AttributePath(path.schemaUrn(), path.attribute(), null));
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * What a condition answers on an attribute with no value, as {@link FilterEvaluator} answers it:
     * {@code eq null} holds, and {@code ne "x"} on an attribute that is single-valued where another
     * type has it; {@code ne "x"} on a multi-valued one (no value differs), {@code eq "x"},
     * {@code ne null}, the other operators, {@code pr} and a value filter do not.
     */
    private boolean onUnassigned(Filter leaf) {
        if (leaf instanceof Filter.Compare c) {
            return c.op() == CompareOp.NE ? !c.value().isNull() && !multiValuedElsewhere(c.path())
                    : c.op() == CompareOp.EQ && c.value().isNull();
        }
        return false;
    }

    /** Whether a type searched alongside has the path's attribute, multi-valued. */
    private boolean multiValuedElsewhere(AttributePath path) {
        for (ResourceType other : searched) {
            try {
                if (other.resolve(new AttributePath(path.schemaUrn(), path.attribute(), null)).attribute().multiValued()) {
                    return true;
                }
            } catch (IllegalArgumentException e) {
                // not an attribute of this type either
            }
        }
        return false;
    }

    private Filter top(Filter f) {
        if (f instanceof Filter.And a) {
            return new Filter.And(top(a.left()), top(a.right()));
        }
        if (f instanceof Filter.Or o) {
            return new Filter.Or(top(o.left()), top(o.right()));
        }
        if (f instanceof Filter.Not n) {
            return new Filter.Not(top(n.inner()));
        }
        if (f instanceof Filter.Present p) {
            ResolvedAttribute r = resolvePath(p.path());
            return new Filter.Present(canonical(r));
        }
        if (f instanceof Filter.Compare c) {
            ResolvedAttribute r = resolvePath(c.path());
            if (r.subAttribute() == null && r.attribute().isComplex()) {
                AttributeDef value = r.attribute().subAttribute("value");
                if (value == null) {
                    throw ScimException.invalidFilter("Attribute '" + r.attribute().name()
                            + "' is complex: compare one of its sub-attributes.");
                }
                r = new ResolvedAttribute(r.schema(), r.attribute(), value);
            }
            return new Filter.Compare(canonical(r), c.op(), coerce(r.leaf(), c.op(), c.value()));
        }
        Filter.ValuePath vp = (Filter.ValuePath) f;
        ResolvedAttribute r = resolvePath(vp.path());
        if (!r.attribute().isComplex()) {
            throw ScimException.invalidFilter("Attribute '" + r.attribute().name()
                    + "' has no sub-attributes to filter with [ ].");
        }
        return new Filter.ValuePath(canonical(r), inner(vp.inner(), r.attribute()));
    }

    private Filter inner(Filter f, AttributeDef parent) {
        if (f instanceof Filter.And a) {
            return new Filter.And(inner(a.left(), parent), inner(a.right(), parent));
        }
        if (f instanceof Filter.Or o) {
            return new Filter.Or(inner(o.left(), parent), inner(o.right(), parent));
        }
        if (f instanceof Filter.Not n) {
            return new Filter.Not(inner(n.inner(), parent));
        }
        if (f instanceof Filter.Present p) {
            return new Filter.Present(AttributePath.of(sub(p.path(), parent).name()));
        }
        if (f instanceof Filter.Compare c) {
            AttributeDef sub = sub(c.path(), parent);
            return new Filter.Compare(AttributePath.of(sub.name()), c.op(), coerce(sub, c.op(), c.value()));
        }
        throw ScimException.invalidFilter("Value filters cannot be nested.");
    }

    private AttributeDef sub(AttributePath path, AttributeDef parent) {
        if (path.schemaUrn() != null || path.subAttribute() != null) {
            throw ScimException.invalidFilter("Inside '" + parent.name() + "[...]' name a sub-attribute of '"
                    + parent.name() + "', not '" + path + "'.");
        }
        AttributeDef sub = parent.subAttribute(path.attribute());
        if (sub == null) {
            throw ScimException.invalidFilter("Attribute '" + parent.name() + "' has no sub-attribute '"
                    + path.attribute() + "'.");
        }
        return sub;
    }

    private ResolvedAttribute resolvePath(AttributePath path) {
        ResolvedAttribute r;
        try {
            r = type.resolve(path);
        } catch (IllegalArgumentException e) {
            throw ScimException.invalidFilter("Cannot filter on " + e.getMessage() + ".");
        }
        if (r.leaf().returned() == Returned.NEVER || r.leaf().mutability() == Mutability.WRITE_ONLY) {
            throw ScimException.invalidFilter("Attribute '" + r + "' is never returned and cannot be filtered on.");
        }
        return r;
    }

    private AttributePath canonical(ResolvedAttribute r) {
        String urn = r.inExtension(type) ? r.schema().id() : null;
        return new AttributePath(urn, r.attribute().name(), r.subAttribute() == null ? null : r.subAttribute().name());
    }

    private static JsonNode coerce(AttributeDef def, CompareOp op, JsonNode value) {
        if (value.isNull()) {
            if (op != CompareOp.EQ && op != CompareOp.NE) {
                throw ScimException.invalidFilter("Only 'eq' and 'ne' can compare '" + def.name() + "' with null.");
            }
            return value;
        }
        switch (def.type()) {
            case BOOLEAN:
                if (op != CompareOp.EQ && op != CompareOp.NE) {
                    throw ScimException.invalidFilter("Operator '" + op.keyword() + "' does not apply to boolean attribute '"
                            + def.name() + "'.");
                }
                if (value.isBoolean()) {
                    return value;
                }
                if (value.isTextual() && (value.asText().equalsIgnoreCase("true") || value.asText().equalsIgnoreCase("false"))) {
                    return BooleanNode.valueOf(Boolean.parseBoolean(CaseFold.lower(value.asText())));
                }
                throw ScimException.invalidFilter("Attribute '" + def.name() + "' is boolean: compare it with true or false.");
            case DATE_TIME:
                if (!value.isTextual()) {
                    throw ScimException.invalidFilter("Attribute '" + def.name() + "' is a dateTime: compare it with a quoted date.");
                }
                try {
                    OffsetDateTime.parse(value.asText());
                } catch (DateTimeParseException e) {
                    throw ScimException.invalidFilter("'" + value.asText() + "' is not an RFC 3339 dateTime.");
                }
                return value;
            case INTEGER:
            case DECIMAL:
                if (value.isNumber()) {
                    return value;
                }
                throw ScimException.invalidFilter("Attribute '" + def.name() + "' is a number: compare it with a number.");
            case BINARY:
                throw ScimException.invalidFilter("Binary attribute '" + def.name() + "' cannot be filtered on.");
            case COMPLEX:
                throw ScimException.invalidFilter("Attribute '" + def.name() + "' is complex: compare one of its sub-attributes.");
            default:
                // string and reference: an unquoted number or boolean means its text, as it was sent
                String text = value instanceof BareNumber n ? n.literal() : value.asText();
                if (def.holdsResourceIds()) {
                    // A UUID's text is case-insensitive (RFC 9562 §4): the path finds /Users/<ID> in
                    // upper case, and the server writes ids in lower case.
                    return TextNode.valueOf(CaseFold.lower(text));
                }
                return value.isTextual() ? value : TextNode.valueOf(text);
        }
    }
}
