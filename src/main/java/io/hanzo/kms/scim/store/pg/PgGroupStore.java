package io.hanzo.kms.scim.store.pg;

import static io.hanzo.kms.scim.store.pg.Rows.instant;
import static io.hanzo.kms.scim.store.pg.Rows.ts;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hanzo.kms.scim.protocol.Json;
import io.hanzo.kms.scim.protocol.group.MemberOp;
import io.hanzo.kms.scim.store.Audit;
import io.hanzo.kms.scim.store.DuplicateKeyException;
import io.hanzo.kms.scim.store.OrganizationErasedException;
import io.hanzo.kms.scim.store.GroupRow;
import io.hanzo.kms.scim.store.GroupSnapshot;
import io.hanzo.kms.scim.store.ResourceChange;
import io.hanzo.kms.scim.store.GroupStore;
import io.hanzo.kms.scim.store.GroupWrite;
import io.hanzo.kms.scim.store.Ids;
import io.hanzo.kms.scim.store.MemberPatch;
import io.hanzo.kms.scim.store.MemberPatchBatch;
import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiConsumer;
import java.util.function.Function;

public final class PgGroupStore implements GroupStore {
    /** Users per fetch and per batch when loading memberships (a row holds one user's groups). */
    private static final int MEMBERSHIPS_FETCH = 2000;
    private static final int MEMBERSHIPS_BATCH = 2000;

    private final Pool pool;

    public PgGroupStore(Pool pool) {
        this.pool = pool;
    }

    /**
     * Two round trips (see {@link PipelinedTransactions#twoRoundTrips}): the settings, the group's row
     * and its members are sent with BEGIN; the event and the change-feed row, which name what the
     * members' statements changed, go with COMMIT.
     *
     * <p>The transaction plans by key ({@link Sql#PLANS_BY_KEY}). MEMBERS_ADD probes each user by key:
     * its custom plan, made for an organisation the statistics do not know (so estimated at hardly any
     * rows), took another index on the organisation alone for each probe and read every user of the
     * organisation per id (4.5 s and 10.7 million buffers for 1,000 ids at 50,000 users), where the
     * generic plan probes the primary key (32 ms).
     */
    @Override
    public Future<GroupWrite> insert(UUID orgId, UUID id, ObjectNode attributes, List<String> memberIds, Audit audit) {
        Tuple insert = Tuple.of(orgId, id, text(attributes, "displayName"), text(attributes, "externalId"),
                json(attributes), ts(now()));
        List<MemberStep> steps = new ArrayList<>();
        return PipelinedTransactions.twoRoundTrips(pool, conn -> {
            // In this order: a failed setting fails the writes after it (the transaction is aborted).
            List<Future<RowSet<Row>>> sent = new ArrayList<>(List.of(conn.query(Sql.PLANS_BY_KEY).execute(),
                    conn.preparedQuery(Sql.GROUP_INSERT).execute(insert)));
            steps.addAll(add(conn, orgId, id, memberIds));
            sent.addAll(MemberStep.answers(steps));
            return sent;
        }, (conn, answers) -> {
            if (answers.get(1).size() == 0) {
                throw new OrganizationErasedException(orgId);
            }
            GroupRow row = row(answers.get(1).iterator().next());
            Delta delta = MemberStep.applyAll(steps);
            return PipelinedTransactions.Record.commit(record(conn, orgId, audit, row, 201, delta), delta.write(row));
        }).recover(PgGroupStore::translate);
    }

    /**
     * Two round trips, as {@link #insert}: the group's row lock (at the expected version) and every
     * membership operation go with BEGIN. When the lock finds no row, the membership statements sent
     * behind it do nothing ({@link Sql#GROUP_WRITTEN_HERE}: another writer may hold the lock) and the
     * transaction is rolled back. Otherwise the row is written with COMMIT when the new attributes
     * differ from the locked ones or a membership changed; a write that changes nothing records its
     * event and leaves the group's version and lastModified as they were (RFC 7644 §3.5.2.1). The
     * lock is held, so the written version is the locked one plus one.
     */
    @Override
    public Future<Optional<GroupWrite>> update(UUID orgId, UUID id, ObjectNode attributes, Long expectedVersion,
                                               List<MemberOp> memberOps, Audit audit) {
        Instant at = now();
        Tuple locking = Tuple.of(orgId, id, expectedVersion);
        List<MemberStep> steps = new ArrayList<>();
        return PipelinedTransactions.<Optional<GroupWrite>>twoRoundTrips(pool, conn -> {
            List<Future<RowSet<Row>>> sent = new ArrayList<>(List.of(conn.query(Sql.PLANS_BY_KEY).execute(),
                    conn.preparedQuery(Sql.GROUP_LOCK).execute(locking)));
            for (MemberOp op : memberOps) {
                steps.addAll(apply(conn, orgId, id, op));
            }
            sent.addAll(MemberStep.answers(steps));
            return sent;
        }, (conn, answers) -> {
            RowSet<Row> locked = answers.get(1);
            if (locked.size() == 0) {
                return PipelinedTransactions.Record.rollBack(Optional.empty());
            }
            GroupRow held = row(locked.iterator().next());
            Delta delta = MemberStep.applyAll(steps);
            int status = audit == null ? 200 : audit.statusOr(200);
            boolean renamed = attributes != null && !attributes.equals(held.attributes());
            if (!renamed && delta.isEmpty()) {
                return PipelinedTransactions.Record.commit(List.of(event(conn, orgId, audit, held, status, delta)),
                        Optional.of(delta.unchanged(held)));
            }
            GroupRow row = new GroupRow(orgId, id, renamed ? attributes : held.attributes(), held.version() + 1,
                    held.created(), at);
            Future<?> write = renamed
                    ? conn.preparedQuery(Sql.GROUP_UPDATE).execute(Tuple.of(orgId, id, text(attributes, "displayName"),
                            text(attributes, "externalId"), json(attributes), ts(at)))
                    : conn.preparedQuery(Sql.GROUP_TOUCH).execute(Tuple.of(orgId, id, ts(at)));
            List<Future<?>> statements = new ArrayList<>(List.of(write));
            statements.addAll(record(conn, orgId, audit, row, status, delta));
            return PipelinedTransactions.Record.commit(statements, Optional.of(delta.write(row)));
        }).recover(PgGroupStore::translate);
    }

    /**
     * One transaction per batch, in one round trip: BEGIN, the group's row lock ({@code GROUP_LOCK}),
     * the whole change with its feed row and events ({@code MEMBERS_BATCH}) and COMMIT are sent
     * together, since nothing in the second statement is bound to what the first answers; the
     * transaction plans its statements by key ({@link Sql#PLANS_BY_KEY}). PostgreSQL
     * runs them in order; when one fails the rest of the transaction fails with it and COMMIT rolls it
     * back, so either all of the batch is durable when this completes, or none of it and this fails.
     */
    @Override
    public Future<Optional<GroupWrite>> updateMembers(UUID orgId, UUID id, MemberPatchBatch batch) {
        // Everything is bound before BEGIN is sent: nothing can fail between it and COMMIT on this side.
        Instant at = now();
        Tuple lock = Tuple.of(orgId, id, null);
        Tuple change = membersBatch(orgId, id, batch, at);
        return PipelinedTransactions.oneRoundTrip(pool, conn -> List.of(
                conn.query(Sql.PLANS_BY_KEY).execute(),
                conn.preparedQuery(Sql.GROUP_LOCK).execute(lock),
                conn.preparedQuery(Sql.MEMBERS_BATCH).execute(change))).map(answers -> {
            RowSet<Row> rs = answers.get(1);
            if (rs.size() == 0) {
                return Optional.<GroupWrite>empty();
            }
            GroupRow held = row(rs.iterator().next());
            Row r = answers.get(2).iterator().next();
            Set<UUID> added = new LinkedHashSet<>(List.of(r.getArrayOfUUIDs(0)));
            Set<UUID> removed = new LinkedHashSet<>(List.of(r.getArrayOfUUIDs(1)));
            Set<UUID> users = Set.of(r.getArrayOfUUIDs(2));
            Long version = r.getLong(3);
            List<String> allSkipped = new ArrayList<>();
            for (int i = 0; i < batch.size(); i++) {
                allSkipped.addAll(batch.skipped(i, users));
            }
            if (version == null) {
                return Optional.of(new GroupWrite(held, added, removed, allSkipped, false));
            }
            GroupRow row = new GroupRow(orgId, id, held.attributes(), version, held.created(), at);
            return Optional.of(new GroupWrite(row, added, removed, allSkipped, true));
        });
    }

    /** MEMBERS_BATCH's parameters: the net change, and each audited request's event with its skip candidates. */
    private static Tuple membersBatch(UUID orgId, UUID id, MemberPatchBatch batch, Instant at) {
        List<UUID> events = new ArrayList<>();
        List<UUID> tokens = new ArrayList<>();
        List<String> operations = new ArrayList<>();
        List<Integer> eventRequests = new ArrayList<>();
        List<Integer> statuses = new ArrayList<>();
        List<Integer> candidateRequests = new ArrayList<>();
        List<String> candidates = new ArrayList<>();
        List<UUID> candidateIds = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            Audit audit = batch.patches().get(i).audit();
            if (audit == null) {
                continue;
            }
            events.add(Ids.newId());
            tokens.add(audit.tokenId());
            operations.add(PgEventStore.storable(audit.operation()));
            eventRequests.add(i);
            statuses.add(audit.statusOr(200));
            for (String bad : batch.unparseable(i)) {
                candidateRequests.add(i);
                candidates.add(PgEventStore.storable(bad));
                candidateIds.add(null);
            }
            for (UUID u : batch.adds(i)) {
                candidateRequests.add(i);
                candidates.add(u.toString());
                candidateIds.add(u);
            }
        }
        return Tuple.tuple().addUUID(orgId).addUUID(id)
                .addArrayOfUUID(batch.toCheck()).addArrayOfUUID(batch.netRemoved()).addArrayOfUUID(batch.netAdded())
                .addString("Group").addString(id.toString())
                .addArrayOfUUID(events.toArray(new UUID[0])).addArrayOfUUID(tokens.toArray(new UUID[0]))
                .addArrayOfString(operations.toArray(new String[0])).addArrayOfInteger(eventRequests.toArray(new Integer[0]))
                .addArrayOfInteger(candidateRequests.toArray(new Integer[0])).addArrayOfString(candidates.toArray(new String[0]))
                .addArrayOfUUID(candidateIds.toArray(new UUID[0]))
                .addArrayOfInteger(statuses.toArray(new Integer[0])).addOffsetDateTime(ts(at));
    }

    @Override
    public Future<Boolean> delete(UUID orgId, UUID id, Long expectedVersion, Audit audit) {
        return ResourceDeletes.delete(pool, Sql.GROUP_DELETE, Sql.GROUP_DELETE_REST, ResourceChange.Kind.GROUP_DELETED,
                orgId, id, expectedVersion, audit, Tuple.of(orgId, id), now());
    }

    @Override
    public Future<Optional<GroupSnapshot>> find(UUID orgId, UUID id) {
        return pool.preparedQuery(Sql.GROUP_WITH_MEMBERS).execute(Tuple.of(orgId, id)).map(rs -> {
            if (rs.size() == 0) {
                return Optional.empty();
            }
            Row r = rs.iterator().next();
            return Optional.of(new GroupSnapshot(row(r), List.of(r.getArrayOfUUIDs(6))));
        });
    }

    @Override
    public Future<List<GroupRow>> all(UUID orgId) {
        return pool.preparedQuery(Sql.GROUP_ALL).execute(Tuple.of(orgId)).map(rs -> {
            List<GroupRow> out = new ArrayList<>(rs.size());
            for (Row r : rs) {
                out.add(row(r));
            }
            return out;
        });
    }

    @Override
    public Future<Void> memberships(UUID orgId, Function<List<UserMemberships>, Future<Void>> sink) {
        // One row per user, from an index that holds both ids (no table reads), in user order: the
        // index then appends each user to its groups already in order (see MembershipLoad).
        return pool.withTransaction(conn -> conn.prepare(Sql.MEMBERSHIPS_OF_ORG_BY_USER).compose(ps ->
                BatchedStream.consume(ps.createStream(MEMBERSHIPS_FETCH, Tuple.of(orgId)),
                        r -> new UserMemberships(r.getUUID(0), r.getBuffer(1).getBytes()),
                        MEMBERSHIPS_BATCH, PgUserStore.LOAD_BATCHES_IN_FLIGHT, sink)));
    }

    /** A membership operation's statements, sent at once. */
    private static List<MemberStep> apply(SqlConnection conn, UUID orgId, UUID groupId, MemberOp op) {
        switch (op.kind()) {
            case ADD:
                return add(conn, orgId, groupId, op.ids());
            case REMOVE: {
                UUID[] ids = uuids(op.ids(), null);
                if (ids.length == 0) {
                    return List.of();
                }
                return List.of(new MemberStep(conn.preparedQuery(Sql.MEMBERS_REMOVE).execute(Tuple.of(orgId, groupId, ids)),
                        (rs, delta) -> delta.removed(rs)));
            }
            case REMOVE_ALL:
                return List.of(new MemberStep(conn.preparedQuery(Sql.MEMBERS_REMOVE_ALL).execute(Tuple.of(orgId, groupId)),
                        (rs, delta) -> delta.removed(rs)));
            default: {
                List<MemberStep> steps = new ArrayList<>();
                steps.add(new MemberStep(conn.preparedQuery(Sql.MEMBERS_KEEP_ONLY)
                        .execute(Tuple.of(orgId, groupId, uuids(op.ids(), null))), (rs, delta) -> delta.removed(rs)));
                steps.addAll(add(conn, orgId, groupId, op.ids()));
                return steps;
            }
        }
    }

    /** Adds the ids that name users; the others are skipped, in the order requested. */
    private static List<MemberStep> add(SqlConnection conn, UUID orgId, UUID groupId, List<String> requested) {
        List<String> skipped = new ArrayList<>();
        UUID[] ids = uuids(requested, skipped);
        if (ids.length == 0) {
            return List.of(new MemberStep(null, (rs, delta) -> delta.skipped.addAll(skipped)));
        }
        return List.of(new MemberStep(conn.preparedQuery(Sql.MEMBERS_ADD).execute(Tuple.of(orgId, groupId, ids)),
                (rs, delta) -> {
                    Row r = rs.iterator().next();
                    for (UUID u : r.getArrayOfUUIDs(0)) {
                        delta.add(u);
                    }
                    Set<UUID> known = Set.of(r.getArrayOfUUIDs(1));
                    for (UUID u : ids) {
                        if (!known.contains(u)) {
                            skipped.add(u.toString());
                        }
                    }
                    delta.skipped.addAll(skipped);
                }));
    }

    /** What records a write: its event (when audited) and its change-feed row, sent at once. */
    private static List<Future<?>> record(SqlConnection conn, UUID orgId, Audit audit, GroupRow row, int status,
                                          Delta delta) {
        return List.of(event(conn, orgId, audit, row, status, delta), feed(conn, row, delta));
    }

    /**
     * A membership statement of a group write (none for ids that cannot be users) and what its answer
     * adds to the write's net change, applied in the order the statements were sent.
     */
    private record MemberStep(Future<RowSet<Row>> answer, BiConsumer<RowSet<Row>, Delta> change) {
        static List<Future<RowSet<Row>>> answers(List<MemberStep> steps) {
            List<Future<RowSet<Row>>> out = new ArrayList<>();
            for (MemberStep step : steps) {
                if (step.answer() != null) {
                    out.add(step.answer());
                }
            }
            return out;
        }

        static Delta applyAll(List<MemberStep> steps) {
            Delta delta = new Delta();
            for (MemberStep step : steps) {
                step.change().accept(step.answer() == null ? null : step.answer().result(), delta);
            }
            return delta;
        }
    }

    /** The write in the change feed, for the other instances' indexes. */
    private static Future<Void> feed(SqlConnection conn, GroupRow row, Delta delta) {
        return conn.preparedQuery(Sql.FEED_GROUP).execute(Tuple.tuple().addUUID(row.orgId()).addUUID(row.id())
                        .addLong(row.version()).addString(json(row.attributes())).addOffsetDateTime(ts(row.created()))
                        .addOffsetDateTime(ts(row.lastModified())).addArrayOfUUID(delta.added.toArray(new UUID[0]))
                        .addArrayOfUUID(delta.removed.toArray(new UUID[0])))
                .mapEmpty();
    }

    /** The write's event; member ids it skipped are named, so an admin can see them. */
    private static Future<Void> event(SqlConnection conn, UUID orgId, Audit audit, GroupRow row, int status, Delta delta) {
        return PgEventStore.success(conn, orgId, audit, now(), "Group", row.id(), status, skippedDetail(delta.skipped));
    }

    private static String skippedDetail(List<String> skipped) {
        if (skipped.isEmpty()) {
            return null;
        }
        List<String> shown = skipped.subList(0, Math.min(50, skipped.size()));
        return "Skipped " + skipped.size() + " member id(s) that name no user of the organization: "
                + String.join(", ", shown) + (shown.size() < skipped.size() ? ", ..." : "");
    }

    /** The ids that can be user ids; the others name no user and go to {@code skipped}. */
    private static UUID[] uuids(List<String> ids, List<String> skipped) {
        Set<UUID> out = new LinkedHashSet<>();
        for (String s : ids) {
            UUID u = Ids.parseOrNull(s);
            if (u != null) {
                out.add(u);
            } else if (skipped != null) {
                skipped.add(s);
            }
        }
        return out.toArray(new UUID[0]);
    }

    /** The net membership change of one transaction: an add then a remove of one id is no change. */
    private static final class Delta {
        final Set<UUID> added = new LinkedHashSet<>();
        final Set<UUID> removed = new LinkedHashSet<>();
        final List<String> skipped = new ArrayList<>();

        void add(UUID u) {
            if (!removed.remove(u)) {
                added.add(u);
            }
        }

        Void removed(RowSet<Row> rs) {
            for (Row r : rs) {
                UUID u = r.getUUID(0);
                if (!added.remove(u)) {
                    removed.add(u);
                }
            }
            return null;
        }

        boolean isEmpty() {
            return added.isEmpty() && removed.isEmpty();
        }

        GroupWrite write(GroupRow row) {
            return new GroupWrite(row, added, removed, skipped, true);
        }

        /** The write of a group left as it was ({@code held}, as locked). */
        GroupWrite unchanged(GroupRow held) {
            return new GroupWrite(held, added, removed, skipped, false);
        }
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }

    private static GroupRow row(Row r) {
        ObjectNode attributes = (ObjectNode) Json.parse(r.getString(2).getBytes(StandardCharsets.UTF_8));
        return new GroupRow(r.getUUID(0), r.getUUID(1), attributes, r.getLong(3), instant(r.getOffsetDateTime(4)),
                instant(r.getOffsetDateTime(5)));
    }

    private static <T> Future<T> translate(Throwable failure) {
        // Only the displayName's index: a membership's primary key refusing a repeat would be a write
        // that bypassed the group's lock, a fault of the server rather than a taken name.
        if (failure instanceof PgException pg && Sql.UNIQUE_VIOLATION.equals(pg.getSqlState())
                && Sql.GROUP_DISPLAY_NAME_KEY.equals(pg.getConstraint())) {
            return Future.failedFuture(new DuplicateKeyException("displayName"));
        }
        return Future.failedFuture(failure);
    }

    private static String text(ObjectNode attributes, String name) {
        return attributes.hasNonNull(name) ? attributes.get(name).asText() : null;
    }

    private static String json(ObjectNode attributes) {
        return new String(Json.bytes(attributes), StandardCharsets.UTF_8);
    }
}
