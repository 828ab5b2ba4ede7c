package io.hanzo.kms.scim.protocol.filter;

/**
 * A PATCH operation's path (RFC 7644 §3.5.2): {@code attrPath}, or {@code attr[valueFilter]} with an
 * optional {@code .subAttribute} after the bracket.
 *
 * @param attribute    the attribute (with its sub-attribute when written {@code name.givenName})
 * @param valueFilter  the filter in brackets, relative to the attribute's values; null when none
 * @param subAttribute the sub-attribute after {@code ]}, or null
 */
public record PatchPath(AttributePath attribute, Filter valueFilter, String subAttribute) {
    @Override
    public String toString() {
        return attribute + (valueFilter != null ? "[" + valueFilter + "]" : "")
                + (subAttribute != null ? "." + subAttribute : "");
    }
}
