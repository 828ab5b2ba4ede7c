package io.hanzo.kms.scim.store;

import io.hanzo.kms.scim.admin.Organization;
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

    /**
     * An invitation taken from the outbox, with the set-up token minted for it.
     *
     * @param recipient the address the token is minted for, chosen from the person's row as the
     *                  claim read it (see {@code InvitationSender#recipient})
     * @param attempt   this send's number: 1 for the invitation's first
     */
    record Delivery(UUID invitationId, UUID userId, String recipient, String token, int attempt) {
    }

    /** An invitation whose sending failed, and when it is to be tried again. */
    record Retry(UUID invitationId, Instant due) {
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

    /**
     * Claims up to {@code limit} undelivered invitations that no instance holds, until
     * {@code claimedUntil}, and mints their tokens, in one transaction; the caller then sends them
     * and reports with {@link #sent} and {@link #failed}. One the caller never reports on (it
     * stopped) is claimed again once the claim lapses, and sent with a new token. Each token is
     * minted for the address the person's row holds at the claim, and the invitations of a person
     * whose write is under way are passed over (left for a later claim), so that a write that
     * changes the address is sure to see every token minted for the old one.
     */
    Future<List<Delivery>> claimPending(UUID orgId, int limit, Function<UUID, MintedToken> mint, Instant now,
                                        Instant expiresAt, Instant claimedUntil);

    /** Marks invitations of one claim delivered at {@code now}, while the claim is still the caller's. */
    Future<Void> sent(UUID orgId, List<UUID> invitationIds, Instant now, Instant claimedUntil);

    /** Puts invitations of one claim whose sending failed back, each held until its retry is due. */
    Future<Void> failed(UUID orgId, List<Retry> retries, Instant claimedUntil);

    /** Invitations of the organisation queued and not yet delivered. */
    Future<Long> outboxBacklog(UUID orgId);

    /**
     * What a re-issue found and did: the member as locked (null when there is none), and the new
     * invitation's id, or null when the member was not one to invite again (set up, or deactivated).
     */
    record Reissue(MemberRow member, UUID invitationId) {
    }

    /**
     * For a member still invited and active, voids their open invitations and queues a new one. The
     * member is read under their row's lock, in the order set-up and deletes take it, so that neither
     * can slip in between the check and the new invitation.
     */
    Future<Reissue> reissue(UUID orgId, UUID userId, Instant now);

    /**
     * Completes set-up: checks the invitation (token hash compared by {@code tokenMatches}), stores the
     * key material and marks the membership accepted, all or nothing.
     */
    Future<SetupRefusal> completeSetup(UUID orgId, UUID invitationId, Function<byte[], Boolean> tokenMatches,
                                       KeyMaterial keys, Instant now);

    /** Checks an invitation the way {@link #completeSetup} does, changing nothing. */
    Future<InvitationView> peek(UUID orgId, UUID invitationId, Function<byte[], Boolean> tokenMatches, Instant now);

    /** What one batch of {@link #pruneEndedInvitations} read and deleted. */
    record InvitationsPruned(UUID lastRead, int deleted) {
    }

    /**
     * Of the organisation's next {@code batch} invitations in id order after {@code after} (null for
     * the first), deletes those voided or used before {@code cutoff} that a newer invitation of the
     * same person replaces: each person keeps their newest. Answers the last id read, null once none
     * is left to read.
     */
    Future<InvitationsPruned> pruneEndedInvitations(UUID orgId, UUID after, Instant cutoff, int batch);

    /**
     * An organisation's group role mappings as of one version of it.
     *
     * @param version the organisation's updatedAt, which every replacement of the mappings moves on
     * @param byGroup group name as the admin wrote it, to role wire name
     */
    record RoleMappings(Instant version, Map<String, String> byGroup) {
    }

    /** The organisation's mappings, or null when there is no such organisation. */
    Future<RoleMappings> roleMappings(UUID orgId);

    /**
     * Replaces the default role and every mapping, one replacement of an organisation after another.
     * A replacement by what is stored already (group names as written, roles, default role) writes
     * nothing and tells no other instance: the organisation's updatedAt stays.
     *
     * @return the organisation as written (its updatedAt is the new mappings' version), or as it is
     *         when nothing changed, or null when there is no such organisation
     */
    Future<Organization> replaceRoleMappings(UUID orgId, String defaultRole, Map<String, String> mappings, Instant now);
}
