package io.hanzo.kms.scim.service;

import io.hanzo.kms.scim.protocol.ScimException;
import io.hanzo.kms.scim.protocol.bulk.BulkOperation;

/**
 * What one bulk operation did.
 *
 * @param id       id of the resource created or changed, or null
 * @param location the URL of the resource created or addressed, also when the operation failed; null
 *                 for a failed POST and for a path that names no one resource
 * @param version  its ETag after the change, or null
 * @param error    the failure, or null on success
 */
public record BulkResult(BulkOperation operation, int status, String id, String location, String version,
                         ScimException error) {

    public boolean failed() {
        return error != null;
    }

    static BulkResult failure(BulkOperation op, String location, ScimException e) {
        return new BulkResult(op, e.status(), null, location, null, e);
    }
}
