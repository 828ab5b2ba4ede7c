package io.hanzo.kms.scim.protocol.schema;

import static io.hanzo.kms.scim.protocol.schema.AttributeType.COMPLEX;
import static io.hanzo.kms.scim.protocol.schema.AttributeType.REFERENCE;
import static io.hanzo.kms.scim.protocol.schema.AttributeType.STRING;

import io.hanzo.kms.scim.protocol.ScimUris;

import java.util.List;
import java.util.Map;

/** The core Group schema (RFC 7643 §4.2 and §8.7.1). Members are people only: no nested groups. */
public final class GroupSchemas {

    public static final AttributeDef MEMBERS = AttributeDef.builder("members", COMPLEX).multiValued()
            .description("The people in the group. Changed with PATCH add/remove in proportion to the change.")
            .subAttributes(
                    AttributeDef.builder("value", STRING).caseExact().holdsResourceIds().mutability(Mutability.IMMUTABLE)
                            .description("The id of a User of the organisation.").build(),
                    AttributeDef.builder("$ref", REFERENCE).referenceTypes("User").mutability(Mutability.IMMUTABLE)
                            .description("The URI of the User.").build(),
                    AttributeDef.builder("display", STRING).mutability(Mutability.READ_ONLY)
                            .description("The member's displayName, or userName when it has none.").build(),
                    AttributeDef.builder("type", STRING).canonicalValues("User").mutability(Mutability.IMMUTABLE)
                            .description("The kind of member; always User.").build())
            .build();

    public static final Schema CORE = new Schema(ScimUris.CORE_GROUP, "Group", "Group", List.of(
            AttributeDef.builder("displayName", STRING).required().uniqueness(Uniqueness.SERVER)
                    .description("Name of the group, unique per organisation in any letter case.").build(),
            MEMBERS));

    public static final ResourceType GROUP = new ResourceType("Group", "/Groups", "Group", CORE, List.of(),
            Map.of("member", "members"));

    private GroupSchemas() {
    }
}
