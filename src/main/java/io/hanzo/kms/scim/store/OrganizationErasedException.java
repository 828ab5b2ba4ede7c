package io.hanzo.kms.scim.store;

import java.util.UUID;

/**
 * A write reached an organisation that is being erased, through an instance that had not heard of the
 * erasure yet: nothing of it was written. Its caller is answered as if the organisation had never
 * been known (a SCIM token as unknown, an admin request with 404).
 */
public final class OrganizationErasedException extends RuntimeException {
    private final UUID orgId;

    public OrganizationErasedException(UUID orgId) {
        super("Organization " + orgId + " is being erased", null, false, false);
        this.orgId = orgId;
    }

    public UUID orgId() {
        return orgId;
    }
}
