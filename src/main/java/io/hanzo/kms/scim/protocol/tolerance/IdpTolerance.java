package io.hanzo.kms.scim.protocol.tolerance;

import java.util.List;

/**
 * Every request form this server accepts although RFC 7643/7644 does not ask it to, each named once,
 * with the identity providers that send it and the test that proves it is accepted. The code that
 * tolerates a form asks its constant here ({@link #accepted()}) before doing so, so a new IdP habit
 * is one new constant and one call site, and a habit found harmful is switched off in one place.
 *
 * <p>Each tolerance is taken only where the request has one sensible meaning; anything ambiguous is
 * still refused with a precise RFC 7644 error. {@code docs/idp-compatibility.md} lists the same
 * entries for administrators, and {@code IdpToleranceTest} checks that the two, the call sites and the
 * named tests stay in step.
 */
public enum IdpTolerance {
    // --- HTTP surface -----------------------------------------------------------------------------

    ENDPOINT_NAME_ANY_CASE(
            "Resource endpoints in any letter case: /users, /GROUPS, /bulk, /schemas, /serviceproviderconfig,"
                    + " /resourcetypes, /users/.search. Location and meta.location keep the canonical spelling.",
            "RFC 7644 §3.2 (endpoint names); RFC 3986 §6.2.2.1 (paths are case-sensitive)",
            List.of("SCIM validators", "home-grown scripts"),
            "it.IdpEdgesIT#endpointNamesMatchInAnyLetterCase"),

    DOUBLED_SLASHES(
            "A base URL saved with a trailing slash, so that /scim//Users arrives; routed as /scim/Users.",
            "RFC 3986 §3.3",
            List.of("PingOne", "PingFederate", "OneLogin"),
            "it.ProtocolEdgesIT#doubledSlashesAreRoutedAsSingleOnes"),

    ANY_JSON_REQUEST_MEDIA_TYPE(
            "A request body is read as JSON whether its Content-Type is application/scim+json or"
                    + " application/json, with or without a charset parameter, or missing.",
            "RFC 7644 §3.8 (application/scim+json)",
            List.of("Microsoft Entra ID", "Keycloak SCIM client", "authentik (none in older releases)", "Okta (charset parameter)"),
            "it.IdpEdgesIT#bothJsonMediaTypesWithAndWithoutCharsetAreAccepted"),

    // --- Filters ----------------------------------------------------------------------------------

    FILTER_UNQUOTED_STRING(
            "A filter value that is a bare word (userName eq jane@acme.com) is taken as a string; one that"
                    + " reads as a number (externalId eq 1E3) is, compared with a string attribute, the text as sent.",
            "RFC 7644 §3.4.2.2 (compValue is a JSON string, number, boolean or null)",
            List.of("Microsoft Entra ID", "PingFederate"),
            "protocol.filter.FilterParserTest#unquotedValuesAreStrings"),

    FILTER_COMPARISON_AFTER_VALUE_FILTER(
            "A comparison after a value filter, emails[type eq \"work\"].value eq \"x\", is read as"
                    + " emails[type eq \"work\" and value eq \"x\"].",
            "RFC 7644 §3.4.2.2 (valuePath has no trailing sub-attribute in filters)",
            List.of("Microsoft Entra ID"),
            "protocol.filter.FilterParserTest#comparisonAfterAValueFilterIsFoldedIntoIt"),

    SINGULAR_ATTRIBUTE_ALIASES(
            "The singular names email, phoneNumber and address stand for emails, phoneNumbers and addresses,"
                    + " and member for members, alone or after the core schema's URN, in filters, sortBy,"
                    + " attributes and PATCH paths (email.value Eq \"%s\").",
            "RFC 7643 §4.1.2 (the attributes are plural)",
            List.of("PingOne"),
            "it.UsersListIT#filtersIdentityProvidersSend"),

    // --- PATCH ------------------------------------------------------------------------------------

    PATCH_OP_ANY_CASE(
            "PATCH \"op\" in any letter case: \"Replace\", \"Add\", \"REMOVE\".",
            "RFC 7644 §3.5.2 (op is \"add\", \"remove\" or \"replace\")",
            List.of("Microsoft Entra ID", "JumpCloud"),
            "it.UsersPatchIT#operationNamesInAnyLetterCase"),

    PATCH_WITHOUT_SCHEMAS(
            "A PATCH body without \"schemas\" is read as a PatchOp request.",
            "RFC 7644 §3.5.2 (schemas is required)",
            List.of("home-grown scripts"),
            "protocol.patch.PatchRequestTest#matchesKeyNamesInAnyCaseAndAcceptsAMissingSchemas"),

    PATCH_BLANK_PATH(
            "An empty \"path\" means no path: the operation applies to the resource.",
            "RFC 7644 §3.5.2 (path is optional, not empty)",
            List.of("home-grown scripts"),
            "protocol.patch.PatchRequestTest#treatsABlankPathAsNoPath"),

    PATCH_EXTENSION_PATH_DOT_SEPARATOR(
            "A path naming an extension attribute by its full URN with '.' before the attribute"
                    + " (urn:...:enterprise:2.0:User.department) means the ':' form.",
            "RFC 7644 §3.10 (the URN and the attribute are joined by ':')",
            List.of("OneLogin", "home-grown scripts"),
            "it.IdpEdgesIT#extensionPathsByFullUrnWithColonOrDot"),

    PATCH_PATHLESS_VALUE_WITH_PATH_KEYS(
            "A path-less add or replace whose value object has keys that are paths: \"name.givenName\","
                    + " \"urn:...:enterprise:2.0:User:department\".",
            "RFC 7644 §3.5.2.1/§3.5.2.3 (keys of a path-less value are attribute names)",
            List.of("Microsoft Entra ID"),
            "it.UsersPatchIT#entraPathlessReplaceWithPathKeys"),

    PATCH_PATHLESS_SKIPS_READ_ONLY_AND_UNKNOWN(
            "A path-less value that echoes id, meta, schemas or unknown keys: those keys are skipped"
                    + " instead of refusing the whole request.",
            "RFC 7644 §3.5.2 (a read-only attribute is a 400 mutability)",
            List.of("Okta", "authentik"),
            "it.GroupsPatchIT#oktaRenameWithPathlessReplaceIgnoresId"),

    PATCH_PATH_INTO_UNKNOWN_EXTENSION_SKIPPED(
            "An operation whose path names an attribute, sub-attribute or value filter of an extension schema"
                    + " the server does not serve (urn:...:CustomExtensionName:2.0:User:CustomAttribute) changes"
                    + " nothing, and the request's other operations apply, as when a POST or PUT body holds the"
                    + " same attribute. An unknown attribute of a schema the server serves (a misspelt path) and a"
                    + " path into another resource type's schema are still refused.",
            "RFC 7644 §3.5.2 (a path naming no attribute is a 400 invalidPath)",
            List.of("Microsoft Entra ID"),
            "it.UsersPatchIT#entraDeactivatesInTheSamePatchAsACustomExtensionAttribute"),

    PATCH_FILTER_CREATES_MISSING_VALUE(
            "add or replace through an equality filter that matches no value, such as"
                    + " emails[type eq \"work\"].value, creates the value the filter describes.",
            "RFC 7644 §3.5.2.3 (no match is a 400 noTarget)",
            List.of("Microsoft Entra ID"),
            "it.UsersPatchIT#addToTheWorkEmailCreatesItWhenThereIsNone"),

    PATCH_REMOVE_WITH_VALUE(
            "remove with a path to a multi-valued attribute and a value list removes just those values:"
                    + " {\"op\":\"remove\",\"path\":\"members\",\"value\":[{\"value\":\"id\"}]}. On a"
                    + " single-valued attribute the value goes only when it is the value held (a manager by its"
                    + " \"value\"), so removing an old manager keeps a new one.",
            "RFC 7644 §3.5.2.2 (remove takes no value; values are chosen by a filter)",
            List.of("Microsoft Entra ID", "JumpCloud", "authentik", "OneLogin"),
            "it.GroupsPatchIT#entraRemoveWithValueListAndAddWithNullRef"),

    PATCH_REMOVING_VALUE_DROPS_THE_ENTRY(
            "remove of emails[type eq \"work\"].value removes the whole email, not just its value: an"
                    + " entry without its value means nothing.",
            "RFC 7644 §3.5.2.2 (only the named sub-attribute is removed)",
            List.of("Microsoft Entra ID"),
            "protocol.patch.PatchEngineTest#removingTheValueSubAttributeRemovesTheWholeValue"),

    PATCH_REMOVE_OF_NOTHING_SUCCEEDS(
            "remove through a filter that matches nothing succeeds and changes nothing.",
            "RFC 7644 §3.5.2.2 (no match is a 400 noTarget)",
            List.of("Okta", "Microsoft Entra ID"),
            "protocol.patch.PatchEngineTest#removeMatchingNothingSucceedsWithoutChange"),

    // --- Values -----------------------------------------------------------------------------------

    BOOLEAN_AS_STRING(
            "A boolean written as the string \"True\", \"false\" and so on.",
            "RFC 7643 §2.3.2 (booleans are JSON true or false)",
            List.of("Microsoft Entra ID", "OneLogin"),
            "it.UsersPatchIT#entraDisablesWithFalseAsAString"),

    SEVERAL_PRIMARY_VALUES(
            "Several values of one attribute marked primary: the first keeps the mark.",
            "RFC 7643 §2.4 (primary at most once)",
            List.of("PingOne"),
            "it.UsersCrudIT#twoPrimaryEmailsKeepExactlyOnePrimary"),

    SCALAR_FOR_COMPLEX_VALUE(
            "A bare value where a complex value is expected stands for its \"value\" sub-attribute:"
                    + " \"emails\": [\"a@x\"], a manager given as its id, a group's \"members\": [\"<id>\"]"
                    + " (a member only as a string: a bare number, boolean or null is refused).",
            "RFC 7643 §2.3.8 (complex values are objects)",
            List.of("Microsoft Entra ID", "home-grown scripts"),
            "protocol.patch.PatchEngineTest#managerGivenAsAnIdOrAsSubAttribute"),

    SINGLE_VALUE_FOR_MULTI_VALUED(
            "A single value where an array is expected stands for an array of one: \"emails\": \"a@x\","
                    + " members {\"value\": \"id\"} without the brackets.",
            "RFC 7643 §2.4 (multi-valued attributes are JSON arrays)",
            List.of("home-grown scripts", "SCIM client libraries"),
            "it.GroupsPatchIT#addWithSingleMemberObjectAsValue"),

    ARRAY_OF_ONE_FOR_SINGLE_VALUE(
            "A one-element array for a single-valued attribute stands for its element.",
            "RFC 7643 §2.4 (single-valued attributes are not arrays)",
            List.of("home-grown scripts"),
            "it.IdpEdgesIT#singleValuedAttributeGivenAsArrayOfOne"),

    RESOURCE_WITHOUT_CORE_SCHEMA(
            "A POST or PUT body whose \"schemas\" is missing or leaves out the resource's core schema is read"
                    + " as the endpoint's resource (a body that lists another resource type's schema is refused).",
            "RFC 7644 §3.3 and §3.5.1 (schemas is required and lists the core schema)",
            List.of("home-grown scripts", "SCIM client libraries"),
            "it.UsersCrudIT#aBodyWithoutTheCoreSchemaIsReadAsTheEndpointsResource"),

    CORE_ATTRIBUTES_UNDER_THE_CORE_URN(
            "A POST or PUT body (in /Bulk too) that puts core attributes in an object named by the core schema's"
                    + " URN, as extension attributes are written: {\"urn:...:core:2.0:User\": {\"userName\": \"bob\"}}."
                    + " Its members are read as top-level attributes; one given both there and at the top level is"
                    + " refused.",
            "RFC 7643 §3 (core attributes are members of the resource; only extensions are objects named by their URN)",
            List.of("home-grown scripts", "SCIM client libraries"),
            "it.UsersCrudIT#coreAttributesInAnObjectNamedByTheCoreSchemaAreRead"),

    PUT_WITHOUT_ACTIVE_KEEPS_ACTIVE(
            "A PUT that leaves out \"active\" keeps the user's current state instead of re-enabling them.",
            "RFC 7644 §3.5.1 (PUT replaces every attribute the client may set)",
            List.of("PingOne", "OneLogin"),
            "it.UsersCrudIT#putWithoutActiveKeepsADisabledUserDisabled"),

    // --- Lists and Bulk ---------------------------------------------------------------------------

    SEARCH_NAMES_AS_ONE_STRING(
            "attributes/excludedAttributes of a SearchRequest as one comma-separated string, and"
                    + " startIndex/count as numeric strings.",
            "RFC 7644 §3.4.3 (arrays of strings; integers)",
            List.of("home-grown scripts"),
            "it.SearchIT#countGivenAsNumericStringIsAccepted"),

    BULK_FAIL_ON_ERRORS_ZERO(
            "\"failOnErrors\": 0 in a Bulk request means no limit, as an absent value does.",
            "RFC 7644 §3.7.3 (failOnErrors is a positive integer)",
            List.of("SCIM client libraries that write an unset integer as 0"),
            "it.IdpEdgesIT#bulkFailOnErrorsZeroMeansNoLimit");

    private final String form;
    private final String rfc;
    private final List<String> idps;
    private final String proof;
    private final boolean accepted;

    IdpTolerance(String form, String rfc, List<String> idps, String proof) {
        this.form = form;
        this.rfc = rfc;
        this.idps = List.copyOf(idps);
        this.proof = proof;
        this.accepted = true;
    }

    /** Whether the server accepts this form; every entry is on today, and turning one off is this one line. */
    public boolean accepted() {
        return accepted;
    }

    /** What the client sends and what it is taken to mean. */
    public String form() {
        return form;
    }

    /** The part of RFC 7643/7644 the form departs from. */
    public String rfc() {
        return rfc;
    }

    /** Who is known to send it. */
    public List<String> idps() {
        return idps;
    }

    /** The test that proves it, as {@code package.Class#method} under {@code io.hanzo.kms.scim}. */
    public String proof() {
        return proof;
    }
}
