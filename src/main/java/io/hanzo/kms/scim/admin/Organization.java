package io.hanzo.kms.scim.admin;

import java.time.Instant;
import java.util.UUID;

/**
 * @param defaultRole the role of members whose groups map to none
 * @param updatedAt   the time of the latest change, which every change moves on: it orders the versions of the row
 */
public record Organization(UUID id, String name, Plan plan, boolean scimEnabled, Role defaultRole, Instant createdAt,
                           Instant updatedAt) {

    /** The switch changed; the store gives the written row its time. */
    public Organization withScimEnabled(boolean enabled) {
        return new Organization(id, name, plan, enabled, defaultRole, createdAt, updatedAt);
    }

    /** The plan changed: on a plan without SCIM, provisioning is switched off. The store gives the written row its time. */
    public Organization withPlan(Plan newPlan) {
        return new Organization(id, name, newPlan, scimEnabled && newPlan.includesScim(), defaultRole, createdAt, updatedAt);
    }
}
