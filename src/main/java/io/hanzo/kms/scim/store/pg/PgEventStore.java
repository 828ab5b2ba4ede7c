package io.hanzo.kms.scim.store.pg;

import static io.hanzo.kms.scim.store.pg.Rows.instant;
import static io.hanzo.kms.scim.store.pg.Rows.ts;

import io.hanzo.kms.scim.protocol.ShortText;
import io.hanzo.kms.scim.store.Audit;
import io.hanzo.kms.scim.store.EventStore;
import io.hanzo.kms.scim.store.Ids;
import io.hanzo.kms.scim.store.ScimEvent;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

public final class PgEventStore implements EventStore {
    /** PostgreSQL orders uuids as unsigned bytes: all ones comes last. */
    private static final UUID AFTER_ALL = new UUID(-1L, -1L);

    private final Pool pool;

    public PgEventStore(Pool pool) {
        this.pool = pool;
    }

    @Override
    public Future<Void> record(ScimEvent e) {
        return insert(pool, Sql.EVENT_RECORD, e);
    }

    /** Writes an event with the client given (a change's transaction, or the pool). */
    private static Future<Void> insert(SqlClient client, String statement, ScimEvent e) {
        return client.preparedQuery(statement).execute(Tuple.tuple()
                        .addUUID(e.orgId()).addUUID(e.id()).addOffsetDateTime(ts(e.at())).addUUID(e.tokenId())
                        .addString(storable(e.operation())).addString(storable(e.resourceType()))
                        .addString(storable(e.resourceId())).addInteger(e.status()).addString(e.outcome())
                        .addString(storable(e.detail())))
                .mapEmpty();
    }

    /** Longest text an event keeps of one field, in characters. */
    static final int MAX_TEXT = 1000;

    /**
     * Text as PostgreSQL can keep it, and as the events list should: events quote what clients sent
     * (a path, a member id, a Bulk operation's method), text columns cannot hold U+0000, and a client
     * must not fill its organisation's events with megabytes.
     */
    static String storable(String s) {
        return s == null ? null : ShortText.cut(s, MAX_TEXT).replace('\u0000', '\uFFFD');
    }

    /** The success event of a change made in the transaction {@code client} belongs to. */
    static Future<Void> success(SqlClient client, UUID orgId, Audit audit, Instant at, String resourceType,
                                UUID resourceId, int status, String detail) {
        if (audit == null) {
            return Future.succeededFuture();
        }
        return insert(client, Sql.EVENT_INSERT, new ScimEvent(orgId, Ids.newId(), at, audit.tokenId(), audit.operation(),
                resourceType, resourceId.toString(), status, "success", detail));
    }

    /**
     * Event ids are time-ordered (version 7), so "made before the cutoff" is "id below the smallest id
     * of the cutoff's millisecond": a range of the (org_id, id) primary key, one organisation at a time.
     */
    @Override
    public Future<Integer> pruneBefore(UUID orgId, Instant cutoff, int batch) {
        return pool.preparedQuery(Sql.EVENTS_PRUNE).execute(Tuple.of(orgId, Ids.smallestAt(cutoff), batch))
                .map(rs -> rs.rowCount());
    }

    @Override
    public Future<List<ScimEvent>> page(UUID orgId, UUID before, String outcome, String resourceType, int limit) {
        return pool.preparedQuery(Sql.EVENTS_PAGE)
                .execute(Tuple.of(orgId, before == null ? AFTER_ALL : before, outcome, resourceType, limit))
                .map(rs -> {
                    List<ScimEvent> out = new ArrayList<>(rs.size());
                    for (Row r : rs) {
                        out.add(new ScimEvent(r.getUUID(0), r.getUUID(1), instant(r.getOffsetDateTime(2)), r.getUUID(3),
                                r.getString(4), r.getString(5), r.getString(6), r.getInteger(7), r.getString(8),
                                r.getString(9)));
                    }
                    return out;
                });
    }
}
