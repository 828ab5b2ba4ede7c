package io.hanzo.kms.scim.admin;

import io.hanzo.kms.scim.protocol.CaseFold;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hanzo.kms.scim.concurrent.OneAfterAnother;
import io.hanzo.kms.scim.index.DirectoryIndex;
import io.hanzo.kms.scim.index.GroupIndex;
import io.hanzo.kms.scim.index.IndexedGroup;
import io.hanzo.kms.scim.index.IndexedUser;
import io.hanzo.kms.scim.protocol.Json;
import io.hanzo.kms.scim.protocol.PartialTree;
import io.hanzo.kms.scim.protocol.ScimException;
import io.hanzo.kms.scim.store.MemberStore;
import io.hanzo.kms.scim.store.MemberStore.KeyMaterial;
import io.hanzo.kms.scim.store.MemberStore.MintedToken;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The lifecycle of a membership after SCIM created it: the invitation outbox, account set-up with
 * key material the person's device made, roles from group mappings, and the admin's member list.
 * The server never sees a master password or a plaintext private key.
 */
public final class MembershipService {
    private static final Logger LOG = LoggerFactory.getLogger(MembershipService.class);
    static final String SETUP_PREFIX = "kms_setup_";
    private static final int DELIVERIES_PER_ROUND = 100;
    /**
     * Organisations drained at once. The minute's sweep marks every organisation, and a drain of each
     * at once, with some thousands, overflowed the pool's queue of waiting requests: tenants' writes
     * were answered 503 for seconds every minute.
     */
    static final int DRAINS_AT_ONCE = 4;
    /** Batches a drain sends of one organisation before the others queued have their turn. */
    static final int BATCHES_PER_TURN = 5;
    private static final Duration MAX_RETRY_DELAY = Duration.ofMinutes(15);
    /** Whether a person is still to be invited needs only their active flag, not a tree of the whole document. */
    private static final PartialTree ACTIVE = new PartialTree(Set.of("active"));
    /** How long an invitation held back at sending time (see {@link #recipient}) waits before it is claimed again. */
    private static final Duration HELD_BACK = Duration.ofSeconds(1);

    private final MemberStore store;
    private final OrganizationService orgs;
    private final DirectoryIndex index;
    private final InvitationSender sender;
    private final String setupUrl;
    private final Duration setupTokenTtl;
    /** How long an instance holds an invitation it sends; see {@link MemberStore#claimPending}. */
    private final Duration claim;
    /** Each organisation's role mappings, the latest version read or written. */
    private final Map<UUID, GroupRoleMappings> groupRoles = new ConcurrentHashMap<>();
    /** Organisations that may have undelivered invitations; the rest are not polled. */
    private final Set<UUID> outboxDirty = ConcurrentHashMap.newKeySet();
    /**
     * Per organisation, when invitations that failed or were held back are due to be tried again:
     * each distinct time a batch gave them (a few per batch), so that a later one is not forgotten
     * once the soonest has come.
     */
    private final Map<UUID, NavigableSet<Instant>> retriesDue = new ConcurrentHashMap<>();
    // Each set is read and written only inside the map's compute for its organisation, and dropped
    // once empty, so that a poll walks only organisations with retries to come.
    /**
     * The organisations whose outbox is being drained, each with its drain: one drain per
     * organisation at a time, and one organisation's slow relay or database error holds up no other.
     */
    private final Map<UUID, Future<Integer>> draining = new ConcurrentHashMap<>();
    /** Guards starting drains against {@link #stopDelivering}. */
    private final Object drains = new Object();
    /** Guarded by {@link #drains}. */
    private boolean stopping;
    /**
     * Drains that take organisations one after another ({@link #DRAINS_AT_ONCE} at most; guarded by
     * {@link #drains}): one held up by a relay holds up only the organisations it has taken.
     */
    private int drainers;
    /**
     * Organisations queued since the round under way began (a provisioned person, a retry due),
     * drained before the rest of the round (the sweep's every organisation), in the order queued.
     * Guarded by {@link #drains}.
     */
    private final Set<UUID> soon = new LinkedHashSet<>();
    /**
     * Organisations whose drain gave the others their turn, drained after the rest of the round, in
     * turn. Served before the round's rest, four large backlogs kept every drain among themselves and
     * the round waited for them to empty. Guarded by {@link #drains}.
     */
    private final Set<UUID> yielded = new LinkedHashSet<>();
    /** Whether the last drain failed: a failure is logged when it starts, not at every poll. */
    private final AtomicBoolean failing = new AtomicBoolean();
    private final AtomicBoolean countingBacklog = new AtomicBoolean();
    /** Told of each invitation whose sending failed (for metrics). */
    private volatile Runnable onDeliveryFailure = () -> { };

    public MembershipService(MemberStore store, OrganizationService orgs, DirectoryIndex index, InvitationSender sender,
                             String setupUrl, Duration setupTokenTtl, Duration claim) {
        this.store = store;
        this.claim = claim;
        this.orgs = orgs;
        this.index = index;
        this.sender = sender;
        this.setupUrl = setupUrl;
        this.setupTokenTtl = setupTokenTtl;
    }

    public Future<Void> load(List<Organization> all) {
        // What was left undelivered before a restart is delivered now.
        all.forEach(o -> outboxDirty.add(o.id()));
        return refreshRoleMappings(all);
    }

    /** Reloads every organisation's role mappings: at start-up, and after change notifications were lost. */
    public Future<Void> refreshRoleMappings(List<Organization> all) {
        return OneAfterAnother.forEach(all, org -> refreshRoleMappings(org.id()));
    }

    /**
     * Reloads an organisation's role mappings another instance may have changed. A read that ends
     * after a later write of this instance is older than the cache and is dropped.
     */
    public Future<Void> refreshRoleMappings(UUID orgId) {
        return store.roleMappings(orgId).map(m -> {
            if (m != null) {
                groupRoles.merge(orgId, GroupRoleMappings.of(m), GroupRoleMappings::later);
            }
            return null;
        });
    }

    /**
     * Drops what is held of an erased organisation: its role mappings and its outbox's state. What a
     * drain under way then holds back or fails to claim is not tried again, and it claims no further
     * batch (see {@link #erased}): until the erasure deletes the people, their invitations are still
     * there to claim.
     */
    public void forget(UUID orgId) {
        groupRoles.remove(orgId);
        outboxDirty.remove(orgId);
        retriesDue.remove(orgId);
        synchronized (drains) {
            soon.remove(orgId);
            yielded.remove(orgId);
        }
    }

    /** Tells the outbox that an organisation has new invitations (a user was provisioned). */
    public void invitationsQueued(UUID orgId) {
        outboxDirty.add(orgId);
        synchronized (drains) {
            soon.add(orgId);
        }
    }

    /**
     * Starts delivering what the outbox holds for the organisations that queued invitations since
     * they were last drained, and for those whose failed invitations are due again, at most
     * {@link #DRAINS_AT_ONCE} organisations at a time; an organisation whose drain is under way is
     * left for the next poll, and so are those the drains at work leave no room for. Completes when
     * the drains started complete, with the number of invitations they sent. An organisation leaves
     * the list once its drain finds nothing to send.
     */
    public Future<Integer> deliverInvitations() {
        synchronized (drains) {
            if (stopping) {
                return Future.succeededFuture(0);
            }
            Instant now = Instant.now();
            for (UUID orgId : List.copyOf(retriesDue.keySet())) {
                retriesDue.computeIfPresent(orgId, (id, dues) -> {
                    NavigableSet<Instant> come = dues.headSet(now, true);
                    if (!come.isEmpty()) {
                        come.clear();
                        invitationsQueued(id);
                    }
                    return dues.isEmpty() ? null : dues;
                });
            }
            int room = DRAINS_AT_ONCE - drainers;
            if (room <= 0 || outboxDirty.isEmpty()) {
                return Future.succeededFuture(0);
            }
            // The organisations queued now: one queued again meanwhile (a failed drain) waits for a later poll.
            Queue<UUID> due = new ArrayDeque<>(outboxDirty); // read under drains only
            List<Future<Integer>> started = new ArrayList<>();
            for (int i = 0; i < room; i++) {
                drainers++;
                started.add(drainInTurn(due).onComplete(ar -> {
                    synchronized (drains) {
                        drainers--;
                    }
                }));
            }
            return Future.all(started).map(all -> {
                int sent = 0;
                for (int i = 0; i < all.size(); i++) {
                    sent += all.<Integer>resultAt(i);
                }
                return sent;
            });
        }
    }

    /** Drains the organisations queued, one after another, until none is left; never fails. */
    private Future<Integer> drainInTurn(Queue<UUID> due) {
        int[] sent = {0};
        return OneAfterAnother.repeat(() -> {
            Future<Integer> drain = startNextDrain(due);
            return drain == null ? Future.succeededFuture(false) : drain.map(n -> {
                sent[0] += n;
                return true;
            });
        }).map(v -> sent[0]);
    }

    /**
     * Starts the drain of the round's next organisation that still has invitations queued and is
     * known here; null when the round has none left, or the outbox is stopping.
     */
    private Future<Integer> startNextDrain(Queue<UUID> due) {
        synchronized (drains) {
            UUID orgId;
            while (!stopping && (orgId = next(due)) != null) {
                if (draining.containsKey(orgId) || !outboxDirty.remove(orgId) || erased(orgId)) {
                    continue;
                }
                UUID id = orgId;
                Future<Integer> drain = drain(id).transform(this::reported);
                draining.put(id, drain);
                drain.onComplete(ar -> draining.remove(id, drain));
                return drain;
            }
            return null;
        }
    }

    /**
     * The next organisation to drain: one queued since the round began first, then the round's, then
     * one that gave the others their turn. Under {@link #drains}.
     */
    private UUID next(Queue<UUID> due) {
        UUID orgId = first(soon);
        if (orgId == null) {
            orgId = due.poll();
        }
        return orgId != null ? orgId : first(yielded);
    }

    /** Takes the first of those organisations out; null when there is none. */
    private static UUID first(Set<UUID> orgIds) {
        Iterator<UUID> it = orgIds.iterator();
        if (!it.hasNext()) {
            return null;
        }
        UUID orgId = it.next();
        it.remove();
        return orgId;
    }

    /** A drain's outcome, logged when delivery starts failing and when it works again; never a failure. */
    private Future<Integer> reported(AsyncResult<Integer> drained) {
        if (drained.failed()) {
            if (failing.compareAndSet(false, true)) {
                LOG.warn("Invitation delivery failed; retrying at every poll until it works: {}", drained.cause().toString());
            }
            return Future.succeededFuture(0);
        }
        if (failing.compareAndSet(true, false)) {
            LOG.info("Invitation delivery works again");
        }
        return Future.succeededFuture(drained.result());
    }

    /**
     * Starts no further drain (shut-down); completes once the drains under way have recorded what
     * they sent, so that the pool is not closed under them: an invitation sent but not recorded would
     * be sent again, with a new link, once its claim lapsed.
     */
    public Future<Void> stopDelivering() {
        synchronized (drains) {
            stopping = true;
            return Future.join(new ArrayList<>(draining.values())).transform(ar -> Future.succeededFuture());
        }
    }

    /**
     * Delivers the organisation's outbox batch after batch until it is empty, or until a batch had
     * a send that failed at the relay (which may be down: its invitations are tried again when due)
     * or an invitation held back, or until it has had {@link #BATCHES_PER_TURN} batches: then the
     * organisation is queued again, behind the others, so that a large backlog does not keep one of
     * the few drains from every other organisation. Invitations without an address fail without
     * stopping it: those claimed after them would otherwise wait behind them, since a full batch of
     * them due again is claimed first.
     */
    private Future<Integer> drain(UUID orgId) {
        int[] sent = {0};
        int[] batches = {0};
        return OneAfterAnother.repeat(() -> erased(orgId) ? Future.succeededFuture(false) : deliver(orgId)
                .recover(e -> {
                    outboxDirty.add(orgId);
                    return Future.failedFuture(e);
                })
                .map(round -> {
                    sent[0] += round.sent();
                    if (round.claimed() < DELIVERIES_PER_ROUND || round.stopsTheDrain()) {
                        return false;
                    }
                    if (++batches[0] < BATCHES_PER_TURN) {
                        return true;
                    }
                    outboxDirty.add(orgId);
                    synchronized (drains) {
                        yielded.add(orgId);
                    }
                    return false;
                }))
                .map(v -> sent[0]);
    }

    /** Erased, or not known here: its outbox is left alone (a sweep finds it once it is known). */
    private boolean erased(UUID orgId) {
        return orgs.get(orgId) == null;
    }

    public void onDeliveryFailure(Runnable listener) {
        this.onDeliveryFailure = listener;
    }

    /**
     * Invitations queued and not yet delivered, summed over the organisations one query each. A count
     * still under way fails the next one at once: with tens of thousands of organisations a count can
     * outlast the gauge's period, and counts started each period would pile up on the pool.
     */
    public Future<Long> outboxBacklog() {
        if (!countingBacklog.compareAndSet(false, true)) {
            return Future.failedFuture(new IllegalStateException("the previous count of the backlog is still under way"));
        }
        long[] total = {0};
        return OneAfterAnother.forEach(orgs.all(), o -> store.outboxBacklog(o.id()).map(n -> total[0] += n))
                .map(v -> total[0])
                .onComplete(ar -> countingBacklog.set(false));
    }

    /** Periodically, every organisation: invitations another instance queued are delivered too. */
    public void sweepAll() {
        orgs.all().forEach(o -> outboxDirty.add(o.id()));
    }

    /**
     * What one batch of the outbox came to.
     *
     * @param stopsTheDrain whether a send failed at the relay or an invitation was held back
     */
    private record Round(int claimed, int sent, boolean stopsTheDrain) {
    }

    /**
     * Claims a batch, sends it, then marks what was sent delivered and holds what failed until its
     * retry is due, each in one statement. A send that takes longer than half the claim counts as
     * failed, so that the claim never lapses while a send could still be under way.
     */
    private Future<Round> deliver(UUID orgId) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        Instant claimedUntil = now.plus(claim);
        return store.claimPending(orgId, DELIVERIES_PER_ROUND, invitationId -> {
            String token = CompositeToken.mint(SETUP_PREFIX, orgId, invitationId);
            return new MintedToken(token, Secrets.sha256(token));
        }, now, now.plus(setupTokenTtl), claimedUntil).compose(deliveries -> {
            List<Future<Void>> sends = new ArrayList<>();
            for (MemberStore.Delivery d : deliveries) {
                String to = recipient(orgId, d);
                // The token rides in the fragment: browsers send no fragment to a server, nor in a Referer.
                sends.add(to == null ? null : sender.send(to, setupUrl + "#token=" + d.token())
                        .timeout(claim.toMillis() / 2, TimeUnit.MILLISECONDS));
            }
            return Future.join(sends.stream().filter(Objects::nonNull).toList()).transform(all -> {
                List<UUID> sent = new ArrayList<>();
                List<MemberStore.Retry> retries = new ArrayList<>();
                List<MemberStore.Delivery> failed = new ArrayList<>();
                boolean stops = false;
                Throwable firstFailure = null;
                Instant later = Instant.now();
                for (int i = 0; i < deliveries.size(); i++) {
                    MemberStore.Delivery d = deliveries.get(i);
                    Future<Void> send = sends.get(i);
                    if (send == null) {
                        // Held back, not failed: the claim makes the person wait until active again.
                        retries.add(new MemberStore.Retry(d.invitationId(), later.plus(HELD_BACK)));
                        stops = true;
                    } else if (send.succeeded()) {
                        sent.add(d.invitationId());
                    } else {
                        failed.add(d);
                        firstFailure = firstFailure != null ? firstFailure : send.cause();
                        retries.add(new MemberStore.Retry(d.invitationId(), later.plus(retryDelay(d.attempt()))));
                        stops |= !(send.cause() instanceof InvitationSender.NoAddressException);
                    }
                }
                if (!failed.isEmpty()) {
                    reportFailures(orgId, failed, firstFailure);
                }
                if (!retries.isEmpty()) {
                    // Checked in the compute: forget's remove of the entry comes after the organisation
                    // leaves the cache, so a retry added here is either dropped by it or never added.
                    retriesDue.compute(orgId, (id, dues) -> {
                        if (erased(id)) {
                            return dues;
                        }
                        NavigableSet<Instant> times = dues != null ? dues : new TreeSet<>();
                        retries.forEach(r -> times.add(r.due()));
                        return times;
                    });
                }
                Round round = new Round(deliveries.size(), sent.size(), stops);
                return store.sent(orgId, sent, now, claimedUntil)
                        .compose(v -> store.failed(orgId, retries, claimedUntil))
                        .map(round);
            });
        });
    }

    /**
     * The wait before an invitation's next attempt after its {@code attempt}-th failed: 5 s, doubling
     * up to 15 minutes, so that a relay that is down, or a person without an address, costs a few
     * attempts an hour rather than one a round.
     */
    private static Duration retryDelay(int attempt) {
        Duration delay = Duration.ofSeconds(5L << Math.max(0, Math.min(attempt - 1, 8)));
        return delay.compareTo(MAX_RETRY_DELAY) < 0 ? delay : MAX_RETRY_DELAY;
    }

    /** One warning per batch, naming when the first of its retries is due. */
    private void reportFailures(UUID orgId, List<MemberStore.Delivery> failed, Throwable first) {
        failed.forEach(d -> onDeliveryFailure.run());
        Duration soonest = retryDelay(failed.stream().mapToInt(MemberStore.Delivery::attempt).min().orElse(1));
        LOG.warn("{} invitation(s) of organization {} could not be sent; each will be retried, the first in {} s "
                        + "(invitation {}): {}", failed.size(), orgId, soonest.toSeconds(),
                failed.get(0).invitationId(), first == null ? "" : first.getMessage());
    }

    /**
     * The address the claim minted the token for (see {@link InvitationSender#recipient}); null when
     * the person is not to be invited now: made inactive or deleted since the invitation was claimed,
     * or not in this instance's index yet (created on another instance a moment ago).
     */
    private String recipient(UUID orgId, MemberStore.Delivery d) {
        IndexedUser u = index.users(orgId).get(d.userId());
        if (u == null || !ACTIVE.read(u.json()).path("active").asBoolean(true)) {
            return null;
        }
        return d.recipient();
    }

    /** A new invitation for a member who has not set up yet; the previous one stops working. */
    public Future<UUID> reissue(UUID orgId, UUID memberId) {
        return store.reissue(orgId, memberId, Instant.now().truncatedTo(ChronoUnit.MILLIS)).compose(r -> {
            MemberStore.MemberRow m = r.member();
            if (m == null) {
                return Future.failedFuture(ScimException.notFound("Member " + memberId + " not found."));
            }
            if (!"invited".equals(m.setupState())) {
                return Future.failedFuture(new ScimException(409, null, "The member has already set up their account."));
            }
            if (!m.active()) {
                return Future.failedFuture(new ScimException(409, null,
                        "The membership is deactivated; activate it through the identity provider first."));
            }
            // Marked after the commit: a delivery round between marking and committing would find
            // the outbox empty and forget the organisation until the next sweep.
            outboxDirty.add(orgId);
            return Future.succeededFuture(r.invitationId());
        });
    }

    /**
     * Account set-up with the key material the person's device made. Refusals change nothing.
     *
     * @throws ScimException for a malformed request
     */
    public Future<Void> completeSetup(JsonNode body) {
        SetupRequest request = SetupRequest.parse(body);
        CompositeToken ids = CompositeToken.parse(SETUP_PREFIX, request.token());
        if (ids == null) {
            return Future.failedFuture(ScimException.unauthorized("The set-up token is not valid."));
        }
        if (orgs.get(ids.orgId()) == null) {
            // Erased: its invitations are on their way out, and none may set up meanwhile.
            return Future.failedFuture(ScimException.unauthorized("The set-up token is not valid."));
        }
        KeyMaterial keys = request.keys();
        return store.completeSetup(ids.orgId(), ids.recordId(), hash -> Secrets.matches(request.token(), hash), keys,
                        Instant.now().truncatedTo(ChronoUnit.MILLIS))
                .compose(refusal -> refusal == null ? Future.succeededFuture() : Future.failedFuture(refused(refusal)));
    }

    /**
     * What the set-up page shows before the person chooses a password: the organisation, the userName
     * and the expiry of an invitation that works, or only the reason it does not. An unknown token
     * learns nothing.
     *
     * @throws ScimException for a malformed request
     */
    public Future<ObjectNode> describeInvitation(JsonNode body) {
        String token = SetupRequest.tokenOnly(body);
        CompositeToken ids = CompositeToken.parse(SETUP_PREFIX, token);
        if (ids == null || orgs.get(ids.orgId()) == null) {
            return Future.failedFuture(ScimException.unauthorized("The set-up token is not valid."));
        }
        return store.peek(ids.orgId(), ids.recordId(), hash -> Secrets.matches(token, hash),
                Instant.now().truncatedTo(ChronoUnit.MILLIS)).compose(view -> {
                    ObjectNode out = Json.MAPPER.createObjectNode();
                    if (view.refusal() == MemberStore.SetupRefusal.UNKNOWN) {
                        return Future.failedFuture(ScimException.unauthorized("The set-up token is not valid."));
                    }
                    if (view.refusal() != null) {
                        return Future.succeededFuture(out.put("state", stateOf(view.refusal())));
                    }
                    Organization org = orgs.get(ids.orgId());
                    out.put("state", "open");
                    out.put("organization", org == null ? null : org.name());
                    out.put("userName", view.userName());
                    out.put("expiresAt", view.expiresAt() == null ? null : view.expiresAt().toString());
                    return Future.succeededFuture(out);
                });
    }

    private static String stateOf(MemberStore.SetupRefusal refusal) {
        switch (refusal) {
            case USED:
                return "used";
            case VOIDED:
                return "replaced";
            case EXPIRED:
                return "expired";
            case MEMBERSHIP_GONE:
                return "gone";
            case DEACTIVATED:
                return "deactivated";
            case ALREADY_SET_UP:
                return "already-set-up";
            default:
                throw new IllegalArgumentException(refusal.name());
        }
    }

    private static ScimException refused(MemberStore.SetupRefusal refusal) {
        switch (refusal) {
            case USED:
                return new ScimException(410, null, "The set-up token has already been used.");
            case VOIDED:
                return new ScimException(410, null, "The set-up token was replaced by a newer invitation.");
            case EXPIRED:
                return new ScimException(410, null, "The set-up token has expired; ask an admin for a new invitation.");
            case MEMBERSHIP_GONE:
                return new ScimException(410, null, "The membership no longer exists.");
            case DEACTIVATED:
                return new ScimException(403, null, "The membership is deactivated.");
            case ALREADY_SET_UP:
                return new ScimException(409, null, "The account is already set up.");
            default:
                return ScimException.unauthorized("The set-up token is not valid.");
        }
    }

    /** One page of members with set-up state, role, and groups (pending until set-up completes). */
    public Future<ObjectNode> members(UUID orgId, String state, UUID after, int limit) {
        return store.page(orgId, after, state, limit + 1).map(rows -> {
            ObjectNode out = Json.MAPPER.createObjectNode();
            ArrayNode list = out.putArray("members");
            GroupIndex groups = index.groups(orgId);
            for (int i = 0; i < Math.min(limit, rows.size()); i++) {
                MemberStore.MemberRow m = rows.get(i);
                boolean pending = "invited".equals(m.setupState());
                ObjectNode o = list.addObject();
                o.put("id", m.id().toString());
                o.put("userName", m.userName());
                o.put("active", m.active());
                o.put("setupState", m.setupState());
                o.put("role", roleOf(orgId, m.id()).wireName());
                ArrayNode gs = o.putArray("groups");
                for (UUID gid : new TreeSet<>(groups.groupsOf(m.id()))) {
                    IndexedGroup g = groups.get(gid);
                    if (g != null) {
                        gs.addObject().put("id", gid.toString()).put("displayName", g.row().displayName()).put("pending", pending);
                    }
                }
            }
            if (rows.size() > limit) {
                out.put("nextCursor", rows.get(limit - 1).id().toString());
            } else {
                out.putNull("nextCursor");
            }
            return out;
        });
    }

    /** The strongest role of the mapped groups the member is in, else the organisation's default. */
    public Role roleOf(UUID orgId, UUID userId) {
        Organization org = orgs.get(orgId);
        Role role = null;
        GroupRoleMappings cached = groupRoles.get(orgId);
        Map<String, Role> mappings = cached == null ? Map.of() : cached.byFoldedName();
        GroupIndex groups = index.groups(orgId);
        for (UUID gid : groups.groupsOf(userId)) {
            IndexedGroup g = groups.get(gid);
            Role mapped = g == null ? null : mappings.get(CaseFold.lowerValue(g.row().displayName()));
            if (mapped != null && (role == null || mapped.compareTo(role) > 0)) {
                role = mapped;
            }
        }
        return role != null ? role : org == null ? Role.MEMBER : org.defaultRole();
    }

    public ObjectNode roleMappingsJson(UUID orgId) {
        GroupRoleMappings cached = groupRoles.get(orgId);
        return roleMappingsJson(orgs.get(orgId).defaultRole(), cached == null ? Map.of() : cached.asWritten());
    }

    private static ObjectNode roleMappingsJson(Role defaultRole, Map<String, Role> mappings) {
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("defaultRole", defaultRole.wireName());
        ArrayNode list = out.putArray("mappings");
        new TreeMap<>(mappings).forEach((group, role) -> list.addObject().put("group", group).put("role", role.wireName()));
        return out;
    }

    /**
     * Replaces the default role and every mapping; of replacements sent together the last to commit
     * is in force, whole. A replacement by what is stored already writes nothing.
     *
     * @return the mappings as written (or as they are, when nothing changed)
     */
    public Future<ObjectNode> replaceRoleMappings(UUID orgId, Role defaultRole, Map<String, Role> mappings) {
        Map<String, String> wire = new HashMap<>();
        mappings.forEach((g, r) -> wire.put(g, r.wireName()));
        return store.replaceRoleMappings(orgId, defaultRole.wireName(), wire, Instant.now().truncatedTo(ChronoUnit.MILLIS))
                .compose(org -> {
                    if (org == null) {
                        return Future.failedFuture(ScimException.notFound("Organization " + orgId + " not found."));
                    }
                    // Both caches take the version the database wrote, unless a later one overtook it here.
                    orgs.cache(org);
                    groupRoles.merge(orgId, GroupRoleMappings.of(org.updatedAt(), mappings), GroupRoleMappings::later);
                    return Future.succeededFuture(roleMappingsJson(org.defaultRole(), mappings));
                });
    }
}
