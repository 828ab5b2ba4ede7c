package io.hanzo.kms.scim.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hanzo.kms.scim.protocol.Json;

import java.time.Instant;
import java.util.UUID;

/**
 * A user as read from the database for loading, its attributes still JSON text: parsing them is the
 * costly part of loading, and is left to whoever can do it off the event loop.
 */
public record StoredUser(UUID orgId, UUID id, String attributes, long version, Instant created, Instant lastModified) {

    public UserRow parse() {
        ObjectNode a = (ObjectNode) Json.parse(attributes);
        return new UserRow(orgId, id, a, version, created, lastModified);
    }
}
