package io.hanzo.kms.scim.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hanzo.kms.scim.protocol.resource.ResourceMeta;

import java.time.Instant;
import java.util.UUID;

/**
 * A stored SCIM Group without its members, which are rows of their own. {@code attributes} is the
 * canonical form (displayName, externalId) and is never mutated once the row exists.
 */
public record GroupRow(UUID orgId, UUID id, ObjectNode attributes, long version, Instant created, Instant lastModified) {

    public String displayName() {
        return attributes.path("displayName").asText();
    }

    public String externalId() {
        return attributes.hasNonNull("externalId") ? attributes.get("externalId").asText() : null;
    }

    public ResourceMeta meta() {
        return new ResourceMeta(id.toString(), created, lastModified, version);
    }
}
