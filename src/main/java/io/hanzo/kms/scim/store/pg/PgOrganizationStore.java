package io.hanzo.kms.scim.store.pg;

import static io.hanzo.kms.scim.store.pg.Rows.instant;
import static io.hanzo.kms.scim.store.pg.Rows.ts;

import io.hanzo.kms.scim.admin.Organization;
import io.hanzo.kms.scim.admin.Plan;
import io.hanzo.kms.scim.admin.Role;
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
