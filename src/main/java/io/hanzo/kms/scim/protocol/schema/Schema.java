package io.hanzo.kms.scim.protocol.schema;

import io.hanzo.kms.scim.protocol.CaseFold;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** A schema document (RFC 7643 §7): a URN and its top-level attributes. */
public final class Schema {
    private final String id;
    private final String name;
    private final String description;
    private final List<AttributeDef> attributes;
    private final Map<String, AttributeDef> byLowerName;

    public Schema(String id, String name, String description, List<AttributeDef> attributes) {
        this.id = id;
        this.name = name;
        this.description = description;
        this.attributes = List.copyOf(attributes);
        this.byLowerName = this.attributes.stream()
                .collect(Collectors.toUnmodifiableMap(a -> a.name().toLowerCase(Locale.ROOT), Function.identity()));
    }

    public String id() {
        return id;
    }

    public String name() {
        return name;
    }

    public String description() {
        return description;
    }

    public List<AttributeDef> attributes() {
        return attributes;
    }

    /** Attribute by name in any letter case, or null. */
    public AttributeDef attribute(String anyCaseName) {
        return byLowerName.get(CaseFold.lower(anyCaseName));
    }

    /** Attribute by its name already lower-cased by {@link CaseFold#lower}, or null. */
    public AttributeDef attributeByLowerName(String lowerName) {
        return byLowerName.get(lowerName);
    }
}
