package io.hanzo.kms.scim.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hanzo.kms.scim.protocol.resource.ResourceMeta;

import java.time.Instant;
import java.util.UUID;

/**
 * A stored SCIM User: one person's membership of one organisation. {@code attributes} is the canonical
 * form from {@link io.hanzo.kms.scim.protocol.resource.ResourceNormalizer} and is never mutated once
 * the row exists.
 */
public record UserRow(UUID orgId, UUID id, ObjectNode attributes, long version, Instant created, Instant lastModified) {

    public String userName() {
        return attributes.path("userName").asText();
    }

    public String externalId() {
        return attributes.hasNonNull("externalId") ? attributes.get("externalId").asText() : null;
    }

    public boolean active() {
        return attributes.path("active").asBoolean(true);
    }

    public ResourceMeta meta() {
        return new ResourceMeta(id.toString(), created, lastModified, version);
    }
}
