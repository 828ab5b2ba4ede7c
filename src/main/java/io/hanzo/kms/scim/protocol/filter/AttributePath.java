package io.hanzo.kms.scim.protocol.filter;

/**
 * An attribute reference as written by a client: {@code [urn:]attribute[.subAttribute]}. Names keep
 * the client's letter case until {@link io.hanzo.kms.scim.protocol.schema.ResourceType#resolve} maps
 * them onto the schema.
 *
 * @param schemaUrn    the URN prefix, or null when the client wrote none
 * @param attribute    the top-level attribute name
 * @param subAttribute the sub-attribute name, or null
 */
public record AttributePath(String schemaUrn, String attribute, String subAttribute) {

    public AttributePath {
        if (attribute == null || attribute.isEmpty()) {
            throw new IllegalArgumentException("attribute name is required");
        }
    }

    public static AttributePath of(String attribute) {
        return new AttributePath(null, attribute, null);
    }

    public static AttributePath of(String attribute, String subAttribute) {
        return new AttributePath(null, attribute, subAttribute);
    }

    public AttributePath withSubAttribute(String sub) {
        return new AttributePath(schemaUrn, attribute, sub);
    }

    /**
     * Parses {@code urn:...:attr.sub}, {@code attr.sub} or {@code attr}. The URN is everything up to the
     * last colon; a dot after that colon separates the sub-attribute.
     */
    public static AttributePath parse(String text) {
        String urn = null;
        String rest = text;
        if (text.regionMatches(true, 0, "urn:", 0, 4)) {
            int colon = text.lastIndexOf(':');
            urn = text.substring(0, colon);
            rest = text.substring(colon + 1);
        }
        int dot = rest.indexOf('.');
        String attr = dot < 0 ? rest : rest.substring(0, dot);
        String sub = dot < 0 ? null : rest.substring(dot + 1);
        if (attr.isEmpty() || (sub != null && (sub.isEmpty() || sub.indexOf('.') >= 0))) {
            throw new IllegalArgumentException("not an attribute path: " + text);
        }
        return new AttributePath(urn, attr, sub);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        if (schemaUrn != null) {
            sb.append(schemaUrn).append(':');
        }
        sb.append(attribute);
        if (subAttribute != null) {
            sb.append('.').append(subAttribute);
        }
        return sb.toString();
    }
}
