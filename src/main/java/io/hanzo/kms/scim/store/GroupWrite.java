package io.hanzo.kms.scim.store;

import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * What a committed group write did: the group as it now is, and the net membership change.
 *
 * @param skipped member ids the request named that are not users of the organisation
 * @param written  false when the write changed nothing: the row is the group as it was, at the
 *                 version the database held, with no membership change
 */
public record GroupWrite(GroupRow row, Set<UUID> added, Set<UUID> removed, List<String> skipped, boolean written) {
}
