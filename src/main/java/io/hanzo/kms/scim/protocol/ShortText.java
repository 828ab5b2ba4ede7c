package io.hanzo.kms.scim.protocol;

/** Text a client sent, cut to a length fit to quote back in an answer or keep in an event. */
public final class ShortText {
    private ShortText() {
    }

    /**
     * {@code s} when it has at most {@code max} characters; else its first {@code max} (one fewer
     * rather than half a surrogate pair) followed by "…".
     */
    public static String cut(String s, int max) {
        if (s == null || s.length() <= max) {
            return s;
        }
        int end = Character.isHighSurrogate(s.charAt(max - 1)) ? max - 1 : max;
        return s.substring(0, end) + "\u2026";
    }
}
