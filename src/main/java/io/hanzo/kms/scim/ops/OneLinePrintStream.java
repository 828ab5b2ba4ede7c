package io.hanzo.kms.scim.ops;

import java.io.PrintStream;

/**
 * Standard error for the plain log format: each line written is one log line, whatever it quotes.
 * Log lines quote what clients send (a userName in an invitation's line, member ids a group write
 * skipped), and a line break in such a value would otherwise start a line of the client's choosing,
 * which log readers take for a line of this server's: a forged ERROR, or a real one hidden. Line
 * breaks and other control characters inside a line are written escaped ({@code \n}, {@code \u001b});
 * the JSON format escapes them already.
 */
final class OneLinePrintStream extends PrintStream {
    OneLinePrintStream(PrintStream target) {
        super(target, true);
    }

    @Override
    public void println(String line) {
        super.println(escaped(line));
    }

    @Override
    public void println(Object line) {
        super.println(escaped(String.valueOf(line)));
    }

    static String escaped(String line) {
        if (line == null) {
            return null;
        }
        int i = 0;
        while (i < line.length() && !breaks(line.charAt(i))) {
            i++;
        }
        if (i == line.length()) {
            return line;
        }
        StringBuilder out = new StringBuilder(line.length() + 16).append(line, 0, i);
        for (; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\n') {
                out.append("\\n");
            } else if (c == '\r') {
                out.append("\\r");
            } else if (breaks(c)) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /**
     * Control characters but the tab (C0, DEL and C1, which some terminals act on), and the characters
     * some viewers end a line at.
     */
    private static boolean breaks(char c) {
        return (c < 0x20 && c != '\t') || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029';
    }
}
