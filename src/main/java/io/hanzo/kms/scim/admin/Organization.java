package io.hanzo.kms.scim.admin;

import java.time.Instant;
import java.util.UUID;

public record Organization(UUID id, String name, Plan plan, boolean scimEnabled, Instant createdAt, Instant updatedAt) {

    public Organization withScimEnabled(boolean enabled, Instant at) {
        return new Organization(id, name, plan, enabled, createdAt, at);
    }
}
