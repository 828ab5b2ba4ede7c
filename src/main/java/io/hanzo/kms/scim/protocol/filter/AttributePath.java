package io.hanzo.kms.scim.protocol.filter;

import io.hanzo.kms.scim.protocol.ScimUris;
import io.hanzo.kms.scim.protocol.tolerance.IdpTolerance;

import java.util.List;

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
    private static final List<String> KNOWN_SCHEMAS = List.of(ScimUris.ENTERPRISE_USER, ScimUris.CORE_USER,
            ScimUris.CORE_GROUP);

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
        if (IdpTolerance.PATCH_EXTENSION_PATH_DOT_SEPARATOR.accepted()) {
            text = colonAfterKnownSchema(text);
        }
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

    /**
     * {@code urn:...:enterprise:2.0:User.department} written with the RFC's colon. Only the schemas this
     * server knows are recognised, since a dot inside an unknown URN (such as {@code 2.0}) is ambiguous.
     */
    private static String colonAfterKnownSchema(String text) {
        for (String schema : KNOWN_SCHEMAS) {
            if (text.length() > schema.length() + 1 && text.regionMatches(true, 0, schema, 0, schema.length())
                    && text.charAt(schema.length()) == '.') {
                return text.substring(0, schema.length()) + ':' + text.substring(schema.length() + 1);
            }
        }
        return text;
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
