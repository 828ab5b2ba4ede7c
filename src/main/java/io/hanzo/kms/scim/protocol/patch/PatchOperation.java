package io.hanzo.kms.scim.protocol.patch;

import com.fasterxml.jackson.databind.JsonNode;
import io.hanzo.kms.scim.protocol.filter.PatchPath;

/**
 * One entry of a PATCH request's {@code Operations}.
 *
 * @param op    what to do
 * @param path  where, or null when the target is the resource itself
 * @param value the value as the client sent it; null when the client sent none. A JSON null is kept
 *              as {@code NullNode}: for {@code replace} it clears the target.
 */
public record PatchOperation(PatchOp op, PatchPath path, JsonNode value) {
}
