package io.hanzo.kms.scim.index;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hanzo.kms.scim.store.UserRow;

/**
 * A user as the index keeps it: the stored row and the full representation clients receive, rendered
 * once per change rather than once per read. Neither is ever mutated.
 */
public record IndexedUser(UserRow row, ObjectNode resource, byte[] json) {
}
