package io.hanzo.kms.scim.protocol.schema;

import io.hanzo.kms.scim.protocol.CaseFold;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * One attribute of a schema (RFC 7643 §7). Names are matched case-insensitively everywhere, so each
 * definition keeps a lower-case index of its sub-attributes.
 */
public final class AttributeDef {
    private final String name;
    private final AttributeType type;
    private final boolean multiValued;
    private final String description;
    private final boolean required;
    private final boolean caseExact;
    private final boolean holdsResourceIds;
    private final Mutability mutability;
    private final Returned returned;
    private final Uniqueness uniqueness;
    private final List<String> canonicalValues;
    private final List<String> referenceTypes;
    private final List<AttributeDef> subAttributes;
    private final Map<String, AttributeDef> subByLowerName;

    private AttributeDef(Builder b) {
        this.name = b.name;
        this.type = b.type;
        this.multiValued = b.multiValued;
        this.description = b.description;
        this.required = b.required;
        this.caseExact = b.caseExact;
        this.holdsResourceIds = b.holdsResourceIds;
        this.mutability = b.mutability;
        this.returned = b.returned;
        this.uniqueness = b.uniqueness;
        this.canonicalValues = List.copyOf(b.canonicalValues);
        this.referenceTypes = List.copyOf(b.referenceTypes);
        this.subAttributes = List.copyOf(b.subAttributes);
        this.subByLowerName = subAttributes.stream()
                .collect(Collectors.toUnmodifiableMap(a -> a.name.toLowerCase(Locale.ROOT), Function.identity()));
    }

    public static Builder builder(String name, AttributeType type) {
        return new Builder(name, type);
    }

    public String name() {
        return name;
    }

    public AttributeType type() {
        return type;
    }

    public boolean multiValued() {
        return multiValued;
    }

    public String description() {
        return description;
    }

    public boolean required() {
        return required;
    }

    public boolean caseExact() {
        return caseExact;
    }

    /**
     * True when the values are ids of this server's resources: UUIDs, written in lower case, whose
     * text a client may send in any case (RFC 9562 §4).
     */
    public boolean holdsResourceIds() {
        return holdsResourceIds;
    }

    public Mutability mutability() {
        return mutability;
    }

    public Returned returned() {
        return returned;
    }

    public Uniqueness uniqueness() {
        return uniqueness;
    }

    public List<String> canonicalValues() {
        return canonicalValues;
    }

    public List<String> referenceTypes() {
        return referenceTypes;
    }

    public List<AttributeDef> subAttributes() {
        return subAttributes;
    }

    public boolean isComplex() {
        return type == AttributeType.COMPLEX;
    }

    /** Sub-attribute by name in any letter case, or null. */
    public AttributeDef subAttribute(String anyCaseName) {
        return subByLowerName.get(CaseFold.lower(anyCaseName));
    }

    /** True when clients can never set this attribute (the server owns it). */
    public boolean isReadOnly() {
        return mutability == Mutability.READ_ONLY;
    }

    @Override
    public String toString() {
        return name;
    }

    public static final class Builder {
        private final String name;
        private final AttributeType type;
        private boolean multiValued;
        private String description = "";
        private boolean required;
        private boolean caseExact;
        private boolean holdsResourceIds;
        private Mutability mutability = Mutability.READ_WRITE;
        private Returned returned = Returned.DEFAULT;
        private Uniqueness uniqueness = Uniqueness.NONE;
        private List<String> canonicalValues = List.of();
        private List<String> referenceTypes = List.of();
        private List<AttributeDef> subAttributes = List.of();

        private Builder(String name, AttributeType type) {
            this.name = name;
            this.type = type;
        }

        public Builder multiValued() {
            this.multiValued = true;
            return this;
        }

        public Builder description(String description) {
            this.description = description;
            return this;
        }

        public Builder required() {
            this.required = true;
            return this;
        }

        public Builder caseExact() {
            this.caseExact = true;
            return this;
        }

        public Builder holdsResourceIds() {
            this.holdsResourceIds = true;
            return this;
        }

        public Builder mutability(Mutability mutability) {
            this.mutability = mutability;
            return this;
        }

        public Builder returned(Returned returned) {
            this.returned = returned;
            return this;
        }

        public Builder uniqueness(Uniqueness uniqueness) {
            this.uniqueness = uniqueness;
            return this;
        }

        public Builder canonicalValues(String... values) {
            this.canonicalValues = List.of(values);
            return this;
        }

        public Builder referenceTypes(String... types) {
            this.referenceTypes = List.of(types);
            return this;
        }

        public Builder subAttributes(AttributeDef... subs) {
            this.subAttributes = List.of(subs);
            return this;
        }

        public AttributeDef build() {
            return new AttributeDef(this);
        }
    }
}
