package io.hanzo.kms.scim.protocol.schema;

/**
 * An attribute path mapped onto the schema: where it lives and what it is.
 *
 * @param schema       the schema that defines the attribute; null for the common attributes
 *                     (id, externalId, meta), which live at the top level of every resource
 * @param attribute    the top-level attribute
 * @param subAttribute the sub-attribute, or null
 */
public record ResolvedAttribute(Schema schema, AttributeDef attribute, AttributeDef subAttribute) {

    /** True when the attribute sits in an extension object rather than at the resource's top level. */
    public boolean inExtension(ResourceType type) {
        return schema != null && !schema.id().equals(type.coreSchema().id());
    }

    /** The definition the path finally names: the sub-attribute if there is one. */
    public AttributeDef leaf() {
        return subAttribute != null ? subAttribute : attribute;
    }

    @Override
    public String toString() {
        return attribute.name() + (subAttribute != null ? "." + subAttribute.name() : "");
    }
}
