package io.hanzo.kms.scim.protocol.schema;

import io.hanzo.kms.scim.protocol.CaseFold;
import static io.hanzo.kms.scim.protocol.schema.AttributeType.DATE_TIME;
import static io.hanzo.kms.scim.protocol.schema.AttributeType.REFERENCE;
import static io.hanzo.kms.scim.protocol.schema.AttributeType.STRING;

import java.util.List;
import java.util.Locale;

/** RFC 7643 §3.1 attributes that every resource has outside its schemas: id, externalId, meta. */
public final class CommonAttributes {
    public static final AttributeDef ID = AttributeDef.builder("id", STRING)
            .description("Unique identifier of the resource, assigned by the service provider.")
            .caseExact().holdsResourceIds().mutability(Mutability.READ_ONLY).returned(Returned.ALWAYS)
            .uniqueness(Uniqueness.SERVER)
            .build();
    public static final AttributeDef EXTERNAL_ID = AttributeDef.builder("externalId", STRING)
            .description("Identifier of the resource as defined by the provisioning client.")
            .caseExact().build();
    public static final AttributeDef META = AttributeDef.builder("meta", AttributeType.COMPLEX)
            .description("Resource metadata.")
            .mutability(Mutability.READ_ONLY)
            .subAttributes(
                    AttributeDef.builder("resourceType", STRING).caseExact().mutability(Mutability.READ_ONLY).build(),
                    AttributeDef.builder("created", DATE_TIME).mutability(Mutability.READ_ONLY).build(),
                    AttributeDef.builder("lastModified", DATE_TIME).mutability(Mutability.READ_ONLY).build(),
                    AttributeDef.builder("location", REFERENCE).caseExact().referenceTypes("uri")
                            .mutability(Mutability.READ_ONLY).build(),
                    AttributeDef.builder("version", STRING).caseExact().mutability(Mutability.READ_ONLY).build())
            .build();

    private static final List<AttributeDef> ALL = List.of(ID, EXTERNAL_ID, META);
    /** ALL's names in lower case, folded once: every filter and projection looks names up here. */
    private static final List<String> LOWER_NAMES = ALL.stream().map(a -> a.name().toLowerCase(Locale.ROOT)).toList();

    private CommonAttributes() {
    }

    public static List<AttributeDef> all() {
        return ALL;
    }

    /** Common attribute by name in any letter case, or null. */
    public static AttributeDef attribute(String anyCaseName) {
        return attributeByLowerName(CaseFold.lower(anyCaseName));
    }

    /** Common attribute by its name already lower-cased by {@link CaseFold#lower}, or null. */
    public static AttributeDef attributeByLowerName(String lower) {
        for (int i = 0; i < ALL.size(); i++) {
            if (LOWER_NAMES.get(i).equals(lower)) {
                return ALL.get(i);
            }
        }
        return null;
    }
}
