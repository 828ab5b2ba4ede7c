package io.hanzo.kms.scim.protocol.filter;

import io.hanzo.kms.scim.protocol.CaseFold;
import com.fasterxml.jackson.databind.JsonNode;
import io.hanzo.kms.scim.protocol.schema.AttributeDef;
import io.hanzo.kms.scim.protocol.schema.AttributeType;
import io.hanzo.kms.scim.protocol.schema.ResolvedAttribute;
import io.hanzo.kms.scim.protocol.schema.ResourceType;

import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Evaluates a resolved filter (see {@link FilterResolver}) against resources as they are returned to
 * clients, and value filters against the values of one multi-valued attribute.
 */
public final class FilterEvaluator {
    private final ResourceType type;

    public FilterEvaluator(ResourceType type) {
        this.type = type;
    }

    /** True when the resource (a full representation, common attributes included) matches. */
    public boolean matches(Filter filter, JsonNode resource) {
        return filter.accept(new Matcher(resource, null, type));
    }

    /** The filter as a predicate built once, for testing many resources of this type. */
    public CompiledFilter compile(Filter filter) {
        return FilterCompiler.compile(filter, type);
    }

    /** As {@link #compile}, with the top-level members the predicate reads. */
    public FilterCompiler.Reading compileReading(Filter filter) {
        return FilterCompiler.compileReading(filter, type);
    }

    /**
     * True when one value of a complex attribute, such as one element of {@code emails}, matches a
     * filter whose paths name sub-attributes of {@code parent}.
     */
    public static boolean matchesValue(Filter filter, JsonNode value, AttributeDef parent) {
        return filter.accept(new Matcher(value, parent, null));
    }

    /** Evaluates one filter against one context: a resource, or one value of a complex attribute. */
    private static final class Matcher implements FilterVisitor<Boolean> {
        private final JsonNode context;
        private final AttributeDef parent;
        private final ResourceType type;

        Matcher(JsonNode context, AttributeDef parent, ResourceType type) {
            this.context = context;
            this.parent = parent;
            this.type = type;
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
        public Boolean visitPresent(Filter.Present present) {
            for (JsonNode v : values(present.path())) {
                if (isPresent(v)) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public Boolean visitCompare(Filter.Compare compare) {
            AttributeDef def = definition(compare.path());
            List<JsonNode> values = values(compare.path());
            if (compare.op() == CompareOp.NE) {
                if (compare.value().isNull()) {
                    return !nonepresent(values); // null means unassigned (RFC 7643 §2.5): "ne null" is "pr"
                }
                if (multiValued(compare.path(), parent, type)) {
                    JsonNode expected = compare.value();
                    return someValueDiffers(node(compare.path()), parent != null ? null : compare.path().subAttribute(),
                            v -> compareOne(def, CompareOp.EQ, v, expected));
                }
                for (JsonNode v : values) {
                    if (compareOne(def, CompareOp.EQ, v, compare.value())) {
                        return false;
                    }
                }
                return true;
            }
            for (JsonNode v : values) {
                if (compareOne(def, compare.op(), v, compare.value())) {
                    return true;
                }
            }
            return compare.op() == CompareOp.EQ && compare.value().isNull() && nonepresent(values);
        }

        @Override
        public Boolean visitValuePath(Filter.ValuePath valuePath) {
            AttributeDef def = definition(valuePath.path());
            JsonNode node = node(valuePath.path());
            if (node == null) {
                return false;
            }
            if (node.isArray()) {
                for (JsonNode element : node) {
                    if (matchesValue(valuePath.inner(), element, def)) {
                        return true;
                    }
                }
                return false;
            }
            return node.isObject() && matchesValue(valuePath.inner(), node, def);
        }

        private AttributeDef definition(AttributePath path) {
            if (parent != null) {
                return parent.subAttribute(path.attribute());
            }
            ResolvedAttribute r = type.resolve(path);
            return r.leaf();
        }

        /** The node for the path's top-level attribute. */
        private JsonNode node(AttributePath path) {
            if (parent != null || path.schemaUrn() == null) {
                return context.get(path.attribute());
            }
            JsonNode ext = context.get(path.schemaUrn());
            return ext == null ? null : ext.get(path.attribute());
        }

        /** Every value the path names: one per element for a multi-valued attribute. */
        private List<JsonNode> values(AttributePath path) {
            JsonNode node = node(path);
            List<JsonNode> out = new ArrayList<>(2);
            if (node == null || node.isNull()) {
                return out;
            }
            String sub = parent != null ? null : path.subAttribute();
            if (node.isArray()) {
                for (JsonNode element : node) {
                    add(out, sub == null ? element : element.get(sub));
                }
            } else {
                add(out, sub == null ? node : node.get(sub));
            }
            return out;
        }

        private static void add(List<JsonNode> out, JsonNode v) {
            if (v != null && !v.isNull()) {
                out.add(v);
            }
        }

        private static boolean nonepresent(List<JsonNode> values) {
            for (JsonNode v : values) {
                if (isPresent(v)) {
                    return false;
                }
            }
            return true;
        }

    }

    /** Whether the path's top-level attribute (a sub-attribute, inside a value filter) is multi-valued. */
    static boolean multiValued(AttributePath path, AttributeDef parent, ResourceType type) {
        AttributeDef top = parent != null ? parent.subAttribute(path.attribute()) : type.resolve(path).attribute();
        return top != null && top.multiValued();
    }

    /**
     * {@code ne} on a multi-valued attribute. RFC 7644 §3.4.2.2: such an attribute matches when any of
     * its values does, so {@code emails.type ne "work"} asks for an email whose type is not work, as
     * {@code emails[type ne "work"]} does (an email without a type is one), and no email at all matches
     * nothing.
     *
     * @param node  the attribute's node, or null
     * @param sub   the sub-attribute compared, or null to compare the values themselves
     * @param equal whether a value equals the one the filter names
     */
    static boolean someValueDiffers(JsonNode node, String sub, Predicate<JsonNode> equal) {
        if (node == null || node.isNull()) {
            return false;
        }
        for (JsonNode element : node.isArray() ? node : List.of(node)) {
            if (element.isNull()) {
                continue;
            }
            JsonNode v = sub == null ? element : element.get(sub);
            if (v == null || v.isNull() || !equal.test(v)) {
                return true;
            }
        }
        return false;
    }

    /** RFC 7644 "pr": a value that is there, not null, not empty text and not an empty array or object. */
    static boolean isPresent(JsonNode v) {
        if (v == null || v.isNull()) {
            return false;
        }
        if (v.isTextual()) {
            return !v.asText().isEmpty();
        }
        if (v.isContainerNode()) {
            return v.size() > 0;
        }
        return true;
    }

    private static boolean compareOne(AttributeDef def, CompareOp op, JsonNode actual, JsonNode expected) {
        if (expected.isNull()) {
            return false;
        }
        AttributeType t = def == null ? AttributeType.STRING : def.type();
        switch (t) {
            case BOOLEAN:
                return actual.isBoolean() && expected.isBoolean() && (actual.booleanValue() == expected.booleanValue());
            case INTEGER:
            case DECIMAL:
                if (!actual.isNumber() || !expected.isNumber()) {
                    return false;
                }
                return ordered(op, actual.decimalValue().compareTo(expected.decimalValue()));
            case DATE_TIME:
                if (op.isOrdering() || op == CompareOp.EQ) {
                    try {
                        int c = OffsetDateTime.parse(actual.asText()).toInstant()
                                .compareTo(OffsetDateTime.parse(expected.asText()).toInstant());
                        return ordered(op, c);
                    } catch (DateTimeParseException e) {
                        return false;
                    }
                }
                return compareText(op, actual.asText(), expected.asText(), true);
            default:
                if (!actual.isValueNode()) {
                    return false;
                }
                return compareText(op, actual.asText(), expected.asText(), def != null && def.caseExact());
        }
    }

    private static boolean compareText(CompareOp op, String actual, String expected, boolean caseExact) {
        String a = caseExact ? actual : CaseFold.lowerValue(actual);
        String e = caseExact ? expected : CaseFold.lowerValue(expected);
        switch (op) {
            case EQ: return a.equals(e);
            case NE: return !a.equals(e);
            case CO: return a.contains(e);
            case SW: return a.startsWith(e);
            case EW: return a.endsWith(e);
            default: return ordered(op, a.compareTo(e));
        }
    }

    static boolean ordered(CompareOp op, int c) {
        switch (op) {
            case EQ: return c == 0;
            case NE: return c != 0;
            case GT: return c > 0;
            case GE: return c >= 0;
            case LT: return c < 0;
            case LE: return c <= 0;
            default: return false;
        }
    }
}
