package io.hanzo.kms.scim.admin;

import java.time.Instant;
import java.util.UUID;

/**
 * @param defaultRole the role of members whose groups map to none
 */
public record Organization(UUID id, String name, Plan plan, boolean scimEnabled, Role defaultRole, Instant createdAt,
                           Instant updatedAt) {

    public Organization withScimEnabled(boolean enabled, Instant at) {
        return new Organization(id, name, plan, enabled, defaultRole, createdAt, at);
    }

    /** On a plan without SCIM, provisioning is switched off. */
    public Organization withPlan(Plan newPlan, Instant at) {
        return new Organization(id, name, newPlan, scimEnabled && newPlan.includesScim(), defaultRole, createdAt, at);
    }

    public Organization withDefaultRole(Role role, Instant at) {
        return new Organization(id, name, plan, scimEnabled, role, createdAt, at);
    }
}
