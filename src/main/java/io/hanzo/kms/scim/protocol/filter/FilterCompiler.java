package io.hanzo.kms.scim.protocol.filter;

import com.fasterxml.jackson.databind.JsonNode;
import io.hanzo.kms.scim.protocol.CaseFold;
import io.hanzo.kms.scim.protocol.schema.AttributeDef;
import io.hanzo.kms.scim.protocol.schema.AttributeType;
import io.hanzo.kms.scim.protocol.schema.ResourceType;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Another interpreter of the filter AST beside {@link FilterEvaluator}: instead of walking the tree
 * for every resource, it walks it once and returns a {@link CompiledFilter}. A scan of a large
 * organisation then does per user only what depends on the user. The rules are the evaluator's,
 * rule for rule; a unit test holds the two to the same answers.
 */
public final class FilterCompiler {
    private FilterCompiler() {
    }

    /** The filter (resolved, see {@link FilterResolver}) as a predicate on full resource representations. */
    public static CompiledFilter compile(Filter filter, ResourceType type) {
        return filter.accept(new Builder(null, type, new HashSet<>()));
    }

    /**
     * The predicate, and the names of the resource's top-level members it reads (an attribute, or an
     * extension's schema URN): it gives the same answer on a resource holding only those members.
     */
    public record Reading(CompiledFilter predicate, Set<String> members) {
    }

    /** As {@link #compile}, with the members the predicate reads. */
    public static Reading compileReading(Filter filter, ResourceType type) {
        Set<String> members = new HashSet<>();
        CompiledFilter predicate = filter.accept(new Builder(null, type, members));
        return new Reading(predicate, Set.copyOf(members));
    }

    /** Builds the predicate for one context: a resource, or one value of a complex attribute. */
    private static final class Builder implements FilterVisitor<CompiledFilter> {
        private final AttributeDef parent;
        private final ResourceType type;
        /** Where the top-level members read are noted, as {@link #node} reads them. */
        private final Set<String> members;

        Builder(AttributeDef parent, ResourceType type, Set<String> members) {
            this.parent = parent;
            this.type = type;
            this.members = members;
        }

        @Override
        public CompiledFilter visitAnd(Filter.And and) {
            CompiledFilter l = and.left().accept(this);
            CompiledFilter r = and.right().accept(this);
            return n -> l.matches(n) && r.matches(n);
        }

        @Override
        public CompiledFilter visitOr(Filter.Or or) {
            CompiledFilter l = or.left().accept(this);
            CompiledFilter r = or.right().accept(this);
            return n -> l.matches(n) || r.matches(n);
        }

        @Override
        public CompiledFilter visitNot(Filter.Not not) {
            CompiledFilter inner = not.inner().accept(this);
            return n -> !inner.matches(n);
        }

        @Override
        public CompiledFilter visitPresent(Filter.Present present) {
            Values values = values(present.path());
            return n -> values.any(n, FilterEvaluator::isPresent);
        }

        @Override
        public CompiledFilter visitCompare(Filter.Compare compare) {
            AttributeDef def = definition(compare.path());
            Values values = values(compare.path());
            JsonNode expected = compare.value();
            if (compare.op() == CompareOp.NE) {
                if (expected.isNull()) {
                    // null means unassigned (RFC 7643 §2.5): "ne null" is "pr"
                    return n -> values.any(n, FilterEvaluator::isPresent);
                }
                Predicate<JsonNode> equal = comparison(def, CompareOp.EQ, expected);
                if (FilterEvaluator.multiValued(compare.path(), parent, type)) {
                    Node node = node(compare.path());
                    String sub = parent != null ? null : compare.path().subAttribute();
                    return n -> FilterEvaluator.someValueDiffers(node.get(n), sub, equal);
                }
                return n -> !values.any(n, equal);
            }
            if (expected.isNull()) {
                // No value compares with null; "eq null" holds when nothing is present.
                return compare.op() == CompareOp.EQ ? n -> !values.any(n, FilterEvaluator::isPresent) : n -> false;
            }
            Predicate<JsonNode> one = comparison(def, compare.op(), expected);
            return n -> values.any(n, one);
        }

        @Override
        public CompiledFilter visitValuePath(Filter.ValuePath valuePath) {
            AttributeDef def = definition(valuePath.path());
            Node node = node(valuePath.path());
            // Inside [ ] the context is a value of the attribute: no further top-level member is read.
            CompiledFilter inner = valuePath.inner().accept(new Builder(def, null, new HashSet<>()));
            return n -> {
                JsonNode v = node.get(n);
                if (v == null) {
                    return false;
                }
                if (v.isArray()) {
                    for (JsonNode element : v) {
                        if (inner.matches(element)) {
                            return true;
                        }
                    }
                    return false;
                }
                return v.isObject() && inner.matches(v);
            };
        }

        private AttributeDef definition(AttributePath path) {
            return parent != null ? parent.subAttribute(path.attribute()) : type.resolve(path).leaf();
        }

        /** Reads the path's top-level attribute. */
        private Node node(AttributePath path) {
            String attribute = path.attribute();
            if (parent != null || path.schemaUrn() == null) {
                members.add(attribute);
                return n -> n.get(attribute);
            }
            String urn = path.schemaUrn();
            members.add(urn);
            return n -> {
                JsonNode ext = n.get(urn);
                return ext == null ? null : ext.get(attribute);
            };
        }

        /** Every value the path names: one per element for a multi-valued attribute. */
        private Values values(AttributePath path) {
            Node node = node(path);
            String sub = parent != null ? null : path.subAttribute();
            return (n, test) -> {
                JsonNode v = node.get(n);
                if (v == null || v.isNull()) {
                    return false;
                }
                if (v.isArray()) {
                    for (JsonNode element : v) {
                        if (holds(sub == null ? element : element.get(sub), test)) {
                            return true;
                        }
                    }
                    return false;
                }
                return holds(sub == null ? v : v.get(sub), test);
            };
        }

        private static boolean holds(JsonNode v, Predicate<JsonNode> test) {
            return v != null && !v.isNull() && test.test(v);
        }
    }

    /** The top-level node a path starts from, or null. */
    @FunctionalInterface
    private interface Node {
        JsonNode get(JsonNode context);
    }

    /** The values a path names in a context, tested until one holds. */
    @FunctionalInterface
    private interface Values {
        boolean any(JsonNode context, Predicate<JsonNode> test);
    }

    /** One value against the expected non-null value, by the attribute's type. */
    private static Predicate<JsonNode> comparison(AttributeDef def, CompareOp op, JsonNode expected) {
        AttributeType t = def == null ? AttributeType.STRING : def.type();
        switch (t) {
            case BOOLEAN: {
                if (!expected.isBoolean()) {
                    return v -> false;
                }
                boolean b = expected.booleanValue();
                return v -> v.isBoolean() && v.booleanValue() == b;
            }
            case INTEGER:
            case DECIMAL: {
                if (!expected.isNumber()) {
                    return v -> false;
                }
                BigDecimal e = expected.decimalValue();
                return v -> v.isNumber() && FilterEvaluator.ordered(op, v.decimalValue().compareTo(e));
            }
            case DATE_TIME: {
                if (op.isOrdering() || op == CompareOp.EQ) {
                    Instant e;
                    try {
                        e = OffsetDateTime.parse(expected.asText()).toInstant();
                    } catch (DateTimeParseException ex) {
                        return v -> false;
                    }
                    return v -> {
                        try {
                            return FilterEvaluator.ordered(op, OffsetDateTime.parse(v.asText()).toInstant().compareTo(e));
                        } catch (DateTimeParseException ex) {
                            return false;
                        }
                    };
                }
                return text(op, expected.asText(), true);
            }
            default: {
                Predicate<String> text = textPredicate(op, expected.asText(), def != null && def.caseExact());
                return v -> v.isValueNode() && text.test(v.asText());
            }
        }
    }

    private static Predicate<JsonNode> text(CompareOp op, String expected, boolean caseExact) {
        Predicate<String> p = textPredicate(op, expected, caseExact);
        return v -> p.test(v.asText());
    }

    private static Predicate<String> textPredicate(CompareOp op, String expected, boolean caseExact) {
        String e = caseExact ? expected : CaseFold.lowerValue(expected);
        Predicate<String> folded = switch (op) {
            case EQ -> a -> a.equals(e);
            case NE -> a -> !a.equals(e);
            case CO -> a -> a.contains(e);
            case SW -> a -> a.startsWith(e);
            case EW -> a -> a.endsWith(e);
            default -> a -> FilterEvaluator.ordered(op, a.compareTo(e));
        };
        return caseExact ? folded : a -> folded.test(CaseFold.lowerValue(a));
    }
}
