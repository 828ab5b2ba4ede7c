package io.hanzo.kms.scim.index;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hanzo.kms.scim.store.GroupRow;

/**
 * A group as the index keeps it: the stored row and its representation without members, which are
 * kept apart in {@link GroupIndex} and streamed when asked for.
 */
public record IndexedGroup(GroupRow row, ObjectNode resource) {
}
