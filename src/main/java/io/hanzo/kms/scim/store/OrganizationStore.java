package io.hanzo.kms.scim.store;

import io.hanzo.kms.scim.admin.Organization;
import io.vertx.core.Future;

import java.util.List;
import java.util.UUID;

public interface OrganizationStore {
    Future<Organization> insert(Organization org);

    /** Writes name, plan and the SCIM switch. */
    Future<Organization> update(Organization org);

    /** The organisation, or null. */
    Future<Organization> find(UUID id);

    /** Every organisation: read once at start-up to warm the caches. */
    Future<List<Organization>> all();
}
