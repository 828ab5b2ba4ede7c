package io.hanzo.kms.scim.protocol.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.hanzo.kms.scim.protocol.schema.AttributeDef;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The values of a multi-valued attribute by what {@link Values#sameValue} compares first, so that the
 * value an incoming one repeats is found among the few with the same key rather than by comparing it
 * with every value: one PATCH of many operations, each naming a thousand values of a user who has a
 * thousand, held an event loop for seconds.
 */
final class ValueIndex {
    /** Below this many values, comparing with each is as quick as keeping an index. */
    static final int WORTH_IT = 32;
    private static final Object NO_VALUE = new Object();

    private final AttributeDef def;
    private final AttributeDef valueDef;
    private final Map<Object, List<Integer>> byKey = new HashMap<>();

    ValueIndex(AttributeDef def, ArrayNode values) {
        this.def = def;
        this.valueDef = def.isComplex() ? def.subAttribute(Values.VALUE) : null;
        for (int i = 0; i < values.size(); i++) {
            add(values.get(i), i);
        }
    }

    void add(JsonNode element, int at) {
        byKey.computeIfAbsent(key(element), k -> new ArrayList<>(1)).add(at);
    }

    /** Where in {@code values} (the array indexed) a value the same as {@code incoming} is, or -1. */
    int indexOfSame(ArrayNode values, JsonNode incoming) {
        List<Integer> candidates = byKey.get(key(incoming));
        if (candidates != null) {
            for (int at : candidates) {
                if (Values.sameValue(def, values.get(at), incoming)) {
                    return at;
                }
            }
        }
        return -1;
    }

    /**
     * Equal for any two values {@link Values#sameValue} may call the same: the whole value when it
     * compares whole ones, else the {@code value} sub-attribute, folded as {@code equalsIgnoreCase}
     * compares when it is not case-exact.
     */
    private Object key(JsonNode element) {
        if (valueDef == null) {
            return element;
        }
        JsonNode v = element.get(Values.VALUE);
        if (v == null) {
            return NO_VALUE;
        }
        if (!v.isTextual() || valueDef.caseExact()) {
            return v;
        }
        String s = v.asText();
        StringBuilder folded = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            folded.append(Character.toLowerCase(Character.toUpperCase(s.charAt(i))));
        }
        return folded.toString();
    }
}
