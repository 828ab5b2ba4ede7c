package io.hanzo.kms.scim.protocol.patch;

import com.fasterxml.jackson.databind.JsonNode;
import io.hanzo.kms.scim.protocol.CaseFold;
import io.hanzo.kms.scim.protocol.ScimException;
import io.hanzo.kms.scim.protocol.schema.AttributeDef;
import io.hanzo.kms.scim.protocol.schema.Schema;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The places the keys of one path-less value write, so that no place is written twice. One attribute
 * can be named in many spellings ({@code active} and {@code urn:...:core:2.0:User:active},
 * {@code name.givenName} and {@code givenName} inside {@code name}, any letter case); the keys of a
 * JSON object have no order a client can rely on, so two of them writing one place have no meaning,
 * and reading them as whichever came last would answer 200 for a change that was not made.
 *
 * <p>A place is the canonical path a key writes: an attribute, one of its sub-attributes, or the values
 * a filter selects. Writing a place also writes everything under it, so {@code name} given as null and
 * {@code name.givenName} overlap; {@code name} given as an object writes only the sub-attributes it
 * names, which is how Entra splits a name over several keys.
 */
final class WrittenPlaces {
    /** What follows a place in the places within it: a sub-attribute, a filter, an extension's attribute. */
    private static final String INSIDE = ".[:";

    private final TreeMap<String, String> keyByPlace = new TreeMap<>();

    /**
     * Records what a key writes.
     *
     * @param key how the request wrote the key, quoted, for messages
     * @throws ScimException 400 invalidSyntax when an earlier key writes the same place or one that
     *                       holds it or lies within it
     */
    void write(String key, PatchTarget target, JsonNode value) {
        List<String> around = new ArrayList<>(3);
        StringBuilder place = new StringBuilder();
        if (target.extension() != null) {
            around.add(target.extension().id());
            place.append(target.extension().id()).append(':');
        }
        place.append(target.attribute().name());
        if (target.valueFilter() != null) {
            around.add(place.toString());
            // As the resolver wrote the filter; in one letter case, as "work" and "Work" select alike.
            place.append('[').append(CaseFold.lower(target.valueFilter().toString())).append(']');
        }
        if (target.subAttribute() != null) {
            around.add(place.toString());
            claim(place.append('.').append(target.subAttribute().name()).toString(), around, key);
            return;
        }
        AttributeDef def = target.attribute();
        JsonNode object = def.isComplex() && (!def.multiValued() || target.valueFilter() != null) && !Values.isNone(value)
                ? Values.objectOf(def, value) : null;
        if (object == null) {
            claim(place.toString(), around, key);
            return;
        }
        around.add(place.toString());
        Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
        while (fields.hasNext()) {
            AttributeDef sub = def.subAttribute(fields.next().getKey());
            if (sub != null && !sub.isReadOnly()) {
                claim(place + "." + sub.name(), around, key);
            }
        }
    }

    /** Records that a key, spelt as {@link #write} takes it, removes the whole of {@code extension}. */
    void writeAll(String key, Schema extension) {
        claim(extension.id(), List.of(), key);
    }

    /** @param around the places that hold {@code place}, outermost first */
    private void claim(String place, List<String> around, String key) {
        String earlier = keyByPlace.get(place);
        for (int i = 0; earlier == null && i < around.size(); i++) {
            earlier = keyByPlace.get(around.get(i));
        }
        for (int i = 0; earlier == null && i < INSIDE.length(); i++) {
            earlier = within(place + INSIDE.charAt(i));
        }
        if (earlier != null) {
            throw ScimException.invalidSyntax("The value writes '" + place + "' twice: as " + earlier + " and as "
                    + key + ". Give each attribute once.");
        }
        keyByPlace.put(place, key);
    }

    /** The key of a place written earlier that lies within the place {@code prefix} begins. */
    private String within(String prefix) {
        Map.Entry<String, String> next = keyByPlace.ceilingEntry(prefix);
        return next != null && next.getKey().startsWith(prefix) ? next.getValue() : null;
    }
}
