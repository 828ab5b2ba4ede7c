package io.hanzo.kms.scim.protocol;

import java.util.Locale;

/**
 * {@code toLowerCase(Locale.ROOT)} and {@code toUpperCase(Locale.ROOT)} for text clients send, in time
 * linear in its length. The JDK's versions (17) are quadratic on some input: every capital sigma
 * (U+03A3) re-scans the whole string for word boundaries to decide whether it is final, and every
 * character whose case mapping is longer than itself ("\u00df" to "SS", "\u0130" to "i\u0307")
 * copies the result so far. A 40 kB attribute value of either blocked an event loop for seconds, a
 * 1 MB one for minutes.
 * <p>
 * The results equal the JDK's, except for a string holding so many sigmas that the JDK's way would be
 * slow: there a sigma is final by the Unicode rule (a cased letter before it, none after it, case-
 * ignorable characters skipped) rather than by the JDK's word-boundary variant of it.
 */
public final class CaseFold {
    private static final char CAPITAL_SIGMA = '\u03a3';
    private static final char CAPITAL_I_WITH_DOT = '\u0130';
    /** Sigmas times length up to which the JDK's lower-casing is fast enough (a few milliseconds). */
    private static final long JDK_SIGMA_BUDGET = 200_000;

    private CaseFold() {
    }

    public static String lower(String s) {
        int sigmas = 0;
        boolean dottedI = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == CAPITAL_SIGMA) {
                sigmas++;
            } else if (c == CAPITAL_I_WITH_DOT) {
                dottedI = true;
            }
        }
        // "\u0130" lower-cases to "i" and a combining dot: written out first, nothing expands any more,
        // and the sigma context is unchanged ("i" is cased like "\u0130", the dot is case-ignorable).
        String t = dottedI ? s.replace("\u0130", "i\u0307") : s;
        if ((long) sigmas * t.length() <= JDK_SIGMA_BUDGET) {
            return t.toLowerCase(Locale.ROOT);
        }
        return lowerWithLocalSigma(t);
    }

    public static String upper(String s) {
        boolean plain = true;
        for (int i = 0; i < s.length() && plain; i++) {
            plain = s.charAt(i) < 0x80;
        }
        if (plain || s.length() < 256) {
            return s.toUpperCase(Locale.ROOT);
        }
        // Upper-casing has no context in the root locale, so code point by code point is exact.
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            int n = Character.charCount(cp);
            if (cp < 0x80) {
                out.append(Character.toUpperCase((char) cp));
            } else {
                out.append(s.substring(i, i + n).toUpperCase(Locale.ROOT));
            }
            i += n;
        }
        return out.toString();
    }

    private static String lowerWithLocalSigma(String s) {
        int n = s.length();
        // casedBefore[i]: the nearest non-ignorable character before i is cased; casedAfter likewise.
        boolean[] casedBefore = new boolean[n + 1];
        boolean state = false;
        for (int i = 0; i < n; i++) {
            casedBefore[i] = state;
            char c = s.charAt(i);
            if (!ignorable(c)) {
                state = cased(c);
            }
        }
        boolean[] casedAfter = new boolean[n + 1];
        state = false;
        for (int i = n - 1; i >= 0; i--) {
            casedAfter[i] = state;
            char c = s.charAt(i);
            if (!ignorable(c)) {
                state = cased(c);
            }
        }
        StringBuilder out = new StringBuilder(n);
        int from = 0;
        for (int i = 0; i < n; i++) {
            if (s.charAt(i) == CAPITAL_SIGMA) {
                // The stretch between sigmas holds none, so the JDK lower-cases it in linear time.
                out.append(s.substring(from, i).toLowerCase(Locale.ROOT));
                out.append(casedBefore[i] && !casedAfter[i] ? '\u03c2' : '\u03c3');
                from = i + 1;
            }
        }
        out.append(s.substring(from).toLowerCase(Locale.ROOT));
        return out.toString();
    }

    private static boolean cased(char c) {
        return Character.isUpperCase(c) || Character.isLowerCase(c) || Character.isTitleCase(c);
    }

    private static boolean ignorable(char c) {
        switch (Character.getType(c)) {
            case Character.NON_SPACING_MARK, Character.ENCLOSING_MARK, Character.FORMAT, Character.MODIFIER_LETTER,
                    Character.MODIFIER_SYMBOL, Character.SURROGATE:
                return true;
            default:
                return c == '\'' || c == '.' || c == ':' || c == '\u00b7' || c == '\u2019' || c == '\u2018';
        }
    }
}
