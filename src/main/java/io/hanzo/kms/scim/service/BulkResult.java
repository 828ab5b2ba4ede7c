package io.hanzo.kms.scim.service;

import io.hanzo.kms.scim.protocol.ScimException;
import io.hanzo.kms.scim.protocol.bulk.BulkOperation;

/**
 * What one bulk operation did.
 *
 * @param id       id of the resource created or changed, or null
 * @param location its URL, or null
 * @param version  its ETag after the change, or null
 * @param error    the failure, or null on success
 */
public record BulkResult(BulkOperation operation, int status, String id, String location, String version,
                         ScimException error) {

    public boolean failed() {
        return error != null;
    }

    static BulkResult failure(BulkOperation op, ScimException e) {
        return new BulkResult(op, e.status(), null, null, null, e);
    }
}
