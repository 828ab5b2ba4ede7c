package io.hanzo.kms.scim.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;

/**
 * A JSON object parsed into a tree holding only some of its top-level members, each whole and as a
 * full parse gives it. The other members are stepped over byte by byte, matching brackets outside
 * strings, without tokens or nodes: a scan that tests one or two attributes of each resource then
 * pays for those, not for a tree of the whole resource (nor for a tokenizer walking all of it, which
 * costs nearly as much when the member sought, such as {@code meta}, comes last).
 *
 * <p>It is meant for documents this server serialised itself, which are valid JSON with each member
 * once: a member's value is handed to Jackson only when it is kept, so a defect in a skipped value
 * may go unnoticed, and the first occurrence of a name is the one kept.
 */
public final class PartialTree {
    private final String[] names;
    private final byte[][] encoded;

    /** @param names the top-level members to keep, compared exactly as {@code ObjectNode.get} compares */
    public PartialTree(Set<String> names) {
        this.names = names.toArray(new String[0]);
        this.encoded = new byte[this.names.length][];
        for (int k = 0; k < this.names.length; k++) {
            encoded[k] = this.names[k].getBytes(StandardCharsets.UTF_8);
        }
    }

    /**
     * The object's members among the names, in document order. Reading stops once every name has
     * been met.
     *
     * @throws IllegalArgumentException when the JSON is not an object or does not parse
     */
    public ObjectNode read(byte[] json) {
        ObjectNode out = Json.MAPPER.createObjectNode();
        try {
            int i = skipSpace(json, 0);
            expect(json, i, '{');
            int left = names.length;
            i = skipSpace(json, i + 1);
            if (json[i] == '}') {
                return out;
            }
            while (left > 0) {
                expect(json, i, '"');
                int nameEnd = i + 1;
                while (json[nameEnd] != '"') {
                    if (json[nameEnd] == '\\') {
                        // An escaped name (never written by this server) is decoded by Jackson.
                        return whole(json);
                    }
                    nameEnd++;
                }
                int colon = skipSpace(json, nameEnd + 1);
                expect(json, colon, ':');
                int value = skipSpace(json, colon + 1);
                int valueEnd = skipValue(json, value);
                int k = wanted(json, i + 1, nameEnd);
                if (k >= 0) {
                    out.set(names[k], node(json, value, valueEnd));
                    left--;
                }
                i = skipSpace(json, valueEnd);
                if (json[i] == '}') {
                    break;
                }
                expect(json, i, ',');
                i = skipSpace(json, i + 1);
            }
            return out;
        } catch (ArrayIndexOutOfBoundsException e) {
            throw new IllegalArgumentException("the JSON ends too soon", e);
        }
    }

    /** Which name the bytes from..to spell, or -1. */
    private int wanted(byte[] json, int from, int to) {
        for (int k = 0; k < encoded.length; k++) {
            byte[] name = encoded[k];
            if (name.length == to - from && Arrays.equals(json, from, to, name, 0, name.length)) {
                return k;
            }
        }
        return -1;
    }

    /** The value between from and to as Jackson builds it; a plain string or a literal directly. */
    private static JsonNode node(byte[] json, int from, int to) {
        byte first = json[from];
        if (first == '"' && !contains(json, from + 1, to - 1, (byte) '\\')) {
            return TextNode.valueOf(new String(json, from + 1, to - from - 2, StandardCharsets.UTF_8));
        }
        if (first == 't' || first == 'f' || first == 'n') {
            String word = new String(json, from, to - from, StandardCharsets.US_ASCII);
            if (word.equals("true") || word.equals("false")) {
                return BooleanNode.valueOf(word.equals("true"));
            }
            if (word.equals("null")) {
                return NullNode.instance;
            }
            throw new IllegalArgumentException("not a JSON value: " + word);
        }
        try {
            return Json.MAPPER.readTree(json, from, to - from);
        } catch (IOException e) {
            throw new IllegalArgumentException("a member's value does not parse", e);
        }
    }

    /** The members among the names, from a full parse. */
    private ObjectNode whole(byte[] json) {
        JsonNode all;
        try {
            all = Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("the JSON does not parse", e);
        }
        ObjectNode out = Json.MAPPER.createObjectNode();
        all.properties().forEach(member -> {
            for (String name : names) {
                if (name.equals(member.getKey())) {
                    out.set(name, member.getValue());
                }
            }
        });
        return out;
    }

    /** The position just after the value starting at i (a string, an object, an array or a literal). */
    private static int skipValue(byte[] json, int i) {
        byte b = json[i];
        if (b == '"') {
            return skipString(json, i);
        }
        if (b == '{' || b == '[') {
            int depth = 0;
            while (true) {
                b = json[i];
                if (b == '"') {
                    i = skipString(json, i);
                    continue;
                }
                if (b == '{' || b == '[') {
                    depth++;
                } else if ((b == '}' || b == ']') && --depth == 0) {
                    return i + 1;
                }
                i++;
            }
        }
        while (b != ',' && b != '}' && b != ']' && b != ' ' && b != '\t' && b != '\n' && b != '\r') {
            b = json[++i];
        }
        return i;
    }

    /** The position just after the string whose opening quote is at i. */
    private static int skipString(byte[] json, int i) {
        i++;
        while (true) {
            byte b = json[i];
            if (b == '"') {
                return i + 1;
            }
            i += b == '\\' ? 2 : 1;
        }
    }

    private static int skipSpace(byte[] json, int i) {
        while (json[i] == ' ' || json[i] == '\t' || json[i] == '\n' || json[i] == '\r') {
            i++;
        }
        return i;
    }

    private static boolean contains(byte[] json, int from, int to, byte b) {
        for (int i = from; i < to; i++) {
            if (json[i] == b) {
                return true;
            }
        }
        return false;
    }

    private static void expect(byte[] json, int i, char c) {
        if (json[i] != c) {
            throw new IllegalArgumentException("expected '" + c + "' at " + i + " of the JSON");
        }
    }
}
