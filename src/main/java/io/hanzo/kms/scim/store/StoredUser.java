package io.hanzo.kms.scim.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hanzo.kms.scim.protocol.Json;

import java.time.Instant;
import java.util.UUID;

/**
 * A user as read from the database for loading, its attributes still JSON text (parsing them is the
 * costly part of loading), with what lookups need taken out of them by the database.
 *
 * @param displayName the displayName attribute, or null
 * @param emails      the values of the emails attribute, in order
 */
public record StoredUser(UUID orgId, UUID id, String attributes, long version, Instant created, Instant lastModified,
                         String userName, String externalId, String displayName, String[] emails) {

    public UserRow parse() {
        ObjectNode a = (ObjectNode) Json.parse(attributes);
        return new UserRow(orgId, id, a, version, created, lastModified);
    }
}
