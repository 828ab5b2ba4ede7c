package io.hanzo.kms.scim.protocol;

/**
 * JSON text without the whitespace between its tokens. PostgreSQL writes jsonb as text with a space
 * after every comma and colon; the index packs documents against a dictionary written without them,
 * so a stored document is stripped first, which makes its copies longer and its packed form smaller.
 */
public final class JsonWhitespace {
    private JsonWhitespace() {
    }

    /**
     * Removes, in place, the whitespace outside strings of UTF-8 JSON text (a byte of a multi-byte
     * character is never a quote, a backslash or whitespace, so bytes can be looked at one by one).
     *
     * @return the length of the text left at the start of {@code json}
     */
    public static int strip(byte[] json) {
        int o = 0;
        boolean inString = false;
        for (int i = 0; i < json.length; i++) {
            byte b = json[i];
            if (inString) {
                json[o++] = b;
                if (b == '\\' && i + 1 < json.length) {
                    // The escaped character is copied as it is: an escaped quote does not end the string.
                    json[o++] = json[++i];
                } else if (b == '"') {
                    inString = false;
                }
            } else if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                json[o++] = b;
                inString = b == '"';
            }
        }
        return o;
    }
}
