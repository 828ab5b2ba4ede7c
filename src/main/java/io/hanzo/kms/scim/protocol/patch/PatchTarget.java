package io.hanzo.kms.scim.protocol.patch;

import io.hanzo.kms.scim.protocol.ScimException;
import io.hanzo.kms.scim.protocol.filter.Filter;
import io.hanzo.kms.scim.protocol.filter.FilterResolver;
import io.hanzo.kms.scim.protocol.filter.PatchPath;
import io.hanzo.kms.scim.protocol.schema.AttributeDef;
import io.hanzo.kms.scim.protocol.schema.ResolvedAttribute;
import io.hanzo.kms.scim.protocol.schema.ResourceType;
import io.hanzo.kms.scim.protocol.schema.Schema;

/**
 * A PATCH path mapped onto the schema.
 *
 * @param extension    the extension whose object holds the attribute; null when it sits at the top
 *                     level of the stored form (core and common attributes)
 * @param attribute    the top-level attribute
 * @param subAttribute the sub-attribute, written {@code name.givenName} or after a filter; or null
 * @param valueFilter  the canonical value filter, relative to the attribute's values; or null
 */
record PatchTarget(Schema extension, AttributeDef attribute, AttributeDef subAttribute, Filter valueFilter) {

    /** @throws ScimException 400 invalidPath when the path names nothing this resource type has */
    static PatchTarget resolve(ResourceType type, PatchPath path) {
        ResolvedAttribute r;
        try {
            r = type.resolve(path.attribute());
        } catch (IllegalArgumentException e) {
            throw ScimException.invalidPath("Path '" + path + "' names an " + e.getMessage() + ".");
        }
        AttributeDef sub = r.subAttribute();
        Filter inner = null;
        if (path.valueFilter() != null) {
            if (!r.attribute().multiValued() || !r.attribute().isComplex()) {
                throw ScimException.invalidPath("Path '" + path + "': only multi-valued complex attributes take a "
                        + "value filter, and '" + r.attribute().name() + "' is not one.");
            }
            inner = resolveFilter(type, path);
            if (path.subAttribute() != null) {
                sub = r.attribute().subAttribute(path.subAttribute());
                if (sub == null) {
                    throw ScimException.invalidPath("Path '" + path + "': '" + r.attribute().name()
                            + "' has no sub-attribute '" + path.subAttribute() + "'.");
                }
            }
        }
        return new PatchTarget(r.inExtension(type) ? r.schema() : null, r.attribute(), sub, inner);
    }

    private static Filter resolveFilter(ResourceType type, PatchPath path) {
        try {
            Filter resolved = FilterResolver.resolve(new Filter.ValuePath(path.attribute(), path.valueFilter()), type);
            return ((Filter.ValuePath) resolved).inner();
        } catch (ScimException e) {
            throw ScimException.invalidPath("Path '" + path + "': " + e.detail());
        }
    }

    /** True when clients may not write here: the attribute or the sub-attribute belongs to the server. */
    boolean readOnly() {
        return attribute.isReadOnly() || (subAttribute != null && subAttribute.isReadOnly());
    }

    String describe() {
        return attribute.name() + (valueFilter != null ? "[" + valueFilter + "]" : "")
                + (subAttribute != null ? "." + subAttribute.name() : "");
    }
}
