package io.hanzo.kms.scim.store;

import io.vertx.core.Future;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/**
 * The KMS side of memberships: set-up state, the invitation outbox, key material, role mappings.
 */
public interface MemberStore {

    record MemberRow(UUID id, String userName, boolean active, String setupState) {
    }

    /** An invitation taken from the outbox, with the set-up token minted for it. */
    record Delivery(UUID invitationId, UUID userId, String userName, String token) {
    }

    /** A set-up token minted for an invitation: what is sent, and what is kept. */
    record MintedToken(String token, byte[] hash) {
    }

    /** Key material made on the person's device; the server stores it as opaque bytes. */
    record KeyMaterial(byte[] publicKey, byte[] encryptedPrivateKey, byte[] kdfSalt, String kdfParamsJson) {
    }

    /**
     * What the set-up page may learn of an invitation: whether set-up would be refused and why, and
     * otherwise whose it is and until when it works.
     */
    record InvitationView(SetupRefusal refusal, String userName, Instant expiresAt) {
    }

    /** Why a set-up was refused, or null on success. */
    enum SetupRefusal { UNKNOWN, USED, VOIDED, EXPIRED, MEMBERSHIP_GONE, DEACTIVATED, ALREADY_SET_UP }

    /** Members in id order after {@code after} (null for the first page), optionally of one set-up state. */
    Future<List<MemberRow>> page(UUID orgId, UUID after, String state, int limit);

    /** The member's set-up state and active flag, or null when there is no such member. */
    Future<MemberRow> find(UUID orgId, UUID userId);

    /**
     * Takes up to {@code limit} undelivered invitations (each by one instance only), mints their
     * tokens and marks them delivered, in one transaction; the caller then sends them.
     */
    Future<List<Delivery>> deliverPending(UUID orgId, int limit, Function<UUID, MintedToken> mint, Instant now,
                                          Instant expiresAt);

    /** Puts an invitation whose sending failed back into the outbox. */
    Future<Void> returnToOutbox(UUID orgId, UUID invitationId);

    /** Invitations of the organisation queued and not yet delivered. */
    Future<Long> outboxBacklog(UUID orgId);

    /** Voids the member's open invitations and queues a new one; returns its id. */
    Future<UUID> reissue(UUID orgId, UUID userId, Instant now);

    /**
     * Completes set-up: checks the invitation (token hash compared by {@code tokenMatches}), stores the
     * key material and marks the membership accepted, all or nothing.
     */
    Future<SetupRefusal> completeSetup(UUID orgId, UUID invitationId, Function<byte[], Boolean> tokenMatches,
                                       KeyMaterial keys, Instant now);

    /** Checks an invitation the way {@link #completeSetup} does, changing nothing. */
    Future<InvitationView> peek(UUID orgId, UUID invitationId, Function<byte[], Boolean> tokenMatches, Instant now);

    /** Group name (lower case) to role wire name. */
    Future<Map<String, String>> roleMappings(UUID orgId);

    Future<Void> replaceRoleMappings(UUID orgId, String defaultRole, Map<String, String> mappings, Instant now);
}
