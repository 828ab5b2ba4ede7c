package io.hanzo.kms.scim.store.pg;

import static io.hanzo.kms.scim.store.pg.Rows.instant;
import static io.hanzo.kms.scim.store.pg.Rows.ts;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hanzo.kms.scim.admin.InvitationSender;
import io.hanzo.kms.scim.protocol.Json;
import io.hanzo.kms.scim.store.Audit;
import io.hanzo.kms.scim.store.DuplicateKeyException;
import io.hanzo.kms.scim.store.Ids;
import io.hanzo.kms.scim.store.OrganizationErasedException;
import io.hanzo.kms.scim.store.ResourceChange;
import io.hanzo.kms.scim.store.UserRow;
import io.hanzo.kms.scim.store.UserStore;
import io.vertx.core.Future;
import io.hanzo.kms.scim.store.StatementRefusedException;
import io.hanzo.kms.scim.store.StoredUser;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

public final class PgUserStore implements UserStore {
    private static final int STREAM_FETCH = 2000;
    /** Users per batch handed to the loader, and batches it may have unfinished (one per core, and one more). */
    static final int LOAD_BATCH = 1000;
    static final int LOAD_BATCHES_IN_FLIGHT = Runtime.getRuntime().availableProcessors() + 1;

    private final Pool pool;

    public PgUserStore(Pool pool) {
        this.pool = pool;
    }

    @Override
    public Future<List<UserRow>> insertAll(UUID orgId, List<UUID> ids, List<ObjectNode> attributes, List<Audit> audits) {
        int n = ids.size();
        String[] userNames = new String[n];
        String[] externalIds = new String[n];
        Boolean[] active = new Boolean[n];
        String[] json = new String[n];
        UUID[] eventIds = new UUID[n];
        UUID[] tokenIds = new UUID[n];
        String[] operations = new String[n];
        for (int i = 0; i < n; i++) {
            ObjectNode a = attributes.get(i);
            userNames[i] = text(a, "userName");
            externalIds[i] = text(a, "externalId");
            active[i] = a.path("active").asBoolean(true);
            json[i] = json(a);
            eventIds[i] = Ids.newId();
            tokenIds[i] = audits.get(i) == null ? null : audits.get(i).tokenId();
            operations[i] = audits.get(i) == null ? "POST /Users" : audits.get(i).operation();
        }
        Tuple t = Tuple.tuple().addUUID(orgId).addArrayOfUUID(ids.toArray(new UUID[0])).addArrayOfString(userNames)
                .addArrayOfString(externalIds).addArrayOfBoolean(active).addArrayOfString(json).addOffsetDateTime(ts(now()))
                .addArrayOfUUID(eventIds).addArrayOfUUID(tokenIds).addArrayOfString(operations);
        Map<UUID, ObjectNode> byId = new HashMap<>();
        for (int i = 0; i < n; i++) {
            byId.put(ids.get(i), attributes.get(i));
        }
        return pool.preparedQuery(Sql.USER_INSERT_MANY).execute(t).<List<UserRow>>map(rs -> {
            List<UserRow> out = new ArrayList<>(rs.size());
            for (Row r : rs) {
                if (r.getUUID(1) == null) {
                    throw new OrganizationErasedException(orgId);
                }
                out.add(written(r, byId.get(r.getUUID(1))));
            }
            return out;
        }).recover(failure -> Future.failedFuture(failure instanceof PgException pg
                ? new StatementRefusedException("The database refused the insert (SQLSTATE " + pg.getSqlState() + ")", pg)
                : failure));
    }

    /**
     * The write, then what it means for the person's invitations ({@code Sql.USER_INVITATIONS_FOLLOW}),
     * in one transaction and one round trip: no link minted for an address the person no longer has
     * outlives the write that changed it, whichever instance claimed it.
     */
    @Override
    public Future<Optional<UserRow>> replace(UUID orgId, UUID id, long expectedVersion, ObjectNode attributes, Audit audit) {
        Instant at = now();
        Tuple t = Tuple.tuple()
                .addUUID(orgId).addUUID(id)
                .addString(text(attributes, "userName")).addString(text(attributes, "externalId"))
                .addBoolean(attributes.path("active").asBoolean(true))
                .addString(json(attributes))
                .addLong(expectedVersion)
                .addOffsetDateTime(ts(at))
                .addUUID(Ids.newId())
                .addUUID(audit == null ? null : audit.tokenId())
                .addString(audit == null ? "PUT /Users" : audit.operation());
        Tuple invitations = Tuple.of(orgId, id, ts(at),
                InvitationSender.recipient(attributes.get("emails"), text(attributes, "userName")), Ids.newId());
        return PipelinedTransactions.oneRoundTrip(pool, conn -> List.of(
                        conn.preparedQuery(Sql.USER_REPLACE).execute(t),
                        conn.preparedQuery(Sql.USER_INVITATIONS_FOLLOW).execute(invitations)))
                .recover(PgUserStore::translate)
                .map(answers -> answers.get(0).size() == 0 ? Optional.<UserRow>empty()
                        : Optional.of(written(answers.get(0).iterator().next(), attributes)));
    }

    @Override
    public Future<Boolean> delete(UUID orgId, UUID id, Long expectedVersion, Audit audit) {
        Instant at = now();
        return ResourceDeletes.delete(pool, Sql.USER_DELETE, Sql.USER_DELETE_REST, ResourceChange.Kind.USER_DELETED,
                orgId, id, expectedVersion, audit, Tuple.of(orgId, id), at);
    }

    @Override
    public Future<Optional<UserRow>> find(UUID orgId, UUID id) {
        return pool.preparedQuery(Sql.USER_FIND).execute(Tuple.of(orgId, id)).map(PgUserStore::first);
    }

    @Override
    public Future<Optional<UserRow>> unchanged(UUID orgId, UUID id, long expectedVersion, Audit audit) {
        Tuple t = Tuple.tuple().addUUID(orgId).addUUID(id).addLong(expectedVersion).addUUID(Ids.newId())
                .addOffsetDateTime(ts(now())).addUUID(audit == null ? null : audit.tokenId())
                .addString(audit == null ? "PUT /Users" : audit.operation());
        return pool.preparedQuery(Sql.USER_UNCHANGED).execute(t).map(PgUserStore::first);
    }

    @Override
    public Future<Void> forEach(UUID orgId, Function<List<StoredUser>, Future<Void>> sink) {
        return pool.withTransaction(conn -> conn.prepare(Sql.USER_ALL).compose(ps ->
                BatchedStream.consume(ps.createStream(STREAM_FETCH, Tuple.of(orgId)), r -> stored(orgId, r),
                        LOAD_BATCH, LOAD_BATCHES_IN_FLIGHT, sink)));
    }

    @Override
    public Future<Integer> count(UUID orgId) {
        return pool.preparedQuery(Sql.USER_COUNT).execute(Tuple.of(orgId))
                .map(rs -> (int) Math.min(Integer.MAX_VALUE, rs.iterator().next().getLong(0)));
    }

    private static StoredUser stored(UUID orgId, Row r) {
        return new StoredUser(orgId, r.getUUID(0), r.getString(1), r.getLong(2), instant(r.getOffsetDateTime(3)),
                instant(r.getOffsetDateTime(4)), r.getString(5), r.getString(6), r.getString(7), r.getArrayOfStrings(8));
    }

    /** Timestamps are kept to the millisecond so that what is returned equals what is stored. */
    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }

    private static Optional<UserRow> first(RowSet<Row> rs) {
        return rs.size() == 0 ? Optional.empty() : Optional.of(row(rs.iterator().next()));
    }

    /** A row a write returned (no attributes column) with the attributes it wrote. */
    private static UserRow written(Row r, ObjectNode attributes) {
        return new UserRow(r.getUUID(0), r.getUUID(1), attributes, r.getLong(2), instant(r.getOffsetDateTime(3)),
                instant(r.getOffsetDateTime(4)));
    }

    private static UserRow row(Row r) {
        ObjectNode attributes = (ObjectNode) Json.parse(r.getString(2).getBytes(StandardCharsets.UTF_8));
        return new UserRow(r.getUUID(0), r.getUUID(1), attributes, r.getLong(3), instant(r.getOffsetDateTime(4)),
                instant(r.getOffsetDateTime(5)));
    }

    private static <T> Future<T> translate(Throwable failure) {
        if (failure instanceof PgException pg && Sql.UNIQUE_VIOLATION.equals(pg.getSqlState())
                && Sql.USER_NAME_KEY.equals(pg.getConstraint())) {
            return Future.failedFuture(new DuplicateKeyException("userName"));
        }
        return Future.failedFuture(failure);
    }

    private static String text(ObjectNode attributes, String name) {
        return attributes.hasNonNull(name) ? attributes.get(name).asText() : null;
    }

    private static String json(ObjectNode attributes) {
        return Json.text(attributes);
    }
}
