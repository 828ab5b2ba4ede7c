package io.hanzo.kms.scim.protocol.filter;

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
        // Every keyword is two ASCII letters, and only ASCII letters lower-case to ASCII letters but
        // for the Kelvin sign (to k, in none of them): anything else is no keyword, without folding it.
        if (word.length() != 2 || word.charAt(0) >= 0x80 || word.charAt(1) >= 0x80) {
            return null;
        }
        switch (word.toLowerCase(Locale.ROOT)) {
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
