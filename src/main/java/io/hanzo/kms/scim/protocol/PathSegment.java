package io.hanzo.kms.scim.protocol;

import java.nio.charset.StandardCharsets;

/** Text made into one segment of a URL path (RFC 3986 §3.3), to build a URL from what a client sent. */
public final class PathSegment {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();
    /** RFC 3986 pchar, without pct-encoded: what a segment may hold as it is. */
    private static final String KEPT = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@";

    private PathSegment() {
    }

    /**
     * Every character a segment may not hold, "%" among them, percent-encoded as UTF-8. A segment of
     * dots alone is encoded whole, which RFC 3986 resolvers (java.net.URI) read as a name; browsers'
     * URL parsers still read "%2E%2E" as the parent path, so callers should not send such a segment.
     */
    public static String encode(String text) {
        boolean dots = !text.isEmpty() && text.chars().allMatch(c -> c == '.');
        StringBuilder out = new StringBuilder(text.length() + 8);
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c < 0x80 && KEPT.indexOf(c) >= 0 && !dots) {
                out.append((char) c);
            } else {
                out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
            }
        }
        return out.toString();
    }
}
