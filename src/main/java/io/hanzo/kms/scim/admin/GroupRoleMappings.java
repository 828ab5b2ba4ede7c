package io.hanzo.kms.scim.admin;

import io.hanzo.kms.scim.protocol.CaseFold;
import io.hanzo.kms.scim.store.MemberStore;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * An organisation's group role mappings as of one version of the organisation: its updatedAt, which
 * every replacement of the mappings moves on, so that of two sets the later version is the one in force.
 *
 * @param asWritten    group name as the admin wrote it, to role
 * @param byFoldedName the same keyed by the folded name: group names match in any letter case
 */
record GroupRoleMappings(Instant version, Map<String, Role> asWritten, Map<String, Role> byFoldedName) {

    static GroupRoleMappings of(Instant version, Map<String, Role> asWritten) {
        Map<String, Role> folded = new HashMap<>();
        asWritten.forEach((group, role) -> folded.put(CaseFold.lowerValue(group), role));
        return new GroupRoleMappings(version, Map.copyOf(asWritten), Map.copyOf(folded));
    }

    static GroupRoleMappings of(MemberStore.RoleMappings stored) {
        Map<String, Role> asWritten = new HashMap<>();
        stored.byGroup().forEach((group, role) -> asWritten.put(group, Role.fromWireName(role)));
        return of(stored.version(), asWritten);
    }

    /** Of a set cached and one read or written since, the later version; the one given second on a tie. */
    static GroupRoleMappings later(GroupRoleMappings mine, GroupRoleMappings theirs) {
        return theirs.version().isBefore(mine.version()) ? mine : theirs;
    }
}
