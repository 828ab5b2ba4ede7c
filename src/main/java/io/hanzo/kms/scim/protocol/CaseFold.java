package io.hanzo.kms.scim.protocol;

import java.util.Arrays;
import java.util.Locale;

/**
 * Case folding for text clients send.
 * <p>
 * {@link #lower} maps each character to its simple lower case (Unicode's one-to-one mapping) with no
 * context. That is what PostgreSQL's {@code lower()} does in a libc locale such as C.UTF-8, and the
 * database decides the uniqueness of userName and displayName by {@code lower()} (migrations V1 and
 * V2): folded any other way, a lookup could miss the very user whose name a create was refused for
 * ("\u0130stanbul" refused as a repeat of "istanbul" but not found by it). It differs from
 * {@code toLowerCase(Locale.ROOT)} only for "\u0130" (one "i", where the JDK adds a combining dot) and
 * a word-final capital sigma ("\u03c3", where the JDK writes "\u03c2"), and takes time linear in the
 * text's length, where the JDK's (17) is quadratic on many sigmas.
 * <p>
 * {@link #upper} is {@code toUpperCase(Locale.ROOT)}, in linear time: the JDK copies its result so
 * far for every character whose upper case is longer than itself ("\u00df" to "SS"), so a 40 kB value
 * of them blocked an event loop for seconds.
 */
public final class CaseFold {
    /**
     * Where the database's {@code lower()} maps a character otherwise than this JDK's tables: its C
     * library may know a newer Unicode (glibc 2.36 has Unicode 14's case pairs, Java 17 has Unicode
     * 13's), or fold less (a database made with the C locale folds ASCII only), or otherwise (a
     * Turkish locale folds "I" to a dotless "ı"). None until the server asks the database
     * ({@link #adoptDatabaseDifferences}). Only {@link #lowerValue} reads it.
     */
    private static volatile Differences differences = new Differences(new int[0], new int[0]);

    private CaseFold() {
    }

    /**
     * Folds values from now on as the database does where it differs from this JDK, so that the index
     * finds every name the database's unique keys call equal, and no other. Called at start-up, before
     * the index is loaded.
     *
     * @param codePoints ascending code points whose lower case the database gives otherwise
     * @param lowered    the database's lower case of each
     */
    public static void adoptDatabaseDifferences(int[] codePoints, int[] lowered) {
        if (codePoints.length != lowered.length) {
            throw new IllegalArgumentException("one lower case per code point");
        }
        for (int i = 1; i < codePoints.length; i++) {
            if (codePoints[i] <= codePoints[i - 1]) {
                throw new IllegalArgumentException("code points must ascend");
            }
        }
        differences = new Differences(codePoints.clone(), lowered.clone());
    }

    /**
     * Folds the protocol's own words: attribute and schema names, operators, keywords, "True". They
     * are matched against this server's tables, whatever the database's locale.
     */
    public static String lower(String s) {
        return lower(s, null);
    }

    /**
     * Folds what clients store and look up: userName, displayName, emails and other values compared
     * in any letter case. As the database's {@code lower()} folds, for that decides which names are
     * taken: folded any other way, a create could be refused as a repeat of a name no lookup finds.
     */
    public static String lowerValue(String s) {
        Differences d = differences;
        return lower(s, d.codePoints.length == 0 ? null : d);
    }

    private static String lower(String s, Differences d) {
        int n = s.length();
        int i = 0;
        while (i < n) {
            char c = s.charAt(i);
            if (Character.isSurrogate(c) || lower(c, d) != c) {
                break;
            }
            i++;
        }
        if (i == n) {
            return s;
        }
        StringBuilder out = new StringBuilder(n).append(s, 0, i);
        while (i < n) {
            int cp = s.codePointAt(i);
            out.appendCodePoint(lower(cp, d));
            i += Character.charCount(cp);
        }
        return out.toString();
    }

    private static int lower(int codePoint, Differences d) {
        if (d != null && codePoint >= d.codePoints[0]) {
            int at = Arrays.binarySearch(d.codePoints, codePoint);
            if (at >= 0) {
                return d.lowered[at];
            }
        }
        return Character.toLowerCase(codePoint);
    }

    /** What {@link #adoptDatabaseDifferences} was last given (for tests that must put it back). */
    static Differences differences() {
        return differences;
    }

    record Differences(int[] codePoints, int[] lowered) {
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
}
