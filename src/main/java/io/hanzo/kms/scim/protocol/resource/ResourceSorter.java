package io.hanzo.kms.scim.protocol.resource;

import io.hanzo.kms.scim.protocol.CaseFold;
import com.fasterxml.jackson.databind.JsonNode;
import io.hanzo.kms.scim.protocol.ScimException;
import io.hanzo.kms.scim.protocol.filter.AttributePath;
import io.hanzo.kms.scim.protocol.schema.AttributeDef;
import io.hanzo.kms.scim.protocol.schema.Mutability;
import io.hanzo.kms.scim.protocol.schema.ResolvedAttribute;
import io.hanzo.kms.scim.protocol.schema.ResourceType;
import io.hanzo.kms.scim.protocol.schema.Returned;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Comparator;

/**
 * Orders resources by {@code sortBy} and {@code sortOrder} (RFC 7644 §3.4.2.3). A multi-valued
 * attribute sorts by its primary value, or its first; resources without a value sort last when
 * ascending and first when descending; strings compare in the attribute's case sensitivity.
 * Callers break ties by id so that pages stay stable.
 */
public final class ResourceSorter {
    private ResourceSorter() {
    }

    /**
     * @return null when {@code sortBy} is null (creation order)
     * @throws ScimException 400 for an unknown attribute or sort order
     */
    public static Comparator<JsonNode> comparator(ResourceType type, String sortBy, String sortOrder) {
        boolean descending = false;
        if (sortOrder != null && !sortOrder.isBlank()) {
            switch (CaseFold.lower(sortOrder.trim())) {
                case "ascending":
                    break;
                case "descending":
                    descending = true;
                    break;
                default:
                    throw ScimException.invalidValue("sortOrder must be 'ascending' or 'descending', not '" + sortOrder + "'.");
            }
        }
        if (sortBy == null || sortBy.isBlank()) {
            return null;
        }
        ResolvedAttribute r;
        try {
            r = type.resolve(AttributePath.parse(sortBy.trim()));
        } catch (IllegalArgumentException e) {
            throw ScimException.invalidValue("Cannot sort by '" + sortBy + "': " + e.getMessage() + ".");
        }
        AttributeDef leaf = r.subAttribute() != null ? r.subAttribute()
                : r.attribute().isComplex() ? r.attribute().subAttribute("value") : r.attribute();
        if (leaf == null || leaf.isComplex()) {
            throw ScimException.invalidValue("Cannot sort by complex attribute '" + sortBy + "'.");
        }
        if (leaf.returned() == Returned.NEVER || leaf.mutability() == Mutability.WRITE_ONLY) {
            // password: never stored, so every resource would sort as lacking it, which is no order at all.
            throw ScimException.invalidValue("Cannot sort by '" + sortBy + "': it is never returned.");
        }
        AttributeDef valueDef = leaf;
        String urn = r.inExtension(type) ? r.schema().id() : null;
        String attr = r.attribute().name();
        String sub = leaf == r.attribute() ? null : leaf.name();
        return new Order(valueDef, urn, attr, sub, descending);
    }

    /**
     * A sort order whose key can be taken out of each resource once, so that a large sort compares
     * small keys rather than holding or reading whole resources.
     */
    public static final class Order implements Comparator<JsonNode> {
        private final AttributeDef def;
        private final String urn;
        private final String attr;
        private final String sub;
        private final boolean descending;

        private Order(AttributeDef def, String urn, String attr, String sub, boolean descending) {
            this.def = def;
            this.urn = urn;
            this.attr = attr;
            this.sub = sub;
            this.descending = descending;
        }

        /** The value the resource sorts by, or null. */
        public JsonNode key(JsonNode resource) {
            return ResourceSorter.key(resource, urn, attr, sub);
        }

        /**
         * The top-level member of a resource the key is read from (the attribute, or the extension's
         * schema URN): a resource holding only that member gives the same key.
         */
        public String member() {
            return urn == null ? attr : urn;
        }

        /** Compares two keys from {@link #key} as {@link #compare} compares their resources. */
        public int compareKeys(JsonNode a, JsonNode b) {
            return descending ? ResourceSorter.compare(def, b, a) : ResourceSorter.compare(def, a, b);
        }

        @Override
        public int compare(JsonNode a, JsonNode b) {
            return compareKeys(key(a), key(b));
        }
    }

    /** The value a resource sorts by, or null. */
    private static JsonNode key(JsonNode resource, String urn, String attr, String sub) {
        JsonNode holder = urn == null ? resource : resource.get(urn);
        JsonNode v = holder == null ? null : holder.get(attr);
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isArray()) {
            JsonNode chosen = null;
            for (JsonNode el : v) {
                if (chosen == null || el.path("primary").asBoolean(false)) {
                    chosen = el;
                    if (el.path("primary").asBoolean(false)) {
                        break;
                    }
                }
            }
            v = chosen;
        }
        if (v != null && sub != null) {
            v = v.get(sub);
        }
        return v == null || v.isNull() || v.isContainerNode() ? null : v;
    }

    /** Missing values are greater than any value, so they come last in ascending order. */
    private static int compare(AttributeDef def, JsonNode a, JsonNode b) {
        if (a == null || b == null) {
            return a == null ? (b == null ? 0 : 1) : -1;
        }
        switch (def.type()) {
            case BOOLEAN:
                return Boolean.compare(a.asBoolean(), b.asBoolean());
            case INTEGER:
            case DECIMAL:
                return new BigDecimal(a.asText()).compareTo(new BigDecimal(b.asText()));
            case DATE_TIME:
                try {
                    return OffsetDateTime.parse(a.asText()).toInstant().compareTo(OffsetDateTime.parse(b.asText()).toInstant());
                } catch (DateTimeParseException e) {
                    return a.asText().compareTo(b.asText());
                }
            default:
                return def.caseExact() ? a.asText().compareTo(b.asText()) : a.asText().compareToIgnoreCase(b.asText());
        }
    }
}
