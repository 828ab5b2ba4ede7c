package io.hanzo.kms.scim.load;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks of a SCIM answer read straight from its text. The load generator shares the server's two
 * cores, so the simulations that send hundreds of thousands of requests check what matters (the id,
 * the echoed name, the count) without building a JSON tree or running a JSON path per request.
 * The server writes compact JSON; whitespace around the colon is tolerated all the same.
 * A failed check throws, which Gatling reports as that request's failure.
 */
final class AnswerText {
    private static final Pattern ID = stringField("id");
    private static final Pattern TOTAL = Pattern.compile("\"totalResults\"\\s*:\\s*(\\d+)");
    private static final Pattern ACTIVE_TRUE = Pattern.compile("\"active\"\\s*:\\s*true\\b");

    private AnswerText() {
    }

    /** {@code "name":"value"} with a value free of quotes and escapes (ids, bench names). */
    static Pattern stringField(String name) {
        return Pattern.compile("\"" + Pattern.quote(name) + "\"\\s*:\\s*\"([^\"\\\\]*)\"");
    }

    /** The first {@code "id"} of the answer: the resource's own (SCIM resources nest no other "id"). */
    static String id(String body) {
        Matcher m = ID.matcher(body);
        if (!m.find() || m.group(1).isEmpty()) {
            throw new IllegalStateException("no id in the answer");
        }
        return m.group(1);
    }

    /** Fails unless the answer carries {@code "name":"expected"}. */
    static void echoes(String body, Pattern field, String expected) {
        Matcher m = field.matcher(body);
        if (!m.find()) {
            throw new IllegalStateException("no " + field.pattern() + " in the answer");
        }
        if (!m.group(1).equals(expected)) {
            throw new IllegalStateException("answer has " + m.group(1) + ", expected " + expected);
        }
    }

    static void active(String body) {
        if (!ACTIVE_TRUE.matcher(body).find()) {
            throw new IllegalStateException("the answer's user is not active");
        }
    }

    /**
     * A lookup expected to find at most one resource: "" when it found nobody (totalResults 0 and no
     * resource in the answer), the resource's id when it found exactly one whose {@code field} is
     * {@code expected}; anything else fails.
     */
    static String lookup(String body, Pattern field, String expected) {
        Matcher total = TOTAL.matcher(body);
        if (!total.find()) {
            throw new IllegalStateException("no totalResults in the answer");
        }
        switch (total.group(1)) {
            case "0" -> {
                if (ID.matcher(body).find()) {
                    throw new IllegalStateException("totalResults is 0 but the answer lists a resource");
                }
                return "";
            }
            case "1" -> {
                echoes(body, field, expected);
                return id(body);
            }
            default -> throw new IllegalStateException("totalResults " + total.group(1) + ", expected 0 or 1");
        }
    }
}
