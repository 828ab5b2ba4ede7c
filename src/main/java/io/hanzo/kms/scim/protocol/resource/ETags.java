package io.hanzo.kms.scim.protocol.resource;

/**
 * Entity-tag matching for {@code If-Match} and {@code If-None-Match} (RFC 9110 §13.1), with the weak
 * comparison SCIM versions call for: {@code W/"3"} and {@code "3"} both name version 3.
 */
public final class ETags {
    private ETags() {
    }

    /** True when the header lists {@code *} or a tag naming {@code version}. */
    public static boolean matches(String header, long version) {
        String wanted = Long.toString(version);
        for (String raw : header.split(",")) {
            String tag = raw.trim();
            if (tag.equals("*")) {
                return true;
            }
            if (tag.startsWith("W/") || tag.startsWith("w/")) {
                tag = tag.substring(2);
            }
            if (tag.length() >= 2 && tag.startsWith("\"") && tag.endsWith("\"")) {
                tag = tag.substring(1, tag.length() - 1);
            }
            if (tag.equals(wanted)) {
                return true;
            }
        }
        return false;
    }
}
