package io.hanzo.kms.scim.store;

/**
 * Who asked for a write and how, recorded as a provisioning event in the same transaction as the
 * write itself.
 *
 * @param tokenId   the SCIM token of the request, or null
 * @param operation such as {@code PATCH /Groups} or {@code POST /Bulk}
 */
public record Audit(java.util.UUID tokenId, String operation) {
}
