package io.hanzo.kms.scim.store.pg;

import static io.hanzo.kms.scim.store.pg.Rows.instant;
import static io.hanzo.kms.scim.store.pg.Rows.ts;

import io.hanzo.kms.scim.admin.InvitationSender;
import io.hanzo.kms.scim.admin.Organization;
import io.hanzo.kms.scim.protocol.Json;
import io.hanzo.kms.scim.store.Ids;
import io.hanzo.kms.scim.store.MemberStore;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

public final class PgMemberStore implements MemberStore {
    /** PostgreSQL orders uuids as unsigned bytes: all zeros comes first. */
    private static final UUID BEFORE_ALL = new UUID(0L, 0L);

    private final Pool pool;

    public PgMemberStore(Pool pool) {
        this.pool = pool;
    }

    @Override
    public Future<List<MemberRow>> page(UUID orgId, UUID after, String state, int limit) {
        // In the primary key's order unsorted (Sql.PLANS_IN_KEY_ORDER): otherwise each page of a large
        // organisation the statistics know little of could read and sort all of its people.
        return PipelinedTransactions.planned(pool, Sql.PLANS_IN_KEY_ORDER, Sql.MEMBERS_PAGE, Tuple.of(orgId, after == null ? BEFORE_ALL : after, state, limit))
                .map(rs -> {
                    List<MemberRow> out = new ArrayList<>(rs.size());
                    for (Row r : rs) {
                        out.add(new MemberRow(r.getUUID(0), r.getString(1), r.getBoolean(2), r.getString(3)));
                    }
                    return out;
                });
    }

    @Override
    public Future<List<Delivery>> claimPending(UUID orgId, int limit, Function<UUID, MintedToken> mint, Instant now,
                                               Instant expiresAt, Instant claimedUntil) {
        return pool.withTransaction(conn -> {
            Future<RowSet<Row>> limited = conn.query(Sql.OUTBOX_CLAIM_TIME_LIMIT).execute();
            Future<RowSet<Row>> claim = conn.preparedQuery(Sql.OUTBOX_CLAIM).execute(Tuple.of(orgId, limit, ts(now)));
            return limited.compose(v -> claim).compose(rs -> {
                List<Delivery> out = new ArrayList<>(rs.size());
                UUID[] ids = new UUID[rs.size()];
                String[] rows = new String[rs.size()];
                Buffer[] hashes = new Buffer[rs.size()];
                String[] recipients = new String[rs.size()];
                for (Row r : rs) {
                    UUID invitationId = r.getUUID(0);
                    MintedToken t = mint.apply(invitationId);
                    hashes[out.size()] = Buffer.buffer(t.hash());
                    ids[out.size()] = invitationId;
                    rows[out.size()] = r.getString(3);
                    String emails = r.getString(5);
                    recipients[out.size()] = InvitationSender.recipient(emails == null ? null : Json.parse(emails),
                            r.getString(2));
                    out.add(new Delivery(invitationId, r.getUUID(1), recipients[out.size()], t.token(), r.getInteger(4) + 1));
                }
                if (out.isEmpty()) {
                    return Future.succeededFuture(out);
                }
                // Sent together: a failed setting fails the update after it (the transaction is aborted).
                Future<RowSet<Row>> byAddress = conn.query(Sql.PLANS_BY_ADDRESS).execute();
                Future<RowSet<Row>> claimed = conn.preparedQuery(Sql.OUTBOX_CLAIMED)
                        .execute(Tuple.tuple().addArrayOfString(rows).addArrayOfUUID(ids).addArrayOfBuffer(hashes)
                                .addOffsetDateTime(ts(expiresAt)).addOffsetDateTime(ts(claimedUntil)).addUUID(orgId)
                                .addArrayOfString(recipients));
                return byAddress.compose(v -> claimed)
                        .compose(done -> done.rowCount() == ids.length
                                ? Future.succeededFuture(out)
                                // Not one link goes out unless every one of them is recorded.
                                : Future.failedFuture(new IllegalStateException("Claimed " + done.rowCount()
                                        + " of " + ids.length + " invitations")));
            });
        });
    }

    @Override
    public Future<Void> sent(UUID orgId, List<UUID> invitationIds, Instant now, Instant claimedUntil) {
        if (invitationIds.isEmpty()) {
            return Future.succeededFuture();
        }
        Tuple t = Tuple.tuple().addUUID(orgId).addArrayOfUUID(invitationIds.toArray(new UUID[0]))
                .addOffsetDateTime(ts(now)).addOffsetDateTime(ts(claimedUntil));
        return byKey(Sql.OUTBOX_SENT, t);
    }

    @Override
    public Future<Void> failed(UUID orgId, List<Retry> retries, Instant claimedUntil) {
        if (retries.isEmpty()) {
            return Future.succeededFuture();
        }
        UUID[] ids = new UUID[retries.size()];
        OffsetDateTime[] due = new OffsetDateTime[retries.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = retries.get(i).invitationId();
            due[i] = ts(retries.get(i).due());
        }
        Tuple t = Tuple.tuple().addUUID(orgId).addArrayOfUUID(ids).addArrayOfOffsetDateTime(due)
                .addOffsetDateTime(ts(claimedUntil));
        return byKey(Sql.OUTBOX_RETURN, t);
    }

    /** A statement that reaches invitations by their keys, under plans that can only do that. */
    private Future<Void> byKey(String sql, Tuple arguments) {
        return readByKey(sql, arguments).mapEmpty();
    }

    @Override
    public Future<Long> outboxBacklog(UUID orgId) {
        // Planned by key, and so never JIT-compiled: where the statistics made it look large, a
        // PostgreSQL with JIT compiled the count of an organisation of 100,000 people on every measure
        // (102 to 158 ms, against 50 to 101 not compiled).
        return readByKey(Sql.OUTBOX_BACKLOG, Tuple.of(orgId)).map(rs -> rs.iterator().next().getLong(0));
    }

    /**
     * A read of an organisation's rows by their keys, planned by key ({@link Sql#PLANS_BY_KEY}), in a
     * transaction of one round trip. For an organisation the statistics do not know yet while they
     * know another, a custom plan counts on one row of it in every index that starts with the
     * organisation, and took one of them for the organisation alone, the key as a filter: an
     * invitation looked up by its id read all of the organisation's invitations and people.
     */
    private Future<RowSet<Row>> readByKey(String sql, Tuple arguments) {
        return PipelinedTransactions.planned(pool, Sql.PLANS_BY_KEY, sql, arguments);
    }

    /** In a transaction: PLANS_BY_KEY and then the statement, sent together; the statement's answer. */
    private static Future<RowSet<Row>> plannedByKey(SqlConnection conn, String sql, Tuple arguments) {
        Future<RowSet<Row>> plans = conn.query(Sql.PLANS_BY_KEY).execute();
        Future<RowSet<Row>> answer = conn.preparedQuery(sql).execute(arguments);
        return plans.compose(v -> answer);
    }

    @Override
    public Future<Reissue> reissue(UUID orgId, UUID userId, Instant now) {
        UUID id = Ids.newId();
        // Planned by key, as every read of one of the organisation's rows here (see readByKey).
        return pool.withTransaction(conn -> plannedByKey(conn, Sql.MEMBER_STATE_LOCKED, Tuple.of(orgId, userId))
                .compose(rs -> {
                    if (rs.size() == 0) {
                        return Future.succeededFuture(new Reissue(null, null));
                    }
                    Row r = rs.iterator().next();
                    MemberRow member = new MemberRow(userId, null, r.getBoolean(1), r.getString(0));
                    if (!member.active() || !"invited".equals(member.setupState())) {
                        return Future.succeededFuture(new Reissue(member, null));
                    }
                    return conn.preparedQuery(Sql.INVITATION_VOID_OPEN).execute(Tuple.of(orgId, userId, ts(now)))
                            .compose(v -> conn.preparedQuery(Sql.INVITATION_INSERT).execute(Tuple.of(orgId, id, userId, ts(now))))
                            .map(v -> new Reissue(member, id));
                }));
    }

    @Override
    public Future<SetupRefusal> completeSetup(UUID orgId, UUID invitationId, Function<byte[], Boolean> tokenMatches,
                                              KeyMaterial keys, Instant now) {
        Tuple invitation = Tuple.of(orgId, invitationId);
        // The token is checked before any lock is taken, so that whoever knows only an invitation's
        // id cannot hold its user's writes back; and again under the locks, where the answer is made.
        return readByKey(Sql.INVITATION_PEEK, invitation).compose(peeked -> {
            if (!tokenHolds(peeked.size() == 0 ? null : peeked.iterator().next(), tokenMatches)) {
                return Future.succeededFuture(SetupRefusal.UNKNOWN);
            }
            return pool.withTransaction(conn -> plannedByKey(conn, Sql.INVITATION_USER_LOCK, invitation)
                    .compose(locked -> conn.preparedQuery(Sql.INVITATION_FIND).execute(invitation))
                    .compose(rs -> {
                        SetupRefusal refusal = check(rs.size() == 0 ? null : rs.iterator().next(), tokenMatches, now);
                        if (refusal != null) {
                            return Future.succeededFuture(refusal);
                        }
                        UUID userId = rs.iterator().next().getUUID(0);
                        return conn.preparedQuery(Sql.INVITATION_USE).execute(Tuple.of(orgId, invitationId, ts(now)))
                                .compose(v -> conn.preparedQuery(Sql.ACCOUNT_KEYS_INSERT).execute(Tuple.tuple()
                                        .addUUID(orgId).addUUID(userId)
                                        .addBuffer(Buffer.buffer(keys.publicKey()))
                                        .addBuffer(Buffer.buffer(keys.encryptedPrivateKey()))
                                        .addBuffer(Buffer.buffer(keys.kdfSalt()))
                                        .addString(keys.kdfParamsJson())
                                        .addOffsetDateTime(ts(now))))
                                .compose(v -> conn.preparedQuery(Sql.MEMBER_ACCEPT).execute(Tuple.of(orgId, userId)))
                                .compose(accepted -> accepted.rowCount() == 1 ? Future.succeededFuture((SetupRefusal) null)
                                        // The user is locked and was checked: never, but not answered "accepted" if so.
                                        : Future.failedFuture(new IllegalStateException("Set-up of user " + userId
                                                + " accepted no membership; rolled back")));
                    }));
        });
    }

    @Override
    public Future<InvitationView> peek(UUID orgId, UUID invitationId, Function<byte[], Boolean> tokenMatches, Instant now) {
        return readByKey(Sql.INVITATION_PEEK, Tuple.of(orgId, invitationId)).map(rs -> {
            Row r = rs.size() == 0 ? null : rs.iterator().next();
            SetupRefusal refusal = check(r, tokenMatches, now);
            if (refusal != null) {
                return new InvitationView(refusal, null, null);
            }
            OffsetDateTime expires = r.getOffsetDateTime(2);
            return new InvitationView(null, r.getString(7), expires == null ? null : expires.toInstant());
        });
    }

    @Override
    public Future<InvitationsPruned> pruneEndedInvitations(UUID orgId, UUID after, Instant cutoff, int batch) {
        // Planned by key in the key's order (Sql.PLANS_IN_KEY_ORDER): the newer-invitation probe goes by
        // the person, where a custom plan, for an organisation the statistics do not know yet, may read
        // every invitation of the organisation for each row of the batch.
        Tuple args = Tuple.of(orgId, after == null ? BEFORE_ALL : after, ts(cutoff), batch);
        return PipelinedTransactions.planned(pool, Sql.PLANS_IN_KEY_ORDER, Sql.INVITATIONS_PRUNE, args)
                .map(rows -> {
                    Row r = rows.iterator().next();
                    return new InvitationsPruned(r.getUUID(0), r.getLong(1).intValue());
                });
    }

    /** Whether the invitation row (of INVITATION_PEEK or INVITATION_FIND, or null) has the token presented. */
    private static boolean tokenHolds(Row r, Function<byte[], Boolean> tokenMatches) {
        return r != null && r.getBuffer(1) != null && tokenMatches.apply(r.getBuffer(1).getBytes());
    }

    private static SetupRefusal check(Row r, Function<byte[], Boolean> tokenMatches, Instant now) {
        if (!tokenHolds(r, tokenMatches)) {
            return SetupRefusal.UNKNOWN;
        }
        // Before the invitation's own state: the person should learn that the membership is gone, not
        // that a newer invitation replaced it. A user's delete takes their invitations with it (the
        // link is then unknown), but an instance of an earlier version, still running during a
        // rolling upgrade, voids them instead and leaves such a row.
        if (r.getBoolean(5) == null) {
            return SetupRefusal.MEMBERSHIP_GONE;
        }
        if (r.getOffsetDateTime(3) != null) {
            return SetupRefusal.USED;
        }
        // Before the voiding too: deactivating a person who has not set up voids their invitations,
        // and they should learn that they are deactivated while they are.
        if (!r.getBoolean(5)) {
            return SetupRefusal.DEACTIVATED;
        }
        if (r.getOffsetDateTime(4) != null) {
            return SetupRefusal.VOIDED;
        }
        OffsetDateTime expires = r.getOffsetDateTime(2);
        if (expires != null && !now.isBefore(expires.toInstant())) {
            return SetupRefusal.EXPIRED;
        }
        if (!"invited".equals(r.getString(6))) {
            return SetupRefusal.ALREADY_SET_UP;
        }
        return null;
    }

    @Override
    public Future<RoleMappings> roleMappings(UUID orgId) {
        return pool.preparedQuery(Sql.ROLE_MAPPINGS).execute(Tuple.of(orgId)).map(PgMemberStore::roleMappings);
    }

    /** Reads {@code Sql.ROLE_MAPPINGS}: null when there is no such organisation. */
    private static RoleMappings roleMappings(RowSet<Row> rs) {
        if (rs.size() == 0) {
            return null;
        }
        Instant version = null;
        Map<String, String> byGroup = new HashMap<>();
        for (Row r : rs) {
            version = instant(r.getOffsetDateTime(0));
            if (r.getString(1) != null) {
                byGroup.put(r.getString(1), r.getString(2));
            }
        }
        return new RoleMappings(version, byGroup);
    }

    @Override
    public Future<Organization> replaceRoleMappings(UUID orgId, String defaultRole, Map<String, String> mappings, Instant now) {
        List<Tuple> rows = new ArrayList<>();
        mappings.forEach((group, role) -> rows.add(Tuple.of(orgId, group, role)));
        // The organisation's row first: its lock keeps a replacement from deleting before another one
        // commits its inserts (which would leave both sets, or fail on a group both name), and the
        // mappings are read only once it is held, so they are the last replacement's.
        return pool.withTransaction(conn -> conn.preparedQuery(Sql.ORG_LOCK).execute(Tuple.of(orgId)).compose(locked -> {
            if (locked.size() == 0) {
                return Future.succeededFuture(null);
            }
            Organization current = PgOrganizationStore.organization(locked.iterator().next());
            return conn.preparedQuery(Sql.ROLE_MAPPINGS).execute(Tuple.of(orgId)).compose(stored -> {
                if (current.defaultRole().wireName().equals(defaultRole) && roleMappings(stored).byGroup().equals(mappings)) {
                    return Future.succeededFuture(current);
                }
                return conn.preparedQuery(Sql.ORG_DEFAULT_ROLE).execute(Tuple.of(orgId, ts(now), defaultRole))
                        .compose(written -> conn.preparedQuery(Sql.ROLE_MAPPINGS_CLEAR).execute(Tuple.of(orgId))
                                .compose(v -> rows.isEmpty() ? Future.succeededFuture()
                                        : conn.preparedQuery(Sql.ROLE_MAPPING_INSERT).executeBatch(rows).mapEmpty())
                                .compose(v -> AdminChangeFeed.notify(conn, AdminChangeFeed.organization(orgId)))
                                .map(v -> PgOrganizationStore.organization(written.iterator().next())));
            });
        }));
    }
}
