package io.hanzo.kms.scim.admin;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Organisations in the numbers a SaaS has, for tests of what walks all of them. */
public final class ManyOrganizations {
    private ManyOrganizations() {
    }

    /** {@code count} organisations with SCIM on, each with an id of its own. */
    public static List<Organization> of(int count) {
        List<Organization> orgs = new ArrayList<>(count);
        Instant now = Instant.now();
        for (int i = 0; i < count; i++) {
            orgs.add(new Organization(UUID.randomUUID(), "Org " + i, Plan.PRO, true, Role.MEMBER, now, now));
        }
        return orgs;
    }
}
