package io.hanzo.kms.scim.protocol;

/**
 * Whether bytes are well-formed UTF-8 as RFC 3629 §4 defines it: no overlong form (a character in
 * more bytes than it needs, such as {@code C0 BC} for {@code <}), no UTF-16 surrogate, nothing beyond
 * U+10FFFF. The JSON parser rejects stray and missing continuation bytes but decodes the rest, so an
 * overlong {@code <} or {@code .} would reach a resource as the plain character. One pass, no copy.
 */
public final class Utf8 {
    private Utf8() {
    }

    /** The offset of the first ill-formed sequence, or -1 when every byte is part of a well-formed one. */
    public static int firstIllFormed(byte[] bytes) {
        int i = 0;
        int n = bytes.length;
        while (i < n) {
            int b = bytes[i];
            if (b >= 0) {
                i++;
                continue;
            }
            b &= 0xff;
            if (b < 0xc2 || b > 0xf4) {
                // A continuation byte with no lead, C0 and C1 (every sequence they start is overlong), F5 to FF.
                return i;
            }
            int length = b < 0xe0 ? 2 : b < 0xf0 ? 3 : 4;
            // The second byte's range (RFC 3629 §4): narrower after E0 and F0 (overlong forms), ED (UTF-16
            // surrogates) and F4 (beyond U+10FFFF).
            int low = b == 0xe0 ? 0xa0 : b == 0xf0 ? 0x90 : 0x80;
            int high = b == 0xed ? 0x9f : b == 0xf4 ? 0x8f : 0xbf;
            if (i + length > n) {
                return i;
            }
            int second = bytes[i + 1] & 0xff;
            if (second < low || second > high) {
                return i;
            }
            for (int k = 2; k < length; k++) {
                if ((bytes[i + k] & 0xc0) != 0x80) {
                    return i;
                }
            }
            i += length;
        }
        return -1;
    }

    /** What is wrong with the sequence at {@code offset}, which {@link #firstIllFormed} found ill-formed. */
    public static String problem(byte[] bytes, int offset) {
        int lead = bytes[offset] & 0xff;
        if (lead >= 0x80 && lead <= 0xbf) {
            return "a continuation byte with no lead byte";
        }
        if (lead >= 0xf5) {
            return "a byte that UTF-8 never uses";
        }
        if (lead == 0xc0 || lead == 0xc1) {
            return "an overlong form (a character in more bytes than it needs)";
        }
        int second = offset + 1 < bytes.length ? bytes[offset + 1] & 0xff : -1;
        if (second < 0x80 || second > 0xbf) {
            return "a multi-byte sequence cut short";
        }
        if (lead == 0xe0 && second < 0xa0 || lead == 0xf0 && second < 0x90) {
            return "an overlong form (a character in more bytes than it needs)";
        }
        if (lead == 0xed && second > 0x9f) {
            return "a UTF-16 surrogate";
        }
        if (lead == 0xf4 && second > 0x8f) {
            return "a code point beyond U+10FFFF";
        }
        return "a multi-byte sequence cut short";
    }
}
