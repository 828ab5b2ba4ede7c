package io.hanzo.kms.scim.protocol.bulk;

import com.fasterxml.jackson.databind.JsonNode;
import io.hanzo.kms.scim.protocol.ScimException;

/**
 * One operation of a bulk request (RFC 7644 §3.7).
 *
 * @param index   its position in the request, from 0
 * @param method  POST, PUT, PATCH or DELETE in upper case; null when the client's was unusable
 * @param path    such as {@code /Users} or {@code /Groups/bulkId:g1}
 * @param data    the body the same request would have outside a bulk; null for DELETE
 * @param invalid why the operation cannot run at all, or null
 */
public record BulkOperation(int index, String method, String bulkId, String version, String path, JsonNode data,
                            ScimException invalid) {

    public boolean isCreate() {
        return "POST".equals(method);
    }

    public BulkOperation with(String newPath, JsonNode newData) {
        return new BulkOperation(index, method, bulkId, version, newPath, newData, invalid);
    }
}
