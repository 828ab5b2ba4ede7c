package io.hanzo.kms.scim.protocol.filter;

import io.hanzo.kms.scim.protocol.CaseFold;
import java.util.Locale;

/** RFC 7644 §3.4.2.2 attribute operators, other than {@code pr}. */
public enum CompareOp {
    EQ, NE, CO, SW, EW, GT, GE, LT, LE;

    /** True for the ordering operators, which need an attribute with an order. */
    public boolean isOrdering() {
        return this == GT || this == GE || this == LT || this == LE;
    }

    /** Operator by its keyword in any letter case, or null. */
    public static CompareOp fromKeyword(String word) {
        switch (CaseFold.lower(word)) {
            case "eq": return EQ;
            case "ne": return NE;
            case "co": return CO;
            case "sw": return SW;
            case "ew": return EW;
            case "gt": return GT;
            case "ge": return GE;
            case "lt": return LT;
            case "le": return LE;
            default: return null;
        }
    }

    public String keyword() {
        return name().toLowerCase(Locale.ROOT);
    }
}
