package io.hanzo.kms.scim.store;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.util.Set;
import java.util.UUID;

/**
 * One committed change from the change feed: a user or a group as a write left it (with a group's net
 * member delta), or a deletion.
 *
 * @param version    the resource's version after the change; for a deletion, the deleted version plus one
 * @param attributes null for a deletion
 * @param at         when the change was written, moments before it committed
 */
public record ResourceChange(UUID orgId, Kind kind, UUID id, long version, ObjectNode attributes, Instant created,
                             Instant lastModified, Set<UUID> added, Set<UUID> removed, Instant at) {

    public enum Kind {
        USER("user"), USER_DELETED("user-deleted"), GROUP("group"), GROUP_DELETED("group-deleted");

        private final String wireName;

        Kind(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }

        public static Kind fromWireName(String s) {
            for (Kind k : values()) {
                if (k.wireName.equals(s)) {
                    return k;
                }
            }
            throw new IllegalArgumentException("Unknown change kind " + s);
        }
    }

    public UserRow userRow() {
        return new UserRow(orgId, id, attributes, version, created, lastModified);
    }

    public GroupRow groupRow() {
        return new GroupRow(orgId, id, attributes, version, created, lastModified);
    }
}
