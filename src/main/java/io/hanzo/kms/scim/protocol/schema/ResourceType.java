package io.hanzo.kms.scim.protocol.schema;

import io.hanzo.kms.scim.protocol.CaseFold;
import io.hanzo.kms.scim.protocol.filter.AttributePath;
import io.hanzo.kms.scim.protocol.tolerance.IdpTolerance;

import java.util.List;
import java.util.Map;

/**
 * A SCIM resource type (RFC 7643 §6) with the rules for turning client-written attribute paths into
 * schema attributes. Aliases cover names IdPs really send that have one sensible meaning, such as
 * PingOne's singular {@code email} for {@code emails}.
 */
public final class ResourceType {
    private final String name;
    private final String endpoint;
    private final String description;
    private final Schema coreSchema;
    private final List<Schema> extensions;
    private final Map<String, String> aliases;

    public ResourceType(String name, String endpoint, String description, Schema coreSchema,
                        List<Schema> extensions, Map<String, String> aliases) {
        this.name = name;
        this.endpoint = endpoint;
        this.description = description;
        this.coreSchema = coreSchema;
        this.extensions = List.copyOf(extensions);
        this.aliases = Map.copyOf(aliases);
    }

    public String name() {
        return name;
    }

    public String endpoint() {
        return endpoint;
    }

    public String description() {
        return description;
    }

    public Schema coreSchema() {
        return coreSchema;
    }

    public List<Schema> extensions() {
        return extensions;
    }

    /** Core schema or extension whose URN matches in any letter case, or null. */
    public Schema schema(String urn) {
        if (coreSchema.id().equalsIgnoreCase(urn)) {
            return coreSchema;
        }
        for (Schema ext : extensions) {
            if (ext.id().equalsIgnoreCase(urn)) {
                return ext;
            }
        }
        return null;
    }

    /**
     * Maps a client path onto the schema.
     *
     * @throws IllegalArgumentException naming what is unknown; callers turn it into the SCIM error that
     *                                  fits their context (invalidFilter, invalidPath)
     */
    public ResolvedAttribute resolve(AttributePath path) {
        Schema schema = null;
        AttributeDef attr;
        if (path.schemaUrn() != null) {
            schema = schema(path.schemaUrn());
            if (schema == null) {
                throw new IllegalArgumentException("unknown schema '" + path.schemaUrn() + "'");
            }
            attr = schema.attribute(path.attribute());
            if (attr == null && schema == coreSchema) {
                String lower = CaseFold.lower(path.attribute());
                attr = CommonAttributes.attributeByLowerName(lower);
                schema = attr != null ? null : schema;
                if (attr == null) {
                    attr = aliased(lower);
                }
            }
        } else {
            // Folded once for every lookup below: every filter of every request comes through here.
            String lower = CaseFold.lower(path.attribute());
            attr = CommonAttributes.attributeByLowerName(lower);
            if (attr == null) {
                schema = coreSchema;
                attr = coreSchema.attributeByLowerName(lower);
                if (attr == null) {
                    attr = aliased(lower);
                }
                for (int i = 0; attr == null && i < extensions.size(); i++) {
                    schema = extensions.get(i);
                    attr = schema.attributeByLowerName(lower);
                }
            }
        }
        if (attr == null) {
            throw new IllegalArgumentException("unknown attribute '" + path + "' for resource type " + name);
        }
        AttributeDef sub = null;
        if (path.subAttribute() != null) {
            if (!attr.isComplex()) {
                throw new IllegalArgumentException("attribute '" + attr.name() + "' has no sub-attributes");
            }
            sub = attr.subAttribute(path.subAttribute());
            if (sub == null) {
                throw new IllegalArgumentException("unknown sub-attribute '" + path + "'");
            }
        }
        return new ResolvedAttribute(schema, attr, sub);
    }

    /** The core attribute a singular name stands for ({@code email} for {@code emails}), or null. */
    private AttributeDef aliased(String lowerName) {
        String alias = IdpTolerance.SINGULAR_ATTRIBUTE_ALIASES.accepted() ? aliases.get(lowerName) : null;
        return alias == null ? null : coreSchema.attributeByLowerName(CaseFold.lower(alias));
    }
}
