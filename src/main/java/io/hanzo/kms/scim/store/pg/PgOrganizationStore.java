package io.hanzo.kms.scim.store.pg;

import static io.hanzo.kms.scim.store.pg.Rows.instant;
import static io.hanzo.kms.scim.store.pg.Rows.ts;

import io.hanzo.kms.scim.admin.Organization;
import io.hanzo.kms.scim.admin.Plan;
import io.hanzo.kms.scim.admin.Role;
import io.hanzo.kms.scim.concurrent.OneAfterAnother;
import io.hanzo.kms.scim.store.OrganizationStore;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.UnaryOperator;

public final class PgOrganizationStore implements OrganizationStore {
    /**
     * How often an erasure empties the tables before it leaves the rest to its next attempt: the first
     * time passing over the rows others hold, then waiting for them.
     */
    private static final int ERASURE_PASSES = 3;
    private final Pool pool;

    public PgOrganizationStore(Pool pool) {
        this.pool = pool;
    }

    @Override
    public Future<Organization> insert(Organization o) {
        return pool.withTransaction(conn -> conn.preparedQuery(Sql.ORG_INSERT)
                .execute(Tuple.of(o.id(), o.name(), o.plan().wireName(), o.scimEnabled(), ts(o.createdAt()), ts(o.updatedAt())))
                .compose(rs -> AdminChangeFeed.notify(conn, AdminChangeFeed.organization(o.id())))
                .map(v -> o));
    }

    @Override
    public Future<Organization> update(UUID id, UnaryOperator<Organization> change, Instant now) {
        return pool.withTransaction(conn -> conn.preparedQuery(Sql.ORG_LOCK).execute(Tuple.of(id)).compose(rs -> {
            if (rs.size() == 0) {
                return Future.succeededFuture(null);
            }
            Organization current = organization(rs.iterator().next());
            Organization changed;
            try {
                changed = change.apply(current);
            } catch (RuntimeException refused) {
                return Future.failedFuture(refused); // rolled back: nothing written
            }
            if (changed.equals(current)) {
                // Nothing to write: updated_at stays, and no instance has anything to reload.
                return Future.succeededFuture(current);
            }
            return conn.preparedQuery(Sql.ORG_UPDATE)
                    .execute(Tuple.of(id, ts(now), changed.plan().wireName(), changed.scimEnabled()))
                    .compose(written -> AdminChangeFeed.notify(conn, AdminChangeFeed.organization(id))
                            .map(v -> organization(written.iterator().next())));
        }));
    }

    @Override
    public Future<Organization> find(UUID id) {
        return pool.preparedQuery(Sql.ORG_FIND).execute(Tuple.of(id))
                .map(rs -> rs.size() == 0 ? null : organization(rs.iterator().next()));
    }

    /** Reads the columns of {@code Sql.ORG_COLUMNS}. */
    static Organization organization(Row r) {
        return new Organization(r.getUUID(0), r.getString(1), Plan.fromWireName(r.getString(2)), r.getBoolean(3),
                Role.fromWireName(r.getString(6)), instant(r.getOffsetDateTime(4)), instant(r.getOffsetDateTime(5)));
    }

    @Override
    public Future<Boolean> erase(UUID id, Instant at) {
        return pool.withTransaction(conn -> conn.preparedQuery(Sql.ORG_ERASE).execute(Tuple.of(id, ts(at)))
                .compose(rs -> rs.size() == 0 ? Future.succeededFuture(false)
                        : AdminChangeFeed.notify(conn, AdminChangeFeed.organization(id)).map(true)));
    }

    @Override
    public Future<List<UUID>> erasing() {
        return pool.preparedQuery(Sql.ORG_ERASING).execute().map(rs -> {
            List<UUID> out = new ArrayList<>(rs.size());
            rs.forEach(r -> out.add(r.getUUID(0)));
            return out;
        });
    }

    @Override
    public Future<Long> finishErasure(UUID id, int batch) {
        return finishErasure(id, batch, 0L, 1);
    }

    /**
     * Empties the tables, then deletes the organisation's row once none holds a row of it. Every write
     * that could still add one either committed before the erasure began or holds a row the erasure
     * deletes first. The first pass passes over the rows others hold (a write's, another instance's
     * erasure's); should rows be left, the tables are emptied again waiting for them, and after
     * {@link #ERASURE_PASSES} the erasure is left for the next attempt.
     */
    private Future<Long> finishErasure(UUID id, int batch, long before, int pass) {
        List<Sql.EraseBatch> batches = pass == 1 ? Sql.ORG_ERASE_BATCHES : Sql.ORG_ERASE_BATCHES_WAITING;
        // Waiting, one row at a time (see Sql.ORG_ERASE_BATCHES_WAITING).
        return emptyTables(id, batches, pass == 1 ? batch : 1, before).compose(rows -> pool.withTransaction(conn -> conn.query(Sql.PLANS_BY_KEY)
                        .execute().compose(planned -> conn.preparedQuery(Sql.ORG_ERASE_LAST_LOCK).execute(Tuple.of(id)))
                        .compose(locked -> locked.size() == 0
                                ? Future.succeededFuture(rows) // finished by another instance
                                : conn.preparedQuery(Sql.ORG_ERASE_LAST).execute(Tuple.of(id))
                                        .map(rs -> rs.rowCount() == 1 ? Long.valueOf(rows + 1) : null)))
                .compose(done -> {
                    if (done != null) {
                        return Future.succeededFuture(done);
                    }
                    return pass == ERASURE_PASSES
                            ? Future.failedFuture(new IllegalStateException("rows of organization " + id
                                    + " kept appearing during its erasure"))
                            : finishErasure(id, batch, rows, pass + 1);
                }));
    }

    /**
     * Each table's batches in turn, each after the key the one before answered, until one finds no
     * row; one after another without nesting futures (an organisation of millions of rows takes tens of
     * thousands of batches). Answers {@code before} plus the rows deleted.
     */
    private Future<Long> emptyTables(UUID id, List<Sql.EraseBatch> batches, int batch, long before) {
        long[] rows = {before};
        int[] table = {0};
        Row[] after = {null};
        return OneAfterAnother.repeat(() -> {
            if (table[0] == batches.size()) {
                return Future.succeededFuture(false);
            }
            Tuple arguments = Tuple.of(id, batch);
            for (int i = 2; after[0] != null && i < after[0].size(); i++) {
                arguments.addValue(after[0].getValue(i));
            }
            String statement = after[0] == null ? batches.get(table[0]).first() : batches.get(table[0]).next();
            // Planned by key, as a resource's delete: the primary key, in its order, unsorted (Sql.PLANS_IN_KEY_ORDER).
            return PipelinedTransactions.planned(pool, Sql.PLANS_IN_KEY_ORDER, statement, arguments)
                    .map(answer -> {
                        Row counts = answer.iterator().next();
                        rows[0] += counts.getLong(1);
                        if (counts.getLong(0) == 0) {
                            table[0]++;
                            after[0] = null;
                        } else {
                            after[0] = counts;
                        }
                        return true;
                    });
        }).map(v -> rows[0]);
    }

    @Override
    public Future<List<Organization>> all() {
        return pool.preparedQuery(Sql.ORG_ALL).execute().map(rs -> {
            List<Organization> out = new ArrayList<>(rs.size());
            for (Row r : rs) {
                out.add(organization(r));
            }
            return out;
        });
    }
}
