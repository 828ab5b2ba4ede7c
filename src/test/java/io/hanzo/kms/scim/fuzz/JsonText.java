package io.hanzo.kms.scim.fuzz;

import java.util.List;
import java.util.Map;

/**
 * JSON as a fuzzer writes it, including what a JSON library would not produce: duplicate keys (an
 * object is a list of entries), number literals beyond double range ({@link Raw}), and lone UTF-16
 * surrogates. Every character outside printable ASCII is written as a {@code \\uXXXX} escape, so the
 * text is pure ASCII and a lone surrogate arrives as the escape a hostile client would send.
 */
final class JsonText {
    /** A literal written as is: {@code 1e400}, {@code -0}, {@code 123456789012345678901234567890}. */
    record Raw(String literal) {
    }

    /** An object; the same key may appear twice. */
    record Obj(List<Map.Entry<String, Object>> fields) {
    }

    /** JSON null, distinct from "no value". */
    static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private JsonText() {
    }

    static String write(Object value) {
        StringBuilder sb = new StringBuilder();
        write(sb, value);
        return sb.toString();
    }

    private static void write(StringBuilder sb, Object v) {
        if (v == NULL || v == null) {
            sb.append("null");
        } else if (v instanceof String s) {
            string(sb, s);
        } else if (v instanceof Boolean b) {
            sb.append(b);
        } else if (v instanceof Number n) {
            sb.append(n);
        } else if (v instanceof Raw r) {
            sb.append(r.literal());
        } else if (v instanceof Obj o) {
            sb.append('{');
            boolean first = true;
            for (Map.Entry<String, Object> e : o.fields()) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                string(sb, e.getKey());
                sb.append(':');
                write(sb, e.getValue());
            }
            sb.append('}');
        } else if (v instanceof List<?> list) {
            sb.append('[');
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) {
                    sb.append(',');
                }
                write(sb, list.get(i));
            }
            sb.append(']');
        } else {
            throw new IllegalArgumentException("Not JSON: " + v.getClass());
        }
    }

    private static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20 || c >= 0x7f) {
                sb.append("\\u").append(HEX[(c >> 12) & 0xF]).append(HEX[(c >> 8) & 0xF]).append(HEX[(c >> 4) & 0xF])
                        .append(HEX[c & 0xF]);
            } else {
                sb.append(c);
            }
        }
        sb.append('"');
    }
}
