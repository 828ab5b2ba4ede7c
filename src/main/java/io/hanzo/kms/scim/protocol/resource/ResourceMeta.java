package io.hanzo.kms.scim.protocol.resource;

import java.time.Instant;

/**
 * What the server knows of a resource besides its attributes.
 *
 * @param version increases by one with every change; rendered as the weak ETag {@code W/"n"}
 */
public record ResourceMeta(String id, Instant created, Instant lastModified, long version) {

    public String etag() {
        return "W/\"" + version + "\"";
    }
}
