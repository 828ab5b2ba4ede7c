package io.hanzo.kms.scim.protocol.schema;

import static io.hanzo.kms.scim.protocol.schema.AttributeType.BINARY;
import static io.hanzo.kms.scim.protocol.schema.AttributeType.BOOLEAN;
import static io.hanzo.kms.scim.protocol.schema.AttributeType.COMPLEX;
import static io.hanzo.kms.scim.protocol.schema.AttributeType.REFERENCE;
import static io.hanzo.kms.scim.protocol.schema.AttributeType.STRING;

import io.hanzo.kms.scim.protocol.ScimUris;

import java.util.List;
import java.util.Map;

/** The core User schema and the enterprise extension, as RFC 7643 §4 and §8.7.1 define them. */
public final class UserSchemas {

    public static final Schema CORE = new Schema(ScimUris.CORE_USER, "User", "User Account", List.of(
            AttributeDef.builder("userName", STRING).required().uniqueness(Uniqueness.SERVER).returned(Returned.ALWAYS)
                    .description("Unique identifier for the User, used to sign in; unique per organisation in any letter case.")
                    .build(),
            AttributeDef.builder("name", COMPLEX).description("The components of the user's real name.")
                    .subAttributes(
                            string("formatted", "The full name, formatted for display."),
                            string("familyName", "The family name."),
                            string("givenName", "The given name."),
                            string("middleName", "The middle name(s)."),
                            string("honorificPrefix", "Honorific prefix, such as 'Ms.'."),
                            string("honorificSuffix", "Honorific suffix, such as 'III'."))
                    .build(),
            string("displayName", "The name of the User, suitable for display."),
            string("nickName", "The casual way to address the user."),
            AttributeDef.builder("profileUrl", REFERENCE).referenceTypes("external")
                    .description("A URI of the user's online profile.").build(),
            string("title", "The user's title, such as 'Vice President'."),
            string("userType", "The relationship between the organisation and the user."),
            string("preferredLanguage", "Preferred written or spoken language (RFC 7231 language tag)."),
            string("locale", "Default location for localising dates, currencies and the like."),
            string("timezone", "Time zone in the IANA database format, such as 'Europe/Berlin'."),
            AttributeDef.builder("active", BOOLEAN)
                    .description("Whether the membership is active; false deactivates it without deleting it.").build(),
            AttributeDef.builder("password", STRING).mutability(Mutability.WRITE_ONLY).returned(Returned.NEVER)
                    .description("Accepted for compatibility and discarded: this service never stores passwords.")
                    .build(),
            multiValued("emails", "Email addresses for the user.", "work", "home", "other"),
            multiValued("phoneNumbers", "Phone numbers for the user.", "work", "home", "mobile", "fax", "pager", "other"),
            multiValued("ims", "Instant messaging addresses for the user.",
                    "aim", "gtalk", "icq", "xmpp", "msn", "skype", "qq", "yahoo"),
            AttributeDef.builder("photos", COMPLEX).multiValued().description("URLs of photos of the user.")
                    .subAttributes(
                            AttributeDef.builder("value", REFERENCE).referenceTypes("external").description("URL of a photo.").build(),
                            string("display", "A label for display."),
                            AttributeDef.builder("type", STRING).canonicalValues("photo", "thumbnail").description("The kind of photo.").build(),
                            primary())
                    .build(),
            AttributeDef.builder("addresses", COMPLEX).multiValued().description("Physical mailing addresses.")
                    .subAttributes(
                            string("formatted", "The full mailing address."),
                            string("streetAddress", "The street address."),
                            string("locality", "The city or locality."),
                            string("region", "The state or region."),
                            string("postalCode", "The zip or postal code."),
                            string("country", "The country, as an ISO 3166-1 alpha-2 code."),
                            AttributeDef.builder("type", STRING).canonicalValues("work", "home", "other").description("The kind of address.").build(),
                            primary())
                    .build(),
            AttributeDef.builder("groups", COMPLEX).multiValued().mutability(Mutability.READ_ONLY)
                    .description("Groups the user belongs to directly; changed through the Group resource only.")
                    .subAttributes(
                            AttributeDef.builder("value", STRING).caseExact().holdsResourceIds()
                                    .mutability(Mutability.READ_ONLY).description("The group's id.").build(),
                            AttributeDef.builder("$ref", REFERENCE).referenceTypes("Group").mutability(Mutability.READ_ONLY)
                                    .description("The URI of the group.").build(),
                            AttributeDef.builder("display", STRING).mutability(Mutability.READ_ONLY).description("The group's displayName.").build(),
                            AttributeDef.builder("type", STRING).canonicalValues("direct", "indirect")
                                    .mutability(Mutability.READ_ONLY).description("How the user is a member.").build())
                    .build(),
            multiValued("entitlements", "Entitlements of the user."),
            multiValued("roles", "Roles of the user."),
            AttributeDef.builder("x509Certificates", COMPLEX).multiValued().description("Certificates of the user.")
                    .subAttributes(
                            AttributeDef.builder("value", BINARY).description("A DER-encoded certificate, base64.").build(),
                            string("display", "A label for display."),
                            string("type", "A label for the certificate's function."),
                            primary())
                    .build()));

    public static final Schema ENTERPRISE = new Schema(ScimUris.ENTERPRISE_USER, "EnterpriseUser", "Enterprise User", List.of(
            string("employeeNumber", "Identifier assigned by the organisation."),
            string("costCenter", "Name of a cost center."),
            string("organization", "Name of an organisation."),
            string("division", "Name of a division."),
            string("department", "Name of a department."),
            AttributeDef.builder("manager", COMPLEX).description("The user's manager.")
                    .subAttributes(
                            string("value", "The id of the manager's User."),
                            AttributeDef.builder("$ref", REFERENCE).referenceTypes("User").description("The URI of the manager's User.").build(),
                            AttributeDef.builder("displayName", STRING).mutability(Mutability.READ_ONLY)
                                    .description("The manager's displayName.").build())
                    .build()));

    public static final ResourceType USER = new ResourceType("User", "/Users", "User Account", CORE, List.of(ENTERPRISE),
            Map.of("email", "emails", "phonenumber", "phoneNumbers", "address", "addresses"));

    private UserSchemas() {
    }

    private static AttributeDef string(String name, String description) {
        return AttributeDef.builder(name, STRING).description(description).build();
    }

    private static AttributeDef primary() {
        return AttributeDef.builder("primary", BOOLEAN).description("Whether this is the preferred value.").build();
    }

    private static AttributeDef multiValued(String name, String description, String... canonicalTypes) {
        return AttributeDef.builder(name, COMPLEX).multiValued().description(description)
                .subAttributes(
                        string("value", "The value."),
                        string("display", "A label for display."),
                        AttributeDef.builder("type", STRING).canonicalValues(canonicalTypes).description("The kind of value.").build(),
                        primary())
                .build();
    }
}
