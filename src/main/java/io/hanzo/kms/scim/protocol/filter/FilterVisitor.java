package io.hanzo.kms.scim.protocol.filter;

/** An interpreter of the filter AST. */
public interface FilterVisitor<R> {
    R visitAnd(Filter.And and);

    R visitOr(Filter.Or or);

    R visitNot(Filter.Not not);

    R visitCompare(Filter.Compare compare);

    R visitPresent(Filter.Present present);

    R visitValuePath(Filter.ValuePath valuePath);
}
