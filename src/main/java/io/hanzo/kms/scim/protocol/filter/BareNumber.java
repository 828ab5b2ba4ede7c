package io.hanzo.kms.scim.protocol.filter;

import com.fasterxml.jackson.databind.node.DecimalNode;

import java.math.BigDecimal;

/**
 * A filter value written without quotes that reads as a JSON number ({@code 1E3}, {@code -0}). It is
 * a number for a numeric attribute, and for a string attribute the text as the client sent it:
 * {@code externalId eq 1E3} looks for "1E3", not for "1000", which no client meant.
 */
final class BareNumber extends DecimalNode {
    private final String literal;

    BareNumber(String literal) {
        super(new BigDecimal(literal));
        this.literal = literal;
    }

    /** The token as written. */
    String literal() {
        return literal;
    }
}
