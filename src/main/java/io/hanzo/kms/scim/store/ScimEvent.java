package io.hanzo.kms.scim.store;

import java.time.Instant;
import java.util.UUID;

/**
 * One provisioning event: a SCIM request that changed state, or one that was refused.
 *
 * @param outcome {@code success} or {@code refused}
 * @param detail  the refusal's reason, or what a success skipped; null when there is nothing to say. For
 *                refusals counted past the organisation's budget, one event with the latest one's fields
 *                says here how many there were and why the latest was refused
 */
public record ScimEvent(UUID orgId, UUID id, Instant at, UUID tokenId, String operation, String resourceType,
                        String resourceId, int status, String outcome, String detail) {
}
