package io.hanzo.kms.scim.protocol;

/** Schema and message URNs defined by RFC 7643 and RFC 7644. */
public final class ScimUris {
    public static final String CORE_USER = "urn:ietf:params:scim:schemas:core:2.0:User";
    public static final String CORE_GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
    public static final String ENTERPRISE_USER = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
    /** Every message URN of RFC 7644 (ListResponse, PatchOp, Error, SearchRequest, BulkRequest...) starts so. */
    public static final String MESSAGES_PREFIX = "urn:ietf:params:scim:api:messages:2.0:";
    public static final String LIST_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
    public static final String PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
    public static final String ERROR = "urn:ietf:params:scim:api:messages:2.0:Error";
    public static final String SEARCH_REQUEST = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";
    public static final String SERVICE_PROVIDER_CONFIG = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
    public static final String RESOURCE_TYPE = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
    public static final String SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Schema";

    private ScimUris() {
    }

    /**
     * Whether the URN is one of the resource schemas or messages RFC 7643/7644 define: never a
     * client's own extension, so a resource type that does not serve it was not what the client meant.
     */
    public static boolean definedByTheRfcs(String urn) {
        return urn.equalsIgnoreCase(CORE_USER) || urn.equalsIgnoreCase(CORE_GROUP)
                || urn.equalsIgnoreCase(ENTERPRISE_USER) || urn.regionMatches(true, 0, MESSAGES_PREFIX, 0, MESSAGES_PREFIX.length());
    }
}
