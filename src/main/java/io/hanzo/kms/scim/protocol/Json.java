package io.hanzo.kms.scim.protocol;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.MissingNode;

import java.io.IOException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The one JSON mapper of the protocol layer, and parsing that reports errors the SCIM way. */
public final class Json {
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /** The deepest nesting and the longest string a request body may hold: no resource has more. */
    private static final int MAX_NESTING = 64;
    private static final int MAX_STRING = 1_000_000;

    static {
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(MAX_NESTING).maxStringLength(MAX_STRING).build());
    }

    /** Reads one value; what follows it is looked at here, to say where it is. */
    private static final ObjectReader VALUE = MAPPER.readerFor(JsonNode.class)
            .without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /**
     * What the parser's messages name of its own workings (its settings, its source, its token types):
     * a message that still holds any of it after {@link #plain} is left out of an answer.
     */
    private static final Pattern INTERNALS = Pattern.compile("`|\\[Source|Feature|\\b[A-Z]+_[A-Z_]+\\b");
    private static final Pattern OPENED_AT =
            Pattern.compile("\\(for (Array|Object) starting at \\[Source: [^\\]]*?; line: (\\d+), column: (\\d+)\\]\\)");

    private Json() {
    }

    /**
     * Parses a request body; bytes that are not well-formed UTF-8, or malformed JSON, are a 400
     * {@code invalidSyntax} saying what is wrong and where.
     */
    public static JsonNode parse(byte[] body) {
        if (body == null || body.length == 0) {
            throw ScimException.invalidSyntax("The request body is empty.");
        }
        int illFormed = Utf8.firstIllFormed(body);
        if (illFormed >= 0) {
            throw ScimException.invalidSyntax("The request body is not valid UTF-8 (RFC 3629)" + at(body, illFormed)
                    + ": " + Utf8.problem(body, illFormed) + ".");
        }
        try (JsonParser p = MAPPER.createParser(body)) {
            try {
                if (p.nextToken() == null) {
                    return MissingNode.getInstance();
                }
                JsonNode value = VALUE.readTree(p);
                if (p.nextToken() != null) {
                    throw ScimException.invalidSyntax("The request body goes on after its JSON value"
                            + at(p.currentTokenLocation()) + "; send one value.");
                }
                return value;
            } catch (StreamConstraintsException e) {
                // Perhaps well-formed, but a string or a nesting beyond what any resource has: no resource's
                // schema allows it, and the client is told which limit, not that its JSON is broken.
                throw ScimException.invalidSyntax("The request body goes beyond what any resource holds"
                        + at(p.currentLocation()) + ": " + limit(e.getOriginalMessage()) + ".");
            }
        } catch (JsonProcessingException e) {
            throw ScimException.invalidSyntax("The request body is not valid JSON" + at(e.getLocation()) + plain(e));
        } catch (IOException e) {
            throw ScimException.invalidSyntax("The request body could not be read.");
        }
    }

    /** Which of the parser's limits was passed, from its message (which names them after its settings). */
    private static String limit(String message) {
        if (message.startsWith("Document nesting depth")) {
            return "objects and arrays nested more than " + MAX_NESTING + " deep";
        }
        if (message.startsWith("String value length")) {
            return "a string longer than " + MAX_STRING + " characters";
        }
        if (message.startsWith("Number value length")) {
            return "a number with too many digits";
        }
        if (message.startsWith("Name length")) {
            return "a member name too long";
        }
        return "a value too large";
    }

    /** The parser's own account of the error, without its internals; nothing when it cannot be told without. */
    private static String plain(JsonProcessingException e) {
        String message = e.getOriginalMessage();
        if (message == null) {
            return ".";
        }
        Matcher opened = OPENED_AT.matcher(message);
        if (opened.find()) {
            message = opened.replaceFirst("(for the " + opened.group(1).toLowerCase(Locale.ROOT) + " opened at line "
                    + opened.group(2) + ", column " + opened.group(3) + ")");
        }
        message = message.replace(": maybe a (non-standard) comment? (not recognized as one since Feature"
                + " 'ALLOW_COMMENTS' not enabled for parser)", ": JSON has no comments");
        message = message.replaceFirst(": enable `[^`]*` to allow$", "");
        message = message.replace(" in VALUE_STRING", " in a string");
        return INTERNALS.matcher(message).find() ? "." : ": " + message + ".";
    }

    /** Where in the body, as the parser counts (lines from 1, columns in bytes from 1). */
    private static String at(JsonLocation where) {
        return where == null || where.getLineNr() < 1 ? "" : " at line " + where.getLineNr() + ", column " + where.getColumnNr();
    }

    /** Where in the body the byte at {@code offset} is, counted as the parser counts. */
    private static String at(byte[] body, int offset) {
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < offset; i++) {
            if (body[i] == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        return " at line " + line + ", column " + (offset - lineStart + 1);
    }

    public static byte[] bytes(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("JSON tree could not be written", e);
        }
    }

    /** The tree as JSON text, written straight to a string (no byte array decoded again). */
    public static String text(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("JSON tree could not be written", e);
        }
    }

    public static JsonNode parse(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw ScimException.invalidSyntax("Not valid JSON" + at(e.getLocation()) + plain(e));
        }
    }
}
