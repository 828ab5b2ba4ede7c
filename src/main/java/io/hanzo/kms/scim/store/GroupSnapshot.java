package io.hanzo.kms.scim.store;

import java.util.List;
import java.util.UUID;

/** A group and its members as one database snapshot showed them. */
public record GroupSnapshot(GroupRow row, List<UUID> members) {
}
