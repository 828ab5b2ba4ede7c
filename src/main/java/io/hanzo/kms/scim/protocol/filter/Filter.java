package io.hanzo.kms.scim.protocol.filter;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The filter AST of RFC 7644 §3.4.2.2. One tree, several interpreters ({@link FilterVisitor}): the
 * in-memory evaluator, the index planner, and whatever else needs to read a filter.
 */
public sealed interface Filter
        permits Filter.And, Filter.Or, Filter.Not, Filter.Compare, Filter.Present, Filter.ValuePath {

    <R> R accept(FilterVisitor<R> visitor);

    record And(Filter left, Filter right) implements Filter {
        @Override
        public <R> R accept(FilterVisitor<R> visitor) {
            return visitor.visitAnd(this);
        }

        @Override
        public String toString() {
            return "(" + left + " and " + right + ")";
        }
    }

    record Or(Filter left, Filter right) implements Filter {
        @Override
        public <R> R accept(FilterVisitor<R> visitor) {
            return visitor.visitOr(this);
        }

        @Override
        public String toString() {
            return "(" + left + " or " + right + ")";
        }
    }

    record Not(Filter inner) implements Filter {
        @Override
        public <R> R accept(FilterVisitor<R> visitor) {
            return visitor.visitNot(this);
        }

        @Override
        public String toString() {
            return "not(" + inner + ")";
        }
    }

    /** {@code path op value}; the value is a JSON string, number, boolean or null. */
    record Compare(AttributePath path, CompareOp op, JsonNode value) implements Filter {
        @Override
        public <R> R accept(FilterVisitor<R> visitor) {
            return visitor.visitCompare(this);
        }

        @Override
        public String toString() {
            return path + " " + op.keyword() + " " + value;
        }
    }

    /** {@code path pr}. */
    record Present(AttributePath path) implements Filter {
        @Override
        public <R> R accept(FilterVisitor<R> visitor) {
            return visitor.visitPresent(this);
        }

        @Override
        public String toString() {
            return path + " pr";
        }
    }

    /**
     * {@code path[inner]}: some value of the multi-valued attribute matches {@code inner}, whose paths
     * name sub-attributes of {@code path}. The non-standard {@code emails[type eq "work"].value eq "x"}
     * parses to this with the trailing comparison folded into {@code inner}.
     */
    record ValuePath(AttributePath path, Filter inner) implements Filter {
        @Override
        public <R> R accept(FilterVisitor<R> visitor) {
            return visitor.visitValuePath(this);
        }

        @Override
        public String toString() {
            return path + "[" + inner + "]";
        }
    }
}
